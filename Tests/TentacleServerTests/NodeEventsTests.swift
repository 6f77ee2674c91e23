import Foundation
import HTTPTypes
import Logging
import Synchronization
import TentacleAgent
import TentacleBench
import TentacleCore
import TentacleServer
import TentacleSimulation
import TentacleStore
import Testing

/// Two `tentacle serve` processes on one PostgreSQL database, with real agents connected to each:
/// what happens on one node reaches the displays and the operators of the other (LISTEN/NOTIFY).
extension HeavyServerTests {
@Suite("Live events between nodes", .serialized)
struct NodeEventsTests {
    static let quiet: Logger = {
        var logger = Logger(label: "nodes-test")
        logger.logLevel = .critical
        return logger
    }()

    /// Alerts, cancels, acknowledgements, commands, registry changes and live readings pass between the nodes.
    @Test(.enabled(if: PostgresServerTests.server != nil), .timeLimit(.minutes(3)))
    func whatHappensOnOneNodeReachesTheDisplaysAndOperatorsOfTheOther() async throws {
        try await PostgresServerTests.withDatabase("events") { url, folder in
            let seeded = try await Self.seed(url: url, displays: 4)
            let a = try ServerProcess(executable: try ServerProcess.executable(), data: folder.appendingPathComponent("a"),
                                      log: folder.appendingPathComponent("a.log"), extra: ["--database", url, "--database-pool", "4"])
            defer { a.sigkill() }
            let b = try ServerProcess(executable: try ServerProcess.executable(), data: folder.appendingPathComponent("b"),
                                      log: folder.appendingPathComponent("b.log"), extra: ["--database", url, "--database-pool", "4"])
            defer { b.sigkill() }
            let onA = try await NGSIProcessTests.Session(a), onB = try await NGSIProcessTests.Session(b)

            // Displays 0 and 1 on node A, 2 and 3 on node B.
            let events = AgentEvents()
            let fleet = try Fleet(
                servers: [0: onA.port, 1: onA.port, 2: onB.port, 3: onB.port].mapValues { "http://127.0.0.1:\($0)" },
                seeded: seeded, events: events)
            defer { fleet.stop() }
            try await NGSIProcessTests.wait("every display connected", within: .seconds(30)) {
                events.displays { $0 == .connected }.count == 4
            }

            // An alert posted on A reaches the displays on B as fast as those on A.
            let started = ContinuousClock.now
            let posted = try await LoopbackRequest.send(
                port: onA.port, "POST", "/v1/alerts", token: seeded.alerterToken, body: Array(BenchAlertDocuments.alert("nodes-1").utf8),
                contentType: "application/cap+xml")
            #expect(posted.status == 201, "\(String(decoding: posted.body, as: UTF8.self))")
            try await NGSIProcessTests.wait("every display showing the alert", within: .seconds(10)) {
                events.displays { $0 == .alertShown("nodes-1") }.count == 4
            }
            let reached = ContinuousClock.now - started
            #expect(reached < .seconds(3), "the alert reached the displays on both nodes in \(reached)")
            // Both nodes answer for every acknowledgement.
            for session in [onA, onB] {
                try await NGSIProcessTests.wait("4 displays shown on port \(session.port)", within: .seconds(10)) {
                    let (status, body) = try await session.send(.get, "/v1/alerts/nodes-1")
                    return status == .ok && body.contains(#""shown":4"#)
                }
            }

            // A cancel posted on B clears it on A's displays too.
            let cancel = try await LoopbackRequest.send(
                port: onB.port, "POST", "/v1/alerts", token: seeded.alerterToken, body: Array(BenchAlertDocuments.cancel("nodes-1").utf8),
                contentType: "application/cap+xml")
            #expect(cancel.status == 201)
            try await NGSIProcessTests.wait("every display clearing the alert", within: .seconds(10)) {
                events.displays { $0 == .alertCleared("nodes-1") }.count == 4
            }

            // A command sent on A reaches a display connected to B; A's history learns the result.
            let target = seeded.devices[2].id
            // A's registry says where the display is: online, through another node.
            try await NGSIProcessTests.wait("the display online in the registry", within: .seconds(10)) {
                try await onA.send(.get, "/v1/displays/\(target)").1.contains(#""status":"online""#)
            }
            let (sent, record) = try await onA.send(.post, "/v1/displays/\(target)/commands", #"{"command": "brightness", "level": 40}"#)
            #expect(sent == .accepted, "\(record)")
            try await NGSIProcessTests.wait("the display on B at 40 %", within: .seconds(10)) { await fleet.agents[2].currentBrightness == 40 }
            try await NGSIProcessTests.wait("A's history saying done", within: .seconds(10)) {
                try await onA.send(.get, "/v1/displays/\(target)/commands").1.contains(#""state":"done""#)
            }

            // Readings stored on B are in A's live stream.
            let now = ISO8601DateFormatter().string(from: Date())
            let (stored, answer) = try await onB.send(
                .post, "/v1/readings", #"{"source": "\#(seeded.devices[0].id)", "sequence": 1, "readings": [{"metric": "pm25", "time": "\#(now)", "value": 17.5}]}"#)
            #expect(stored == .created, "\(answer)")
            try await NGSIProcessTests.wait("A's live stream holding B's reading", within: .seconds(10)) {
                try await onA.send(.get, "/v1/events?topics=readings&limit=0").1.contains(#""value":17.5"#)
            }

            // A display renamed on A gets its new record on B; a token revoked on A closes its channel on B.
            let renamed = seeded.devices[3].id
            let (changed, _) = try await onA.send(.patch, "/v1/displays/\(renamed)", #"{"name": "Renamed on A"}"#)
            #expect(changed == .ok)
            try await NGSIProcessTests.wait("the display on B renamed", within: .seconds(10)) {
                fleet.agents[3].cache.display?.name == "Renamed on A"
            }
            let (revoked, _) = try await onA.send(.delete, "/v1/displays/\(renamed)/credentials")
            #expect(revoked == .noContent)
            try await NGSIProcessTests.wait("the display on B disconnected", within: .seconds(10)) { await !fleet.agents[3].isConnected }
        }
    }

    // MARK: - Helpers

    /// Opens the test database once (running the migrations) and writes the bench city into it.
    static func seed(url: String, displays: Int) async throws -> ChannelBenchSeed.Seeded {
        let store = try await PostgresStore(location: try PostgresLocation(url: url), poolSize: 4, logger: quiet)
        defer { Task { await store.close() } }
        // The admin the sessions sign in as; `serve` makes none on a database that has users.
        var configuration = ServerConfiguration()
        configuration.initialAdminPassword = ServerProcess.password
        configuration.bcryptCost = 4
        _ = try await ensureAdmin(store: store, configuration: configuration)
        return try await ChannelBenchSeed.seed(store: store, displays: displays)
    }

    /// Real agents for the seeded displays, each connecting to the server given for its index.
    final class Fleet: Sendable {
        let agents: [Agent]
        private let running: Task<Void, Never>

        init(servers: [Int: String], seeded: ChannelBenchSeed.Seeded, events: AgentEvents, logger: Logger = NodeEventsTests.quiet) throws {
            var agents: [Agent] = []
            for (i, device) in seeded.devices.enumerated() {
                guard let server = servers[i] ?? servers[-1] else { continue }
                let simulator = Simulator(
                    server: server, devices: [SimulatedDevice(id: device.id, token: device.token)], fps: 0, readingsInterval: nil,
                    healthInterval: .seconds(3600), logger: logger, events: { events.record($0)($1) })
                agents += try simulator.makeAgents()
            }
            self.agents = agents
            running = Simulator.start(agents)
        }

        func stop() { running.cancel() }
    }
}
}
