import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

/// Who may settle an alert, which messages settle at all, and who sees which alerts.
struct AlertAuthorityTests {
    static let reference = "\(CAPDocument.sender),%@,2026-01-01T00:00:00+00:00"

    static func alert(_ id: String, status: String = "Actual") -> String {
        CAPDocument.alert(id, status: status, west: 13.38, east: 13.42)
    }

    static func update(_ id: String, of earlier: String, status: String = "Actual") -> String {
        CAPDocument.alert(id, msgType: "Update", status: status, west: 13.38, east: 13.42, references: String(format: reference, earlier))
    }

    static func message(_ id: String, _ msgType: String, status: String = "Actual", references earlier: String) -> String {
        CAPDocument.cancel(id, cancelling: earlier)
            .replacingOccurrences(of: "<msgType>Cancel</msgType>", with: "<msgType>\(msgType)</msgType>")
            .replacingOccurrences(of: "<status>Actual</status>", with: "<status>\(status)</status>")
    }

    /// Alerters scoped to one district each, next to the fixture's city-wide `alerter`.
    static func addScopedAlerters(_ fixture: Fixture) async throws {
        let hash = try await PasswordHasher(cost: 4).hash(Fixture.password)
        for district in ["north", "south"] {
            let user = User(id: "usr-alerter-\(district)", username: "alerter-\(district)", role: .alerter, districts: [district], createdAt: Fixture.start)
            try await fixture.store.createUser(user, passwordHash: hash, audit: Fixture.event("user.create", "user", user.id))
            try await fixture.addToken(for: user.id, secret: Fixture.token(for: user.username), id: "tok-\(user.username)")
        }
    }

    static func post(_ api: API, _ xml: String, as username: String) async throws -> TestResponse {
        try await api.send(.post, "/v1/alerts", as: .user(username), body: xml, contentType: "application/cap+xml")
    }

    @Test func aScopedAlerterCannotCancelOrReplaceAnAlertOfAWiderScope() async throws {
        try await Fixture.with { fixture in
            try await Self.addScopedAlerters(fixture)
            try await fixture.test { api in
                #expect(try await Self.post(api, Self.alert("city-1"), as: "alerter").status == .created)
                #expect(try await Self.post(api, Self.alert("south-1"), as: "alerter-south").status == .created)

                for (xml, id) in [
                    (CAPDocument.cancel("c-1", cancelling: "city-1"), "c-1"), (Self.update("u-1", of: "city-1"), "u-1"),
                    (CAPDocument.cancel("c-2", cancelling: "south-1"), "c-2"),
                ] {
                    let refused = try await Self.post(api, xml, as: "alerter-north")
                    #expect(refused.status == .forbidden, "\(refused.text)")
                    #expect(refused.apiError?.field == "references")
                    #expect(try await fixture.store.alert(id: id) == nil)
                }
                #expect(try await fixture.store.alert(id: "city-1")?.state == .active)
                #expect(try await fixture.store.alert(id: "south-1")?.state == .active)
                let refusals = try await fixture.store.auditEntries(AuditQuery(action: "alert.refuse", limit: 10))
                #expect(refusals.count == 3)
                #expect(refusals.allSatisfy { $0.actor == "alerter-north" })

                // Their own district's alert, and a city-wide alerter over any of them.
                #expect(try await Self.post(api, Self.alert("north-1"), as: "alerter-north").status == .created)
                let own = try await Self.post(api, CAPDocument.cancel("c-3", cancelling: "north-1"), as: "alerter-north")
                #expect(own.status == .created, "\(own.text)")
                #expect(try await fixture.store.alert(id: "north-1")?.state == .cancelled)
                let wide = try await Self.post(api, Self.update("u-2", of: "south-1"), as: "alerter")
                #expect(wide.status == .created, "\(wide.text)")
                #expect(try await fixture.store.alert(id: "south-1")?.state == .replaced)
            }
        }
    }

