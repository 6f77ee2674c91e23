import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("Alarm repository contract")
struct AlarmRepositoryTests {
    static let t0: Int64 = 1_767_225_600_000

    static func event(
        _ display: String, _ change: HealthAlarmEvent.Change, _ severity: AlarmSeverity = .warning, kind: HealthAlarmKind = .panelTemperature,
        at time: Int64 = t0, value: Double = 71.5
    ) -> HealthAlarmEvent {
        HealthAlarmEvent(display: display, kind: kind, change: change, severity: severity, time: time, value: value, message: "panel at \(value) °C")
    }

    @Test(arguments: Backend.all)
    func alarmsAreRaisedEscalatedAcknowledgedAndCleared(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            let raised = try #require(try await s.applyAlarmEvent(Self.event("d-1", .raised)))
            #expect(raised.state == .raised)
            #expect(raised.event == Self.event("d-1", .raised))
            #expect(try await s.alarm(id: raised.id) == raised)
            #expect(try await s.alarm(id: raised.id + 100) == nil)
            // One open alarm per display and kind: raising it again leaves the open one as it is.
            #expect(try await s.applyAlarmEvent(Self.event("d-1", .raised, .critical, at: Self.t0 + 5)) == raised)
            #expect(try await s.applyAlarmEvent(Self.event("d-2", .severityChanged)) == nil)
            #expect(try await s.applyAlarmEvent(Self.event("d-2", .cleared)) == nil)

            let acknowledged = try await s.acknowledgeAlarm(id: raised.id, by: "kim", at: Self.t0 + 10, audit: audit("alarm.acknowledge", "alarm", "\(raised.id)"))
            #expect(acknowledged.state == .acknowledged)
            #expect(acknowledged.acknowledgedBy == "kim")
            #expect(acknowledged.acknowledgedAt == Self.t0 + 10)
            #expect(try await s.alarm(id: raised.id) == acknowledged)
            let twice = await #expect(throws: StoreError.self) {
                try await s.acknowledgeAlarm(id: raised.id, by: "kim", at: Self.t0 + 11, audit: audit("alarm.acknowledge", "alarm", "\(raised.id)"))
            }
            #expect(twice?.code == .conflict)
            let unknown = await #expect(throws: StoreError.self) {
                try await s.acknowledgeAlarm(id: raised.id + 100, by: "kim", at: Self.t0, audit: audit("alarm.acknowledge", "alarm", "none"))
            }
            #expect(unknown?.code == .notFound)

            // A change within warning keeps the acknowledgement; a rise to critical asks for it again.
            let warmer = try #require(try await s.applyAlarmEvent(Self.event("d-1", .severityChanged, .warning, at: Self.t0 + 20, value: 73)))
            #expect(warmer.state == .acknowledged)
            #expect(warmer.value == 73)
            #expect(warmer.acknowledgedBy == acknowledged.acknowledgedBy)
            let critical = try #require(try await s.applyAlarmEvent(Self.event("d-1", .severityChanged, .critical, at: Self.t0 + 30, value: 80)))
            #expect(critical.state == .raised)
            #expect(critical.severity == .critical)
            #expect(critical.acknowledgedBy == nil)
            #expect(critical.event == Self.event("d-1", .severityChanged, .critical, at: Self.t0 + 30, value: 80))
            #expect(try await s.alarm(id: raised.id) == critical)

            let cleared = try #require(try await s.applyAlarmEvent(Self.event("d-1", .cleared, .critical, at: Self.t0 + 40)))
            #expect(cleared.state == .cleared)
            #expect(cleared.clearedAt == Self.t0 + 40)
            #expect(try await s.alarm(id: raised.id) == cleared)
            #expect(try await s.openAlarms().isEmpty)
            let late = await #expect(throws: StoreError.self) {
                try await s.acknowledgeAlarm(id: raised.id, by: "kim", at: Self.t0 + 50, audit: audit("alarm.acknowledge", "alarm", "\(raised.id)"))
            }
            #expect(late?.code == .conflict)

            // Once cleared, the next raise is a new alarm.
            let again = try #require(try await s.applyAlarmEvent(Self.event("d-1", .raised, at: Self.t0 + 60)))
            #expect(again.id > raised.id)
            #expect(try await s.openAlarms() == [again])
            #expect(try await s.auditEntries(AuditQuery(action: "alarm.acknowledge")).count == 1)
        }
    }

    @Test(arguments: Backend.all)
    func alarmsAreListedNewestFirstForTheDisplaysInScope(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            try await s.createDisplay(makeDisplay("n-1", district: "north"), audit: audit("display.create", "n-1"))
            try await s.createDisplay(makeDisplay("s-1", district: "south"), audit: audit("display.create", "s-1"))
            let north = try #require(try await s.applyAlarmEvent(Self.event("n-1", .raised)))
            let south = try #require(try await s.applyAlarmEvent(Self.event("s-1", .raised)))
            let offline = try #require(try await s.applyAlarmEvent(Self.event("n-1", .raised, .critical, kind: .offline, value: 12)))
            let cleared = try #require(try await s.applyAlarmEvent(Self.event("s-1", .cleared, at: Self.t0 + 1)))

            #expect(try await s.openAlarms() == [north, offline])
            #expect(try await s.alarms(AlarmQuery()) == [offline, north])
            #expect(try await s.alarms(AlarmQuery(includeCleared: true)) == [offline, cleared, north])
            #expect(try await s.alarms(AlarmQuery(includeCleared: true, limit: 2)) == [offline, cleared])
            #expect(try await s.alarms(AlarmQuery(display: "n-1")) == [offline, north])
            #expect(try await s.alarms(AlarmQuery(display: "s-1", includeCleared: true)) == [cleared])
            #expect(try await s.alarms(AlarmQuery(includeCleared: true, scope: .only(["south"]))) == [cleared])
            #expect(try await s.alarms(AlarmQuery(display: "n-1", scope: .only(["south", "east"]))) == [])
            #expect(try await s.alarms(AlarmQuery(includeCleared: true, scope: .only([]))) == [])
            #expect(south.id == cleared.id)
        }
    }
}
