import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import TentacleAgent
import TentacleCore
@testable import TentacleServer
import TentacleSimulation
import TentacleStore
import Testing

/// A webhook endpoint on loopback that answers 503 to its first `failures` calls, then 200.
final class WebhookReceiver: Sendable {
    private let state: Mutex<(failures: Int, calls: Int, bodies: [String])>

    init(failures: Int) { state = Mutex((failures, 0, [])) }

    var calls: Int { state.withLock { $0.calls } }
    var bodies: [String] { state.withLock { $0.bodies } }

    func run(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let ok = self.state.withLock { s -> Bool in
                s.calls += 1
                if s.calls <= s.failures { return false }
                s.bodies.append(text)
                return true
            }
            return Response(status: ok ? .ok : .serviceUnavailable)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0); continuation.finish() },
            logger: Logger(label: "webhook", factory: { _ in SwiftLogNoOpLogHandler() }))
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ReceiverError() }
        try await body("http://127.0.0.1:\(port)/hook")
    }
}

@Suite struct RuleAPITests {
    static func body(
        _ id: String, district: String = "north", layout: String? = "lay-warn", radius: Double? = 500, webhook: String? = nil,
        forSeconds: Int = 120, extra: String = ""
    ) -> String {
        var actions: [String] = []
        if let layout { actions.append(#""layoutId": "\#(layout)""#) }
        if let radius { actions.append(#""radiusMeters": \#(radius)"#) }
        if let webhook { actions.append(#""webhook": "\#(webhook)""#) }
        return #"""
            {"id": "\#(id)", "name": "Dirty air \#(id)", "condition": {"metric": "pm25", "threshold": 75, "forSeconds": \#(forSeconds),
             "clearThreshold": 55, "clearForSeconds": 120, "area": {"districts": ["\#(district)"]}\#(extra)}, "actions": {\#(actions.joined(separator: ", "))}}
            """#
    }

    @Test func rulesAreCheckedFieldByFieldAndNothingIsStoredOtherwise() async throws {
        try await Fixture.with { fixture in
            try await fixture.addLayout("lay-warn")
            try await fixture.test { api in
                let cases: [(String, String)] = [
                    (Self.body("r1", layout: "nope"), "actions.layoutId"),
                    (Self.body("r1", district: "atlantis"), "condition.area.districts[0]"),
                    (Self.body("r1", radius: 0), "actions.radiusMeters"),
                    (Self.body("r1", webhook: "ftp://example.org/x"), "actions.webhook"),
                    (Self.body("r1", layout: nil, radius: nil), "actions"),
                    (Self.body("Bad Id"), "id"),
                    (Self.body("r1", extra: #", "windowSeconds": 90"#), "condition.windowSeconds"),
                    (Self.body("r1").replacingOccurrences(of: #""clearThreshold": 55"#, with: #""clearThreshold": 80"#), "condition.clearThreshold"),
                ]
                for (json, field) in cases {
                    let r = try await api.send(.post, "/v1/rules", as: .role(.operator), json: json)
                    #expect(r.status == .unprocessableContent, "\(field): \(r.text)")
                    #expect(r.text.contains(#""field":"\#(field)""#) || r.text.contains(#""field": "\#(field)""#), "\(field): \(r.text)")
                }
                let unknown = try await api.send(.post, "/v1/rules", as: .role(.operator), json: Self.body("r1", extra: #", "colour": "red""#))
                #expect(unknown.status == .badRequest && unknown.text.contains("condition.colour"), "\(unknown.text)")
                #expect(try await fixture.store.rules().isEmpty)
            }
        }
    }

    @Test func aRuleActsOnlyOnceASecondPersonApprovedItAndAnEditNeedsApprovalAgain() async throws {
        try await Fixture.with { fixture in
            try await fixture.addLayout("lay-warn")
            try await fixture.test { api in
                let created = try await api.send(.post, "/v1/rules", as: .role(.operator), json: Self.body("pm25-north"))
                #expect(created.status == .created, "\(created.text)")
                #expect(created.text.contains(#""state":"pending""#))
                #expect(try await api.send(.post, "/v1/rules/pm25-north/approve", as: .role(.publisher)).status == .forbidden)
                let approved = try await api.send(.post, "/v1/rules/pm25-north/approve", as: .role(.approver))
                #expect(approved.status == .ok && approved.text.contains(#""state":"approved""#), "\(approved.text)")
                #expect(try await api.send(.post, "/v1/rules/pm25-north/approve", as: .role(.approver)).status == .conflict)

                // The admin edits it: pending again, and the admin may not approve their own edit.
                let edited = try await api.send(.put, "/v1/rules/pm25-north", as: .role(.admin), json: Self.body("pm25-north", forSeconds: 300))
                #expect(edited.status == .ok && edited.text.contains(#""state":"pending""#), "\(edited.text)")
                let own = try await api.send(.post, "/v1/rules/pm25-north/approve", as: .role(.admin))
                #expect(own.status == .forbidden && own.text.contains("author"), "\(own.text)")
                #expect(try await api.send(.post, "/v1/rules/pm25-north/approve", as: .role(.approver)).status == .ok)
                let audit = try await fixture.store.auditEntries(AuditQuery(objectType: "rule", limit: 10)).map(\.action)
                #expect(audit.sorted() == ["rule.approve", "rule.approve", "rule.create", "rule.edit"])
                #expect(try await api.send(.delete, "/v1/rules/pm25-north", as: .role(.publisher)).status == .noContent)
                #expect(try await api.send(.get, "/v1/rules/pm25-north").status == .notFound)
            }
        }
    }

    @Test func scopedUsersWatchOnlyTheirDistricts() async throws {
        try await Fixture.with { fixture in
            try await fixture.addLayout("lay-warn")
            try await fixture.test { api in
                // The fixture's scoped publisher works in north.
                let own = try await api.send(.post, "/v1/rules", as: .user("publisher-north"), json: Self.body("own", district: "north"))
                #expect(own.status == .created, "\(own.text)")
                let other = try await api.send(.post, "/v1/rules", as: .user("publisher-north"), json: Self.body("other", district: "south"))
                #expect(other.status == .forbidden, "\(other.text)")
                #expect(try await api.send(.post, "/v1/rules", as: .role(.admin), json: Self.body("south-only", district: "south")).status == .created)
                let listed = try await api.send(.get, "/v1/rules", as: .user("publisher-north")).text
                #expect(listed.contains(#""own""#) && !listed.contains("south-only"))
                #expect(try await api.send(.get, "/v1/rules/south-only", as: .user("publisher-north")).status == .notFound)
            }
        }
    }
}

extension HeavyServerTests {
@Suite struct RuleEndToEndTests {
    /// Readings of pm25 by display north-1, six a minute, and the clock set to the last of them.
    static func post(_ client: LoopbackClient, _ fixture: Fixture, minute: Int, value: Double, base: Int64) async throws {
        let times = (0..<6).map { base + Int64(minute) * 60_000 + Int64($0) * 10_000 }
        let target = Date(timeIntervalSince1970: Double(times.last!) / 1000)
        fixture.clock.advance(by: target.timeIntervalSince(fixture.clock.now))
        let readings = times.map { #"{"metric": "pm25", "time": \#($0), "value": \#(value)}"# }.joined(separator: ", ")
        let reply = try await client.as_(.operator, "POST", "/v1/readings", json: #"{"source": "north-1", "sequence": \#(minute), "readings": [\#(readings)]}"#)
        #expect(reply.status == 201, "\(reply.text)")
    }

    @Test(.timeLimit(.minutes(2)))
    func anEpisodeShowsTheWarningNearItsSourceAndRecoveryEndsItWithWebhooksDelivered() async throws {
        try await Fixture.with { fixture in
            try await fixture.addLayout("lay-warn")
            try await fixture.addDisplay("north-far", district: "north", lat: 52.6, lon: 13.4)
            let receiver = WebhookReceiver(failures: 1)
            try await receiver.run { hook in
                try await withLiveServer(fixture) { port in
                    let client = LoopbackClient(port: port)
                    let events = AgentEvents()
                    let (agent, task) = try startAgent(port: port, token: Fixture.deviceToken, id: "north-1", events: events, clock: fixture.clock)
                    defer { task.cancel() }
                    #expect(await eventually { await agent.isConnected })

                    let created = try await client.as_(.operator, "POST", "/v1/rules", json: RuleAPITests.body("pm25", webhook: hook))
                    #expect(created.status == 201, "\(created.text)")
                    #expect(try await client.as_(.approver, "POST", "/v1/rules/pm25/approve").status == 200)

                    let base = (Reading.milliseconds(fixture.clock.now) / 60_000 + 1) * 60_000
                    for minute in 0..<3 { try await Self.post(client, fixture, minute: minute, value: 92, base: base) }
                    // Windows 0 and 1 above 75 for 120 s: raised as minute 2 begins.
                    #expect(await eventually { (try? await fixture.store.campaignHistory(id: "rule-pm25").last)?.state == .approved })
                    let shown = try #require(try await fixture.store.campaignHistory(id: "rule-pm25").last)
                    #expect(shown.campaign.target.displayIds == ["north-1", "north-2", "south-1"], "within 500 m of north-1; north-far is 11 km away")
                    #expect(shown.campaign.priority == CityRule.Actions.defaultPriority)
                    #expect(await eventually { await agent.playing?.campaignId == "rule-pm25" })
                    let raised = try #require(try await fixture.store.rule(id: "pm25"))
                    #expect(raised.raisedSources == ["north-1"] && raised.raisedAt == base + 120_000)

                    for minute in 3..<6 { try await Self.post(client, fixture, minute: minute, value: 40, base: base) }
                    // Windows 3 and 4 at or below 55: cleared at the end of window 4.
                    #expect(await eventually { (try? await fixture.store.campaignHistory(id: "rule-pm25"))?.isEmpty == true })
                    #expect(await eventually { await agent.playing?.campaignId != "rule-pm25" })
                    let recorded = try await fixture.store.ruleEvents(rule: "pm25", limit: 10)
                    #expect(recorded.map(\.kind) == ["cleared", "raised"])
                    #expect(recorded.map(\.time) == [base + 300_000, base + 120_000])

                    // The first call was refused (503) and retried after its backoff.
                    fixture.clock.advance(by: 5)
                    #expect(await eventually(timeout: .seconds(20)) { receiver.bodies.count == 2 })
                    #expect(receiver.bodies.map { $0.contains(#""event":"raised""#) } == [true, false])
                    #expect(receiver.bodies.last?.contains(#""event":"cleared""#) == true)
                    // The endpoint answers before the sender records the attempt: wait for the record.
                    #expect(await eventually { (try? await fixture.store.webhookDeliveries(rule: "pm25", limit: 10))?.allSatisfy { $0.state == .delivered } == true })
                    let deliveries = try await fixture.store.webhookDeliveries(rule: "pm25", limit: 10)
                    #expect(deliveries.map(\.state) == [.delivered, .delivered])
                    #expect(deliveries.map(\.attempts).sorted() == [1, 2])
                }
            }
        }
    }

    /// The simulator puts dirty air on district north for four minutes; the clock moves in 5 s
    /// steps and stops as soon as the rule is raised, so the warning's delay is measured in the
    /// simulation's own time.
    @Test(.timeLimit(.minutes(2)))
    func aSimulatedEpisodeInOneDistrictWarnsTheScreensNearItWithinItsDurationAndClearsAfterRecovery() async throws {
        try await Fixture.with { fixture in
            try await fixture.addLayout("lay-warn")
            try await fixture.addDisplay("north-far", district: "north", lat: 52.6, lon: 13.4)
            let base = (Reading.milliseconds(fixture.clock.now) / 60_000 + 1) * 60_000
            let at: @Sendable (Int64) -> Date = { ms in Date(timeIntervalSince1970: Double(ms) / 1000) }
            let episode = PollutionEpisode(district: "north", start: at(base + 60_000), end: at(base + 300_000), pm25: 150)
            try await withLiveServer(fixture) { port in
                let client = LoopbackClient(port: port)
                let created = try await client.as_(.operator, "POST", "/v1/rules", json: RuleAPITests.body("pm25"))
                #expect(created.status == 201, "\(created.text)")
                #expect(try await client.as_(.approver, "POST", "/v1/rules/pm25/approve").status == 200)
                let (agent, task) = try startAgent(port: port, token: Fixture.deviceToken, id: "north-1", events: AgentEvents(), clock: fixture.clock, fps: 10) { c in
                    c.sensors = SimulatedSensors(seed: 3, episodes: [episode])
                    c.readingsInterval = .milliseconds(40)
                }
                defer { task.cancel() }
                #expect(await eventually { await agent.isConnected })

                /// Moves the clock on in 5 s steps until `until` holds or `limit` (ms) is reached.
                func step(until done: @Sendable () async -> Bool, limit: Int64) async -> Bool {
                    while Reading.milliseconds(fixture.clock.now) < limit {
                        if await done() { return true }
                        fixture.clock.advance(by: 5)
                        try? await Task.sleep(for: .milliseconds(60))
                    }
                    return await done()
                }
                fixture.clock.advance(by: at(base).timeIntervalSince(fixture.clock.now))
                let raised = await step(until: { (try? await fixture.store.campaignHistory(id: "rule-pm25").isEmpty) == false }, limit: base + 240_000)
                #expect(raised)
                #expect(await eventually { await agent.playing?.campaignId == "rule-pm25" })
                let shownAt = Reading.milliseconds(fixture.clock.now)
                // Two 1-minute windows above 75 from the episode's start: raised at +120 s, shown within 5 s.
                #expect(shownAt - (base + 60_000) <= 125_000, "shown \(shownAt - base - 60_000) ms after the episode began")
                #expect(try await fixture.store.rule(id: "pm25")?.raisedAt == base + 180_000)

                let cleared = await step(until: { await agent.playing?.campaignId != "rule-pm25" }, limit: base + 600_000)
                #expect(cleared)
                let clearedAt = Reading.milliseconds(fixture.clock.now)
                // Clean air from +300 s: two windows at or below 55 clear the rule at +420 s.
                #expect(clearedAt >= base + 420_000 && clearedAt <= base + 430_000, "cleared at +\((clearedAt - base) / 1000) s")
                #expect(try await fixture.store.ruleEvents(rule: "pm25", limit: 10).map(\.time) == [base + 420_000, base + 180_000])
            }
        }
    }
}
}

private struct ReceiverError: Error, CustomStringConvertible {
    var description: String { "the receiver did not start" }
}
