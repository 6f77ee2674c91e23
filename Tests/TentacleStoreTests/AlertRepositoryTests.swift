import Foundation
import PostgresNIO
import TentacleCore
@testable import TentacleStore
import Testing

@Suite("Alert repository contract")
struct AlertRepositoryTests {
    static let t = StoreHarness.time

    static func alert(
        _ id: String, received seconds: Double = 0, state: AlertRecord.State = .active, references: [String] = [], districts: [String] = ["north"],
        targeted: Int = 2
    ) -> AlertRecord {
        AlertRecord(
            id: id, sender: "civil-protection@city", sent: t.addingTimeInterval(seconds - 1), status: "Actual", msgType: references.isEmpty ? "Alert" : "Update",
            severity: .severe, headline: "Flood warning \(id)", expires: t.addingTimeInterval(3600.5), state: state, references: references,
            postedBy: "kim", receivedAt: t.addingTimeInterval(seconds), targeted: targeted, posterScope: ["north", "south"], districts: districts)
    }

    static func create(_ a: AlertRecord, targets: [String] = ["d-2", "d-1"], notice: String? = "notice", settling: [String: AlertRecord.State] = [:], in s: any Storage)
        async throws
    {
        try await s.createAlert(a, xml: "<alert>\(a.id)</alert>", notice: notice, targets: targets, settling: settling, audit: audit("alert.create", "alert", a.id))
    }

