import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import TentacleServer
import TentacleStore
import Testing

@Suite("HTTP errors")
struct HTTPErrorTests {
    @Test func bodiesOverTheLimitAre413() async throws {
        try await Fixture.with(configure: { $0.maxBodyBytes = 1024 }) { fx in
            try await fx.test { api in
                let notes = String(repeating: "x", count: 1500)
                let response = try await api.send(.patch, "/v1/displays/north-1", json: #"{"notes": "\#(notes)"}"#)
                #expect(response.status == .contentTooLarge)
                #expect(response.apiError?.code == "payload_too_large")
                #expect(try await fx.store.display(id: "north-1")?.notes == "")
                // Just under the limit is fine.
                #expect(try await api.send(.patch, "/v1/displays/north-1", json: #"{"notes": "small"}"#).status == .ok)
            }
        }
    }

    @Test func nonJSONBodiesAre415() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let response = try await api.send(.post, "/v1/displays", body: BadField.validBody, contentType: "text/plain")
                #expect(response.status == .unsupportedMediaType)
                #expect(response.apiError?.code == "unsupported_media_type")
                #expect(try await fx.store.display(id: "v-1") == nil)
            }
        }
    }

    @Test func unknownRoutesAnswerJSON404() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                for uri in ["/v1/nothing-here", "/nope", "/v1/displays/north-1/nothing"] {
                    let response = try await api.send(.get, uri, as: .anonymous)
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                    #expect(response.apiError?.code == "not_found")
                }
            }
        }
    }

    @Test func badQueryParametersAre400() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let cases = [
                    ("/v1/displays?cursor=%21%21%21", "cursor"),
                    ("/v1/displays?cursor=", nil),
                    ("/v1/audit?cursor=bm90LWEtbnVtYmVy", "cursor"),
                    ("/v1/displays?limit=0", "limit"),
                    ("/v1/displays?limit=many", "limit"),
                    ("/v1/displays?status=sleeping", "status"),
                ]
                for (uri, field) in cases {
                    let response = try await api.send(.get, uri)
                    if let field {
                        #expect(response.status == .badRequest, "\(uri): \(response.text)")
                        #expect(response.apiError?.code == "bad_request")
                        #expect(response.apiError?.field == field)
                    } else {
                        #expect(response.status == .ok, "an empty cursor starts at the beginning")
                    }
                }
            }
        }
    }

    @Test func cursorsPageThroughTheListing() async throws {
        try await Fixture.with { fx in
            for i in 0..<7 { try await fx.addDisplay("page-\(i)", district: "east") }
            try await fx.test { api in
                var ids: [String] = []
                var uri = "/v1/displays?limit=3"
                while true {
                    let page = try await api.send(.get, uri).decode(Items<Display>.self)
                    ids += page.items.map(\.id)
                    guard let cursor = page.nextCursor else { break }
                    uri = "/v1/displays?limit=3&cursor=\(cursor)"
                }
                #expect(ids == ids.sorted())
                #expect(ids.count == 10)
                #expect(Set(ids).count == 10)
            }
        }
    }

    @Test func deletingWhatIsInUseIs409() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let district = try await api.send(.delete, "/v1/districts/north")
                #expect(district.status == .conflict)
                #expect(district.apiError?.code == "conflict")
                #expect(try await api.send(.delete, "/v1/users/usr-admin").status == .conflict)
                let duplicate = try await api.send(.post, "/v1/districts", json: #"{"code": "north", "name": "Again"}"#)
                #expect(duplicate.status == .conflict)
                #expect(duplicate.apiError?.field == "code")
            }
        }
    }
}