    @Test func aTestOrExerciseMessageNeverSettlesAnActualAlert() async throws {
        try await Fixture.with { fixture in
            try await fixture.test { api in
                #expect(try await Self.post(api, Self.alert("real-1"), as: "alerter").status == .created)
                for (xml, id) in [
                    (Self.message("t-1", "Cancel", status: "Test", references: "real-1"), "t-1"),
                    (Self.update("t-2", of: "real-1", status: "Exercise"), "t-2"),
                ] {
                    let refused = try await Self.post(api, xml, as: "alerter")
                    #expect(refused.status == .conflict, "\(refused.text)")
                    #expect(refused.apiError?.message.contains("Actual") == true)
                    #expect(try await fixture.store.alert(id: id) == nil)
                }
                #expect(try await fixture.store.alert(id: "real-1")?.state == .active)
                #expect(try await fixture.store.auditEntries(AuditQuery(action: "alert.refuse", limit: 10)).count == 2)

                // A drill settles a drill.
                #expect(try await Self.post(api, Self.alert("drill-1", status: "Exercise"), as: "alerter").status == .created)
                let drillCancel = try await Self.post(api, Self.message("drill-2", "Cancel", status: "Exercise", references: "drill-1"), as: "alerter")
                #expect(drillCancel.status == .created, "\(drillCancel.text)")
                #expect(drillCancel.text.contains(#""settled":["drill-1"]"#), "\(drillCancel.text)")
            }
        }
    }

    /// The server's in-memory alerts and the database agree, before and after a restart.
    @Test(arguments: ["Ack", "Error"])
    func ackAndErrorMessagesLeaveTheAlertTheyReferenceOnAir(_ msgType: String) async throws {
        try await Fixture.with { fixture in
            let env = makeEnvironment(
                store: fixture.store, configuration: fixture.configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                clock: { fixture.clock.now })
            try await Application(router: buildRouter(env: env)).test(.router) { client in
                let api = API(client: client)
                #expect(try await Self.post(api, Self.alert("live-1"), as: "alerter").status == .created)
                let ack = try await Self.post(api, Self.message("ack-1", msgType, references: "live-1"), as: "alerter")
                #expect(ack.status == .created, "\(ack.text)")
                #expect(ack.text.contains(#""settled":[]"#), "\(ack.text)")
            }
            #expect(try await fixture.store.alert(id: "live-1")?.state == .active)
            #expect(env.alerts.candidates(for: "north-1").map(\.candidate.id) == ["live-1"])

            let restarted = try fixture.restarted()
            let after = makeEnvironment(
                store: restarted.store, configuration: fixture.configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                clock: { fixture.clock.now })
            try await after.alerts.loadIfNeeded()
            #expect(after.alerts.candidates(for: "north-1").map(\.candidate.id) == ["live-1"])
            #expect(try await restarted.store.activeAlerts().map(\.alert.id) == ["live-1"])
        }
    }

    @Test func districtScopedUsersSeeOnlyTheAlertsThatConcernTheirDistricts() async throws {
        try await Fixture.with { fixture in
            try await Self.addScopedAlerters(fixture)
            try await fixture.test { api in
                #expect(try await Self.post(api, Self.alert("south-only"), as: "alerter-south").status == .created)
                #expect(try await Self.post(api, Self.alert("city-wide"), as: "alerter").status == .created)
                #expect(try await Self.post(api, Self.alert("north-only"), as: "alerter-north").status == .created)

                func listed(_ caller: Caller) async throws -> [String] {
                    let r = try await api.send(.get, "/v1/alerts", as: caller)
                    #expect(r.status == .ok, "\(r.text)")
                    return try r.decode(Items<AlertRecord>.self).items.map(\.id).sorted()
                }
                #expect(try await listed(.user("publisher-north")) == ["city-wide", "north-only"])
                #expect(try await listed(.user("alerter-south")) == ["city-wide", "south-only"])
                #expect(try await listed(.role(.viewer)) == ["city-wide", "north-only", "south-only"])

                #expect(try await api.send(.get, "/v1/alerts/south-only", as: .user("publisher-north")).status == .notFound)
                #expect(try await api.send(.get, "/v1/alerts/south-only", as: .user("alerter-south")).status == .ok)
                let wide = try await api.send(.get, "/v1/alerts/city-wide", as: .user("publisher-north"))
                #expect(wide.status == .ok)
                #expect(!wide.text.contains("south-1"), "\(wide.text)")
            }
        }
    }
}