    @Test(arguments: Backend.all)
    func anAlertIsStoredWithAPendingDeliveryPerTargetAndSettlesTheOnesItUpdates(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            let first = Self.alert("a-1", districts: ["south", "north"])
            try await Self.create(first, in: s)
            var expected = first
            expected.districts = ["north", "south"]
            #expect(try await s.alert(id: "a-1") == expected)
            #expect(try await s.alert(id: "none") == nil)
            let document = try #require(try await s.alertDocument(id: "a-1"))
            #expect(document.xml == "<alert>a-1</alert>")
            #expect(document.notice == "notice")
            #expect(try await s.alertDocument(id: "none") == nil)
            #expect(try await s.deliveries(alertId: "a-1") == [AlertDelivery(displayId: "d-1", state: .pending), AlertDelivery(displayId: "d-2", state: .pending)])
            #expect(try await s.alertTargets(id: "a-1").sorted() == ["d-1", "d-2"])
            #expect(try await s.alertTargets(id: "none").isEmpty)

            let again = await #expect(throws: StoreError.self) { try await Self.create(first, in: s) }
            #expect(again?.code == .conflict)

            let cityWide = Self.alert("a-2", received: 10, references: [], districts: [], targeted: 0)
            var noScope = cityWide
            noScope.posterScope = nil
            try await Self.create(noScope, targets: [], notice: nil, in: s)
            #expect(try await s.alert(id: "a-2") == noScope)
            #expect(try await s.alertDocument(id: "a-2")?.notice == nil)

            let update = Self.alert("a-3", received: 20, references: ["a-1", "a-2"])
            try await Self.create(update, settling: ["a-1": .replaced, "a-2": .cancelled], in: s)
            #expect(try await s.alert(id: "a-1")?.state == .replaced)
            #expect(try await s.alert(id: "a-2")?.state == .cancelled)
            #expect(try await s.alert(id: "a-3")?.references == ["a-1", "a-2"])
            // Only active alerts are settled: a cancelled one stays cancelled.
            try await s.setAlertStates(["a-2": .expired, "a-3": .expired], audit: audit("alert.expire", "alert", "*"))
            #expect(try await s.alert(id: "a-2")?.state == .cancelled)
            #expect(try await s.alert(id: "a-3")?.state == .expired)
            try await s.setAlertStates([:], audit: audit("alert.expire", "alert", "none"))
            try await s.setAlertStates(["a-1": .expired], audit: nil)
            #expect(try await s.auditEntries(AuditQuery(objectType: "alert")).map(\.objectId) == ["*", "a-3", "a-2", "a-1"])
        }
    }

    @Test(arguments: Backend.all)
    func alertsAreListedNewestFirstWithinTheUsersDistricts(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            try await Self.create(Self.alert("b", received: 5, districts: ["north"]), in: s)
            try await Self.create(Self.alert("C", received: 5, districts: ["south"]), in: s)
            try await Self.create(Self.alert("a", received: 1, districts: ["north", "south"]), in: s)
            try await Self.create(Self.alert("z", received: 9, districts: []), in: s)
            #expect(try await s.alerts(limit: 10, scope: .all).map(\.id) == ["z", "C", "b", "a"])
            #expect(try await s.alerts(limit: 2, scope: .all).map(\.id) == ["z", "C"])
            #expect(try await s.alerts(limit: 10, scope: .only(["north"])).map(\.id) == ["b", "a"])
            #expect(try await s.alerts(limit: 10, scope: .only(["south", "east"])).map(\.id) == ["C", "a"])
            #expect(try await s.alerts(limit: 10, scope: .only(["east"])).isEmpty)
        }
    }

    @Test(arguments: Backend.all)
    func deliveriesOnlyMoveForward(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            try await Self.create(Self.alert("a-1"), targets: ["d-1", "d-2", "d-3"], in: s)
            try await Self.create(Self.alert("silent", received: 1, state: .silent), targets: ["d-1"], notice: nil, in: s)
            let delivered = Self.t + 1, shown = Self.t + 2, acked = Self.t + 3
            try await s.recordDeliveries([
                ("a-1", AlertDelivery(displayId: "d-1", state: .delivered, deliveredAt: delivered)),
                ("a-1", AlertDelivery(displayId: "d-2", state: .shown, shownAt: shown, ackedAt: acked)),
                ("a-1", AlertDelivery(displayId: "d-3", state: .pending)),
                ("a-1", AlertDelivery(displayId: "d-9", state: .delivered, deliveredAt: delivered)),
            ])
            try await s.recordDeliveries([])
            // Later reports never take a delivery back nor change the first times.
            try await s.recordDeliveries([
                ("a-1", AlertDelivery(displayId: "d-2", state: .delivered, deliveredAt: Self.t + 50)),
                ("a-1", AlertDelivery(displayId: "d-2", state: .shown, shownAt: Self.t + 60, ackedAt: Self.t + 61)),
                ("a-1", AlertDelivery(displayId: "d-1", state: .delivered, deliveredAt: Self.t + 70)),
            ])
            #expect(try await s.deliveries(alertId: "a-1") == [
                AlertDelivery(displayId: "d-1", state: .delivered, deliveredAt: delivered),
                AlertDelivery(displayId: "d-2", state: .shown, deliveredAt: acked, shownAt: shown, ackedAt: acked),
                AlertDelivery(displayId: "d-3", state: .pending),
            ])

            // A display reported twice in one call keeps its first report's times too.
            try await s.recordDeliveries([
                ("a-1", AlertDelivery(displayId: "d-3", state: .delivered, deliveredAt: Self.t + 5)),
                ("a-1", AlertDelivery(displayId: "d-3", state: .delivered, deliveredAt: Self.t + 6)),
                ("a-1", AlertDelivery(displayId: "d-3", state: .shown, shownAt: Self.t + 7, ackedAt: Self.t + 8)),
                ("a-1", AlertDelivery(displayId: "d-3", state: .shown, shownAt: Self.t + 9, ackedAt: Self.t + 10)),
            ])
            #expect(try await s.deliveries(alertId: "a-1").last == AlertDelivery(
                displayId: "d-3", state: .shown, deliveredAt: Self.t + 5, shownAt: Self.t + 7, ackedAt: Self.t + 8))

            let active = try await s.activeAlerts()
            #expect(active.map(\.alert.id) == ["a-1"])
            #expect(active.first?.notice == "notice")
            #expect(active.first?.targets == ["d-1", "d-2", "d-3"])
            #expect(active.first?.shown == ["d-2", "d-3"])
            try await s.setAlertStates(["a-1": .expired], audit: nil)
            #expect(try await s.activeAlerts().isEmpty)
        }
    }

    /// A PostgreSQL database from before pg7, with a delivery row per target, answers the same
    /// once the migration moved the targets into the alert and dropped the pending rows.
    @Test(.enabled(if: Backend.postgres != nil), arguments: Backend.postgres.map { [$0] } ?? [])
    func postgresDeliveryRowsPerTargetMoveIntoTheAlert(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let t = Self.t
            try await Self.create(Self.alert("a-1"), targets: ["d-3", "d-1", "d-2"], in: h.store)
            try await Self.create(Self.alert("a-2", received: 1), targets: ["d-1"], in: h.store)
            try await h.store.recordDeliveries([
                ("a-1", AlertDelivery(displayId: "d-2", state: .shown, deliveredAt: t + 1, shownAt: t + 2, ackedAt: t + 3)),
                ("a-1", AlertDelivery(displayId: "d-3", state: .delivered, deliveredAt: t + 1)),
            ])
            func answers() async throws -> [[String]] {
                let deliveries = try await h.store.deliveries(alertId: "a-1") + h.store.deliveries(alertId: "a-2")
                let active = try await h.store.activeAlerts()
                return deliveries.map { [$0.displayId, $0.state.rawValue, "\($0.deliveredAt as Any)", "\($0.shownAt as Any)", "\($0.ackedAt as Any)"] }
                    + active.map { [$0.alert.id, $0.targets.joined(separator: ","), $0.shown.joined(separator: ",")] }
            }
            let before = try await answers()
            #expect(before.last == ["a-2", "d-1", ""])
            // Back to the layout before pg7: a row per target, the targets not in the alert.
            let store = try #require(h.store as? PostgresStore)
            try await store.client.query(
                "INSERT INTO alert_deliveries (alert_id, display_id, state) SELECT id, unnest(targets), 'pending' FROM alerts ON CONFLICT DO NOTHING")
            try await store.client.query("ALTER TABLE alerts DROP COLUMN targets")
            try await store.client.query("DELETE FROM schema_migrations WHERE name = 'pg7-targets-with-the-alert'")
            try await h.reopen()
            #expect(try await answers() == before)
            let reopened = try #require(h.store as? PostgresStore)
            let rows = try await reopened.client.query("SELECT count(*) FROM alert_deliveries").decode(Int.self).reduce(0, +)
            #expect(rows == 2)
        }
    }
}
