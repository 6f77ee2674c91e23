import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import TentacleRender
import TentacleStore
import Testing

/// One bad value for a display field and the error it must produce.
struct BadField: Sendable, CustomTestStringConvertible {
    let field: String
    /// The raw JSON value sent for `field` (nil to leave the field out).
    let value: String?
    let status: HTTPResponse.Status
    let code: String
    /// The field the error names; defaults to `field`.
    let named: String?

    init(_ field: String, _ value: String?, _ status: HTTPResponse.Status = .unprocessableContent, named: String? = nil) {
        self.field = field
        self.value = value
        self.status = status
        self.code = switch status {
        case .badRequest: "bad_request"
        default: "validation_failed"
        }
        self.named = named
    }

    var testDescription: String { "\(field) = \(value ?? "absent")" }

    static let valid: [(String, String)] = [
        ("id", #""v-1""#), ("name", #""Main Street""#), ("width", "128"), ("height", "64"), ("lat", "52.5"), ("lon", "13.4"),
        ("district", #""north""#), ("poleId", #""P-17""#), ("groups", #"["bus-stops"]"#), ("tags", #"["solar"]"#),
        ("timezone", #""Europe/Berlin""#), ("notes", #""by the bakery""#),
    ]

    /// A complete valid display with this one field replaced (or added, or left out).
    var body: String { Self.object(Self.valid.filter { $0.0 != field } + (value.map { [(field, $0)] } ?? [])) }

    static var validBody: String { object(valid) }

    private static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }
}

@Suite("Display validation")
struct DisplayValidationTests {
    static let cases: [BadField] = [
        BadField("id", #""Not An Id""#),
        BadField("name", #""   ""#),
        BadField("name", String(repeating: "n", count: 121).debugDescription),
        BadField("name", nil),
        BadField("width", "7"),
        BadField("width", "3841"),
        BadField("height", "2161"),
        BadField("height", "0"),
        BadField("height", nil),
        BadField("lat", "90.5"),
        BadField("lat", nil),
        BadField("lon", "-180.01"),
        BadField("district", #""North Side""#),
        BadField("district", nil),
        BadField("poleId", #""""#),
        BadField("poleId", String(repeating: "p", count: 65).debugDescription),
        BadField("groups", #"["Bus Stops"]"#, named: "groups[0]"),
        BadField("groups", #"["bus-stops", "bus-stops"]"#),
        BadField("tags", #"["UPPER"]"#, named: "tags[0]"),
        BadField("timezone", #""Mars/Olympus_Mons""#),
        BadField("timezone", nil),
        BadField("notes", String(repeating: "x", count: 2001).debugDescription),
        // Wrong JSON types are 400 and name the field.
        BadField("width", #""wide""#, .badRequest),
        BadField("lat", #""north""#, .badRequest),
        BadField("name", "42", .badRequest),
        BadField("groups", #""bus-stops""#, .badRequest),
        BadField("tags", #"[1, 2]"#, .badRequest, named: "tags[0]"),
        // Unknown fields are refused rather than ignored.
        BadField("colour", #""red""#, .badRequest),
        // Well-formed references to things that do not exist.
        BadField("district", #""west""#),
        BadField("groups", #"["bus-stops", "ferries"]"#, named: "groups[1]"),
    ]

    @Test("creating with a bad field", arguments: cases)
    func createRefusesBadField(bad: BadField) async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let before = try await fx.displayCount()
                let response = try await api.send(.post, "/v1/displays", json: bad.body)
                #expect(response.status == bad.status, "\(response.text)")
                let error = try #require(response.apiError, "not an error body: \(response.text)")
                #expect(error.code == bad.code)
                #expect(error.field == (bad.named ?? bad.field))
                #expect(!error.message.isEmpty)
                #expect(try await fx.displayCount() == before)
            }
        }
    }

    @Test("updating with a bad field", arguments: cases.filter { $0.value != nil && $0.field != "id" })
    func updateRefusesBadField(bad: BadField) async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let before = try await fx.store.display(id: "north-1")
                let response = try await api.send(.patch, "/v1/displays/north-1", json: "{\"\(bad.field)\": \(bad.value ?? "null")}")
                #expect(response.status == bad.status, "\(response.text)")
                #expect(response.apiError?.code == bad.code)
                #expect(response.apiError?.field == (bad.named ?? bad.field))
                #expect(try await fx.store.display(id: "north-1") == before)
            }
        }
    }

    @Test func theValidBodyIsAccepted() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let response = try await api.send(.post, "/v1/displays", json: BadField.validBody)
                #expect(response.status == .created, "\(response.text)")
                #expect(response.headers[.location] == "/v1/displays/v-1")
                let display = try response.decode(Display.self)
                #expect(display.groups == ["bus-stops"])
                #expect(display.poleId == "P-17")
                #expect(try await fx.store.display(id: "v-1") == display)
            }
        }
    }

    /// The registry's largest panel is the renderer's largest frame, so a display never gets a cropped preview.
    @Test func theLargestDisplayGetsFramesOfItsOwnSize() async throws {
        #expect(DisplayRules.widthRange.upperBound == Frame.maxWidth)
        #expect(DisplayRules.heightRange.upperBound == Frame.maxHeight)
        try await Fixture.with { fx in
            try await fx.test { api in
                let wall = #"{"id": "wall", "name": "Wall", "width": 3840, "height": 2160, "lat": 52.5, "lon": 13.4, "district": "north", "timezone": "Europe/Berlin"}"#
                #expect(try await api.send(.post, "/v1/displays", json: wall).status == .created)
                let frame = try await api.frame("/v1/displays/wall/preview.png")
                #expect(frame.width == 3840 && frame.height == 2160)
                for (field, value) in [("width", 3841), ("height", 2161)] {
                    let response = try await api.send(.patch, "/v1/displays/wall", json: #"{"\#(field)": \#(value)}"#)
                    #expect(response.status == .unprocessableContent, "\(field): \(response.text)")
                    #expect(response.apiError?.field == field)
                }
            }
        }
    }

    @Test func idCannotChangeAndDuplicatesConflict() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let rename = try await api.send(.patch, "/v1/displays/north-1", json: #"{"id": "north-9"}"#)
                #expect(rename.status == .unprocessableContent)
                #expect(rename.apiError?.field == "id")

                let duplicate = try await api.send(.post, "/v1/displays", json: BadField("id", #""north-1""#).body)
                #expect(duplicate.status == .conflict)
                #expect(duplicate.apiError?.code == "conflict")
                #expect(duplicate.apiError?.field == "id")

                let notJSON = try await api.send(.post, "/v1/displays", json: "{not json")
                #expect(notJSON.status == .badRequest)
                let array = try await api.send(.post, "/v1/displays", json: "[]")
                #expect(array.status == .badRequest)
            }
        }
    }
}
