import Foundation
import Synchronization
import TentacleAgent
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

/// A panel whose temperature the test sets.
final class PanelThermometer: SensorSource {
    let celsius = Mutex(40.0)

    func readings(for display: Display, at date: Date, brightness: Double) -> [Reading] {
        [Reading(source: display.id, metric: "panel_temp_c", time: Reading.milliseconds(date), value: celsius.withLock { $0 })]
    }

    func lux(for display: Display, at date: Date) -> Double? { nil }
}

@Suite struct AlarmStoreTests {
    static func event(_ change: HealthAlarmEvent.Change, _ severity: AlarmSeverity, at time: Int64, value: Double = 70) -> HealthAlarmEvent {
        HealthAlarmEvent(display: "north-1", kind: .panelTemperature, change: change, severity: severity, time: time, value: value, message: "panel at \(value) °C")
    }

    @Test func anAlarmIsRaisedAcknowledgedReopenedByARiseAndClearedIntoHistory() async throws {
        try await Fixture.with { fixture in
            let store = fixture.store
            let raised = try #require(try await store.applyAlarmEvent(Self.event(.raised, .warning, at: 1000)))
            #expect(try await store.applyAlarmEvent(Self.event(.raised, .warning, at: 1500))?.id == raised.id, "one open alarm per display and kind")
            let acknowledged = try await store.acknowledgeAlarm(id: raised.id, by: "operator", at: 2000, audit: Fixture.event("alarm.acknowledge", "display", "north-1"))
            #expect(acknowledged.state == .acknowledged && acknowledged.acknowledgedBy == "operator")
            await #expect(throws: StoreError.self) {
                try await store.acknowledgeAlarm(id: raised.id, by: "operator", at: 2100, audit: Fixture.event("alarm.acknowledge", "display", "north-1"))
            }
            // Rising to critical asks for acknowledgement again; falling back does not.
            let critical = try #require(try await store.applyAlarmEvent(Self.event(.severityChanged, .critical, at: 3000, value: 80)))
            #expect(critical.state == .raised && critical.acknowledgedBy == nil && critical.severity == .critical)
            _ = try await store.acknowledgeAlarm(id: raised.id, by: "operator", at: 3500, audit: Fixture.event("alarm.acknowledge", "display", "north-1"))
            let warning = try #require(try await store.applyAlarmEvent(Self.event(.severityChanged, .warning, at: 4000, value: 68)))
            #expect(warning.state == .acknowledged && warning.severity == .warning)
            let cleared = try #require(try await store.applyAlarmEvent(Self.event(.cleared, .warning, at: 5000, value: 50)))
            #expect(cleared.state == .cleared && cleared.clearedAt == 5000 && cleared.raisedAt == 1000)
            #expect(try await store.openAlarms().isEmpty)
            #expect(try await store.alarms(AlarmQuery(includeCleared: true)).map(\.id) == [raised.id])
            #expect(try await store.applyAlarmEvent(Self.event(.cleared, .warning, at: 6000)) == nil)
            // Scoped lists hold only their districts' displays.
            _ = try await store.applyAlarmEvent(HealthAlarmEvent(display: "south-1", kind: .offline, change: .raised, severity: .critical, time: 7000, value: 10, message: "away"))
            #expect(try await store.alarms(AlarmQuery(scope: .only(["north"]))).isEmpty)
            #expect(try await store.alarms(AlarmQuery(scope: .only(["south"]))).map(\.display) == ["south-1"])
        }
    }
}

extension HeavyServerTests {
@Suite struct AlarmEndToEndTests {
    @Test(.timeLimit(.minutes(2)))
    func aHotPanelRaisesEscalatesIsAcknowledgedAndClearsAndADisplayThatStaysAwayIsOffline() async throws {
        try await Fixture.with { fixture in
            try await withLiveServer(fixture) { port in
                let client = LoopbackClient(port: port)
                let thermometer = PanelThermometer()
                let events = AgentEvents()
                let (agent, task) = try startAgent(port: port, token: Fixture.deviceToken, id: "north-1", events: events, clock: fixture.clock) { c in
                    c.healthInterval = .milliseconds(100)
                    c.sensors = thermometer
                }
                #expect(await eventually { await agent.isConnected })
                @Sendable func open() async throws -> [AlarmRecord] { try await fixture.store.alarms(AlarmQuery(display: "north-1")) }

                thermometer.celsius.withLock { $0 = 66 }
                fixture.clock.advance(by: 1)
                #expect(await eventually { (try? await open())?.first?.severity == .warning })
                thermometer.celsius.withLock { $0 = 78 }
                fixture.clock.advance(by: 1)
                #expect(await eventually { (try? await open())?.first?.severity == .critical })
                let alarm = try #require(try await open().first)
                #expect(alarm.kind == .panelTemperature && alarm.message.contains("78"), "\(alarm.message)")

                let listed = try await client.as_(.viewer, "GET", "/v1/alarms")
                #expect(listed.status == 200 && listed.text.contains("panelTemperature"), "\(listed.text)")
                #expect(try await client.as_(.viewer, "POST", "/v1/alarms/\(alarm.id)/acknowledge").status == 403)
                let acknowledged = try await client.as_(.operator, "POST", "/v1/alarms/\(alarm.id)/acknowledge")
                #expect(acknowledged.status == 200 && acknowledged.text.contains(#""state":"acknowledged""#), "\(acknowledged.text)")
                #expect(try await client.as_(.operator, "POST", "/v1/alarms/\(alarm.id)/acknowledge").status == 409)

                thermometer.celsius.withLock { $0 = 45 }
                fixture.clock.advance(by: 1)
                #expect(await eventually { (try? await open())?.isEmpty == true })
                let history = try await client.as_(.viewer, "GET", "/v1/alarms?state=all&display=north-1")
                #expect(history.text.contains(#""state":"cleared""#), "\(history.text)")

                // The display goes away: offline once it has been away for ten minutes.
                task.cancel()
                await task.value
                // The server has seen the channel close (and noted the time) once its gauge says so.
                #expect(await eventually {
                    (try? await client.send("GET", "/metrics", token: nil))?.text.contains("tentacle_channel_open 0") == true
                })
                fixture.clock.advance(by: 9 * 60)
                try await Task.sleep(for: .milliseconds(1500))
                #expect(try await open().isEmpty)
                fixture.clock.advance(by: 61)
                #expect(await eventually { (try? await open())?.first?.kind == .offline })
            }
        }
    }
}
}
