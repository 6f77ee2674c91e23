import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import TentacleStore
import Testing

/// Users scoped to `north` neither see nor change anything of `south`: outside objects answer 404.
@Suite("District scoping")
struct DistrictScopeTests {
    static let publisher = Caller.user("publisher-north")
    static let operatorNorth = Caller.user("operator-north")

    @Test func scopedUsersOnlySeeTheirDistricts() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                for caller in [Self.publisher, Self.operatorNorth] {
                    let list = try await api.send(.get, "/v1/displays", as: caller).decode(Items<Display>.self)
                    #expect(list.items.map(\.id) == ["north-1", "north-2"], "\(caller)")
                    let filtered = try await api.send(.get, "/v1/displays?district=south", as: caller).decode(Items<Display>.self)
                    #expect(filtered.items.isEmpty, "\(caller)")
                    let byGroup = try await api.send(.get, "/v1/displays?group=light-poles", as: caller).decode(Items<Display>.self)
                    #expect(byGroup.items.isEmpty, "\(caller)")

                    #expect(try await api.send(.get, "/v1/displays/north-1", as: caller).status == .ok)
                    let south = try await api.send(.get, "/v1/displays/south-1", as: caller)
                    #expect(south.status == .notFound, "\(caller)")
                    #expect(south.apiError?.code == "not_found")

                    let districts = try await api.send(.get, "/v1/districts", as: caller).decode(Items<District>.self)
                    #expect(districts.items.map(\.code) == ["north"], "\(caller)")
                    #expect(try await api.send(.get, "/v1/districts/north", as: caller).status == .ok)
                    #expect(try await api.send(.get, "/v1/districts/south", as: caller).status == .notFound, "\(caller)")
                }
                // An unscoped user of the same role sees everything.
                let all = try await api.send(.get, "/v1/displays", as: .role(.publisher)).decode(Items<Display>.self)
                #expect(all.items.map(\.id) == ["north-1", "north-2", "south-1"])
            }
        }
    }

    @Test func outsideDisplaysAnswerNotFoundForEveryWrite() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let caller = Self.operatorNorth
                let calls: [(HTTPRequest.Method, String, String?)] = [
                    (.get, "/v1/displays/south-1", nil),
                    (.patch, "/v1/displays/south-1", #"{"name": "Mine now"}"#),
                    (.delete, "/v1/displays/south-1", nil),
                    (.get, "/v1/displays/south-1/credentials", nil),
                    (.post, "/v1/displays/south-1/credentials", nil),
                    (.delete, "/v1/displays/south-1/credentials", nil),
                ]
                for (method, uri, json) in calls {
                    let response = try await api.send(method, uri, as: caller, json: json)
                    #expect(response.status == .notFound, "\(method) \(uri): \(response.text)")
                    // Indistinguishable from a display that does not exist.
                    let missing = try await api.send(method, uri.replacingOccurrences(of: "south-1", with: "no-such-display"), as: caller, json: json)
                    #expect(missing.status == .notFound)
                }
                let untouched = try #require(try await fx.store.display(id: "south-1"))
                #expect(untouched.name == "Display south-1")
                #expect(try await fx.store.credentials(displayId: "south-1").isEmpty)

                // The same calls inside the district work.
                #expect(try await api.send(.patch, "/v1/displays/north-2", as: caller, json: #"{"notes": "ok"}"#).status == .ok)
                #expect(try await api.send(.post, "/v1/displays/north-2/credentials", as: caller).status == .created)
                #expect(try await api.send(.delete, "/v1/displays/north-2", as: caller).status == .noContent)

                // A publisher may not write at all, whatever the district: the role answers first.
                #expect(try await api.send(.patch, "/v1/displays/north-1", as: Self.publisher, json: #"{"notes": "x"}"#).status == .forbidden)
                #expect(try await api.send(.get, "/v1/displays/north-1/credentials", as: Self.publisher).status == .forbidden)
            }
        }
    }

    @Test func placingADisplayOutsideTheScopeIsForbidden() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let caller = Self.operatorNorth
                let create = try await api.send(
                    .post, "/v1/displays", as: caller,
                    json: #"{"id": "s-new", "name": "S", "width": 64, "height": 32, "lat": 52.4, "lon": 13.3, "district": "south", "timezone": "UTC"}"#)
                #expect(create.status == .forbidden)
                #expect(create.apiError?.code == "forbidden")
                #expect(create.apiError?.field == "district")
                #expect(try await fx.store.display(id: "s-new") == nil)

                let move = try await api.send(.patch, "/v1/displays/north-1", as: caller, json: #"{"district": "south"}"#)
                #expect(move.status == .forbidden)
                #expect(move.apiError?.field == "district")
                #expect(try await fx.store.display(id: "north-1")?.district == "north")

                let csv = "id,name,width,height,lat,lon,district,timezone\nn-new,N,64,32,52.5,13.4,north,UTC\ns-new,S,64,32,52.4,13.3,south,UTC\n"
                let imported = try await api.send(.post, "/v1/displays/import", as: caller, body: csv, contentType: "text/csv")
                #expect(imported.status == .unprocessableContent)
                let issue = try #require(imported.apiError?.issues?.first)
                #expect(issue.row == 3)
                #expect(issue.field == "district")
                #expect(try await fx.store.display(id: "n-new") == nil)

                let inside = try await api.send(
                    .post, "/v1/displays", as: caller,
                    json: #"{"id": "n-new", "name": "N", "width": 64, "height": 32, "lat": 52.5, "lon": 13.4, "district": "north", "timezone": "UTC"}"#)
                #expect(inside.status == .created)
            }
        }
    }

    @Test func aScopedAdminManagesOnlyUsersWithinTheirDistricts() async throws {
        try await Fixture.with { fx in
            let admin = User(id: "usr-admin-north", username: "admin-north", role: .admin, districts: ["north"], createdAt: Fixture.start)
            try await fx.store.createUser(admin, passwordHash: "unused", audit: Fixture.event("user.create", "user", admin.id))
            try await fx.addToken(for: admin.id, secret: Fixture.token(for: "admin-north"), id: "tok-admin-north")
            let caller = Caller.user("admin-north")
            try await fx.test { api in
                let unscoped = try await api.send(
                    .post, "/v1/users", as: caller, json: #"{"username": "boss", "password": "long enough secret", "role": "admin"}"#)
                #expect(unscoped.status == .forbidden)
                #expect(unscoped.apiError?.field == "districts")
                let wider = try await api.send(
                    .post, "/v1/users", as: caller,
                    json: #"{"username": "boss", "password": "long enough secret", "role": "admin", "districts": ["north", "south"]}"#)
                #expect(wider.status == .forbidden)
                #expect(wider.apiError?.field == "districts[1]")

                // Widening a user of their own districts, or making them unscoped, is refused too.
                for districts in [#"["north", "south"]"#, "[]"] {
                    let widen = try await api.send(.patch, "/v1/users/usr-publisher-north", as: caller, json: #"{"districts": \#(districts)}"#)
                    #expect(widen.status == .forbidden, "\(districts)")
                }
                // Users reaching beyond their districts are not theirs to change or delete.
                #expect(try await api.send(.patch, "/v1/users/usr-viewer", as: caller, json: #"{"role": "admin"}"#).status == .forbidden)
                #expect(try await api.send(.patch, "/v1/users/usr-viewer", as: caller, json: #"{"districts": ["north"]}"#).status == .forbidden)
                #expect(try await api.send(.delete, "/v1/users/usr-admin", as: caller).status == .forbidden)
                #expect(try await fx.store.user(id: "usr-viewer")?.role == .viewer)
                #expect(try await fx.store.user(id: "usr-viewer")?.districts == [])
                #expect(try await fx.store.user(id: "usr-publisher-north")?.districts == ["north"])
                #expect(try await fx.store.credentials(username: "boss") == nil)

                // Within their districts they manage users as any admin does.
                let made = try await api.send(
                    .post, "/v1/users", as: caller,
                    json: #"{"username": "tech-north", "password": "long enough secret", "role": "operator", "districts": ["north"]}"#)
                #expect(made.status == .created)
                #expect(try await api.send(.patch, "/v1/users/usr-publisher-north", as: caller, json: #"{"role": "approver"}"#).status == .ok)
                // An admin of every district still makes anyone anything.
                #expect(try await api.send(.patch, "/v1/users/usr-viewer", json: #"{"districts": ["south"]}"#).status == .ok)
            }
        }
    }
}
