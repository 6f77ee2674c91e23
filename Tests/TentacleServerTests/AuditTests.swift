import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import Testing

@Suite("Audit log over HTTP")
struct AuditTests {
    struct IssuedToken: Decodable {
        struct Token: Decodable { var id: String }
        var token: Token
    }

    /// The audit entries the API lists for one action and object.
    static func entries(_ api: API, action: String, objectId: String) async throws -> [AuditEntry] {
        let response = try await api.send(.get, "/v1/audit?action=\(action)&objectId=\(objectId)")
        #expect(response.status == .ok)
        return try response.decode(Items<AuditEntry>.self).items
    }

    @Test func everyKindOfChangeIsAudited() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                @discardableResult
                func change(_ method: HTTPRequest.Method, _ uri: String, as caller: Caller = .role(.admin), json: String? = nil, body: String? = nil, contentType: String? = nil) async throws -> TestResponse {
                    let r = try await api.send(method, uri, as: caller, json: json, body: body, contentType: contentType)
                    #expect(r.status.code / 100 == 2, "\(method) \(uri): \(r.text)")
                    return r
                }
                try await change(.post, "/v1/districts", json: #"{"code": "west", "name": "West"}"#)
                try await change(.patch, "/v1/districts/west", json: #"{"name": "Far West"}"#)
                try await change(.post, "/v1/groups", json: #"{"code": "kiosks", "name": "Kiosks"}"#)
                try await change(.patch, "/v1/groups/kiosks", as: .role(.operator), json: #"{"name": "Kiosk screens"}"#)
                try await change(.post, "/v1/displays", as: .role(.operator), json: #"{"id": "a-1", "name": "A", "width": 64, "height": 32, "lat": 1, "lon": 2, "district": "west", "groups": ["kiosks"], "timezone": "UTC"}"#)
                try await change(.patch, "/v1/displays/a-1", json: #"{"name": "B", "tags": ["x"]}"#)
                try await change(.post, "/v1/displays/import", body: "id,name,width,height,lat,lon,district,timezone\na-2,C,64,32,1,2,west,UTC\n", contentType: "text/csv")
                try await change(.post, "/v1/displays/a-1/credentials", as: .role(.operator))
                try await change(.delete, "/v1/displays/a-1/credentials", as: .role(.operator))
                try await change(.delete, "/v1/displays/a-1")
                try await change(.delete, "/v1/displays/a-2")
                try await change(.delete, "/v1/groups/kiosks")
                try await change(.delete, "/v1/districts/west")
                let user = try await change(.post, "/v1/users", json: #"{"username": "newbie", "password": "\#(Fixture.password)", "role": "viewer"}"#)
                    .decode(User.self)
                try await change(.patch, "/v1/users/\(user.id)", json: #"{"role": "approver"}"#)
                try await change(.delete, "/v1/users/\(user.id)")
                let token = try await change(.post, "/v1/tokens", as: .role(.viewer), json: #"{"name": "ci"}"#).decode(IssuedToken.self)
                try await change(.delete, "/v1/tokens/\(token.token.id)", as: .role(.viewer))

                let expected: [(action: String, actor: String, type: String, id: String)] = [
                    ("district.create", "admin", "district", "west"),
                    ("district.update", "admin", "district", "west"),
                    ("district.delete", "admin", "district", "west"),
                    ("group.create", "admin", "group", "kiosks"),
                    ("group.update", "operator", "group", "kiosks"),
                    ("group.delete", "admin", "group", "kiosks"),
                    ("display.create", "operator", "display", "a-1"),
                    ("display.update", "admin", "display", "a-1"),
                    ("display.delete", "admin", "display", "a-1"),
                    ("display.import", "admin", "display", "*"),
                    ("credential.issue", "operator", "display", "a-1"),
                    ("credential.revoke", "operator", "display", "a-1"),
                    ("user.create", "admin", "user", user.id),
                    ("user.update", "admin", "user", user.id),
                    ("user.delete", "admin", "user", user.id),
                    ("token.create", "viewer", "token", token.token.id),
                    ("token.revoke", "viewer", "token", token.token.id),
                ]
                for e in expected {
                    let found = try await Self.entries(api, action: e.action, objectId: e.id).filter { $0.actor != "fixture" }
                    #expect(found.count == 1, "\(e.action) \(e.id): \(found)")
                    #expect(found.first?.actor == e.actor, "\(e.action)")
                    #expect(found.first?.objectType == e.type, "\(e.action)")
                    #expect(found.first?.time == Fixture.start, "\(e.action)")
                    #expect(found.first?.summary.isEmpty == false, "\(e.action)")
                }
                let update = try await Self.entries(api, action: "display.update", objectId: "a-1")
                #expect(update.first?.summary == "changed name, tags")
            }
        }
    }

    @Test func refusedChangesAreNotAudited() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let before = try await fx.auditCount()
                #expect(try await api.send(.post, "/v1/displays", json: #"{"id": "north-1"}"#).status == .unprocessableContent)
                #expect(try await api.send(.delete, "/v1/districts/north").status == .conflict)
                #expect(try await api.send(.delete, "/v1/groups/bus-stops").status == .conflict)
                #expect(try await api.send(.post, "/v1/displays", as: .role(.viewer), json: BadField.validBody).status == .forbidden)
                #expect(try await fx.auditCount() == before)
            }
        }
    }

    @Test func filtersAndPaging() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                for i in 1...3 {
                    #expect(try await api.send(.patch, "/v1/displays/north-1", as: .role(.operator), json: #"{"notes": "\#(i)"}"#).status == .ok)
                }
                let byActor = try await api.send(.get, "/v1/audit?actor=operator").decode(Items<AuditEntry>.self)
                #expect(byActor.items.map(\.action) == ["display.update", "display.update", "display.update"])
                let byType = try await api.send(.get, "/v1/audit?objectType=group").decode(Items<AuditEntry>.self)
                #expect(Set(byType.items.map(\.objectId)) == ["bus-stops", "light-poles", "roadside-boards"])

                var ids: [Int64] = []
                var uri = "/v1/audit?limit=4"
                while true {
                    let page = try await api.send(.get, uri).decode(Items<AuditEntry>.self)
                    ids += page.items.map(\.id)
                    guard let cursor = page.nextCursor else { break }
                    uri = "/v1/audit?limit=4&cursor=\(cursor)"
                }
                #expect(ids == ids.sorted(by: >))
                #expect(Set(ids).count == ids.count)
                #expect(ids.count == (try await fx.auditCount()))

                let future = try await api.send(.get, "/v1/audit?from=2030-01-01T00:00:00Z").decode(Items<AuditEntry>.self)
                #expect(future.items.isEmpty)
                #expect(try await api.send(.get, "/v1/audit?from=yesterday").status == .badRequest)
            }
        }
    }
}
