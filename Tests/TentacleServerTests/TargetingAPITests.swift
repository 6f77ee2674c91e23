import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import Testing

/// Which displays a campaign reaches, seen through coverage and through each display's `/now`.
@Suite("Targeting through the API")
struct TargetingAPITests {
    /// Displays placed for the area cases, all in district `east`.
    ///
    /// The polygon is a U open to the north: arms at lon 10.00–10.01 and 10.02–10.03, joined by a
    /// base at lat 50.00–50.01; the notch between the arms (lon 10.01–10.02, lat 50.01–50.03) is outside.
    static let placed: [(id: String, lat: Double, lon: Double, tags: [String])] = [
        ("arm", 50.02, 10.005, ["kiosk"]),
        ("notch", 50.02, 10.015, []),
        ("edge", 50.0, 10.015, []),
        ("notch-edge", 50.02, 10.01, []),
        ("near", 48.005, 11.0, []),
        ("far", 48.02, 11.0, []),
    ]

    static let uShape = """
        {"type": "Polygon", "coordinates": [[[10.0, 50.0], [10.03, 50.0], [10.03, 50.03], [10.02, 50.03], [10.02, 50.01],
          [10.01, 50.01], [10.01, 50.03], [10.0, 50.03], [10.0, 50.0]]]}
        """

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var target: String
        var reached: Set<String>
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "district", target: #"{"districts": ["south"]}"#, reached: ["south-1"]),
        Case(name: "group", target: #"{"groups": ["bus-stops"]}"#, reached: ["north-1"]),
        Case(name: "tag", target: #"{"tags": ["kiosk"]}"#, reached: ["arm"]),
        Case(name: "display ids", target: #"{"displayIds": ["north-2", "far"]}"#, reached: ["north-2", "far"]),
        // 556 m and 2.2 km from the centre.
        Case(name: "circle", target: #"{"circle": {"lat": 48.0, "lon": 11.0, "radiusMeters": 1000}}"#, reached: ["near"]),
        // The notch lies inside the polygon's bounding box but outside the polygon; the edge rule
        // (docs/content.md: a display on an edge or vertex is inside) holds on the outer and the notch's edges.
        Case(name: "concave polygon", target: #"{"polygon": \#(uShape)}"#, reached: ["arm", "edge", "notch-edge"]),
        Case(name: "union", target: #"{"districts": ["south"], "circle": {"lat": 48.0, "lon": 11.0, "radiusMeters": 1000}}"#, reached: ["south-1", "near"]),
    ]

    @Test("a campaign reaches exactly the targeted displays", arguments: cases)
    func reach(_ c: Case) async throws {
        try await Fixture.with { fx in
            for p in Self.placed {
                try await fx.addDisplay(p.id, district: "east", tags: p.tags, lat: p.lat, lon: p.lon)
            }
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                try await api.publish(Content.campaign("cmp-1", target: c.target))

                let coverage = try await api.coverage("cmp-1")
                #expect(coverage.revision == 1)
                #expect(Set(coverage.now) == c.reached, "now")
                #expect(Set(coverage.next24h) == c.reached, "next 24 h")

                for display in ["north-1", "north-2", "south-1"] + Self.placed.map(\.id) {
                    let now = try await api.now(display)
                    let reached = now.playing.campaignId == "cmp-1"
                    #expect(reached == c.reached.contains(display), "\(display): \(now.playing.kind)")
                    if !reached {
                        #expect(now.candidates.map(\.outcome) == ["notTargeted"], "\(display)")
                    }
                }
            }
        }
    }

    @Test func invalidAreasAre422() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                let cases: [(String, String)] = [
                    (#"{"circle": {"lat": 48.0, "lon": 11.0, "radiusMeters": 0}}"#, "target.circle.radiusMeters"),
                    (#"{"circle": {"lat": 95.0, "lon": 11.0, "radiusMeters": 10}}"#, "target.circle.lat"),
                    (#"{}"#, "target"),
                    (#"{"groups": ["no-such-group"]}"#, "target.groups[0]"),
                ]
                for (target, field) in cases {
                    let response = try await api.send(.post, "/v1/campaigns", as: .role(.publisher), json: Content.campaign("cmp-1", target: target))
                    #expect(response.status == .unprocessableContent, "\(target): \(response.text)")
                    #expect(response.apiError?.issues?.map(\.field).contains(field) == true, "\(target): \(response.text)")
                }
            }
        }
    }
}
