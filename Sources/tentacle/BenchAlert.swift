import Foundation
import TentacleAgent
import TentacleBench
import TentacleCore
import TentacleServer
import TentacleSimulation
import TentacleStore

/// `tentacle bench alert`: from the POST of a CAP alert until every targeted display has drawn it
/// and acknowledged, at 1,000 displays and at `--displays`, next to a bare hummingbird-websocket
/// broadcast-and-reply to the same number of connections measured in the same run.
enum AlertBenchmark {
    static func run(displays: Int, rounds: Int) async throws -> [BenchmarkFigure] {
        var figures: [BenchmarkFigure] = []
        for size in Set([min(1000, displays), displays]).sorted() {
            let options = ChannelBenchmark.Options(displays: size, rounds: rounds)
            let bare = try await ChannelBenchmark.measureBare(options)
            let (latencies, answers, lasts) = try await measure(options)
            let broadcast = ChannelBenchmark.median(bare.broadcasts)
            let p = ChannelBenchmark.percentiles(latencies)
            for (name, value) in [("p50", p.p50), ("p99", p.p99), ("max", p.max)] {
                figures.append(BenchmarkFigure(
                    bench: "alert", figure: "all_acknowledged_\(name)_s_\(size)", value: value, unit: "s",
                    baseline: "bare_broadcast_all_replied_s_\(size)", baselineValue: broadcast, higherIsBetter: false))
            }
            // The round's last acknowledgement, the median round: what the baseline's figure is.
            figures.append(BenchmarkFigure(
                bench: "alert", figure: "last_acknowledged_median_round_s_\(size)", value: ChannelBenchmark.median(lasts), unit: "s",
                baseline: "bare_broadcast_all_replied_s_\(size)", baselineValue: broadcast, higherIsBetter: false))
            // How long the POST itself takes (parse, target, store durably, hand to the channels).
            figures.append(BenchmarkFigure(
                bench: "alert", figure: "post_answered_p50_s_\(size)", value: ChannelBenchmark.median(answers), unit: "s", higherIsBetter: false))
        }
        return figures
    }

    /// Every display's delay from POST to its acknowledgement over `rounds` alerts, and the POST's own durations.
    static func measure(_ options: ChannelBenchmark.Options) async throws -> (latencies: [Double], answers: [Double], lasts: [Double]) {
        let city = try await ChannelBenchmark.City(displays: options.displays)
        defer { city.stop() }
        try await city.connect()
        let measured = try await measure(rounds: options.rounds, port: city.port, seeded: city.seeded, watch: city.watch)
        return (measured.latencies, measured.answers, measured.lasts)
    }

    /// Alerts posted to `port`, each until every seeded display acknowledged it, then cancelled.
    static func measure(
        rounds: Int, port: Int, seeded: ChannelBenchSeed.Seeded, watch: ChannelBenchmark.Watch, elsewhere: Set<String> = []
    ) async throws -> (latencies: [Double], answers: [Double], elsewhere: [Double], lasts: [Double]) {
        let city = (port: port, seeded: seeded, watch: watch)
        let options = (rounds: rounds, displays: seeded.devices.count)
        let targets = city.seeded.devices.count
        var latencies: [Double] = [], answers: [Double] = [], other: [Double] = [], lasts: [Double] = []
        for round in 1...options.rounds {
            let id = "bench-alert-\(round)"
            let start = ContinuousClock.now
            let posted = try await LoopbackRequest.send(
                port: city.port, "POST", "/v1/alerts", token: city.seeded.alerterToken, body: Array(BenchAlertDocuments.alert(id).utf8), contentType: "application/cap+xml")
            let answered = ContinuousClock.now - start
            answers.append(Double(answered.components.seconds) + Double(answered.components.attoseconds) / 1e18)
            guard posted.status == 201 else {
                throw AgentError("posting the alert failed: \(posted.status) \(String(decoding: posted.body.prefix(300), as: UTF8.self))")
            }
            try await ChannelBenchmark.waitUntil(seconds: 60) { city.watch.shownCount(id) >= targets }
            let round = city.watch.shown(id, since: start)
            latencies += round
            lasts.append(round.max() ?? 0)
            if !elsewhere.isEmpty { other += city.watch.shown(id, since: start, of: elsewhere) }
            // Clear it before the next round, so each round starts from normal play.
            let cancel = try await LoopbackRequest.send(
                port: city.port, "POST", "/v1/alerts", token: city.seeded.alerterToken, body: Array(BenchAlertDocuments.cancel(id).utf8),
                contentType: "application/cap+xml")
            guard cancel.status == 201 else { throw AgentError("cancelling the alert failed: \(cancel.status)") }
            try await ChannelBenchmark.waitUntil(seconds: 60) { city.watch.cleared(id) >= targets }
            try await Task.sleep(for: .milliseconds(300))
        }
        return (latencies, answers, other, lasts)
    }

    /// `--nodes N`: the same alert rounds with the displays spread over N `serve` nodes on one
    /// PostgreSQL database, posted to the first node, next to the bare broadcast to as many connections.
    static func run(displays: Int, rounds: Int, nodes: Int, database: String) async throws -> [BenchmarkFigure] {
        let options = ChannelBenchmark.Options(displays: displays, rounds: rounds)
        let bare = try await ChannelBenchmark.measureBare(options)
        let server = try PostgresLocation(url: database)
        let admin = try await PostgresStore.Admin(server)
        let name = "tentacle_bench_alert_\(UInt32.random(in: 0...UInt32.max))"
        try await admin.createDatabase(name)
        defer { Task { try? await admin.dropDatabase(name); await admin.close() } }
        let city = try await NodeCity(database: server.with(database: name), displays: displays, nodes: nodes)
        defer { city.stop() }
        try await city.connect()
        // Displays on the other nodes hear of the alert through PostgreSQL, not from the node it was posted to.
        let elsewhere = Set(city.seeded.devices.enumerated().filter { $0.offset % nodes != 0 }.map(\.element.id))
        let (latencies, answers, other, lasts) = try await measure(
            rounds: rounds, port: city.ports[0], seeded: city.seeded, watch: city.watch, elsewhere: elsewhere)
        let broadcast = ChannelBenchmark.median(bare.broadcasts)
        let p = ChannelBenchmark.percentiles(latencies)
        var figures: [BenchmarkFigure] = []
        for (label, value) in [("p50", p.p50), ("p99", p.p99), ("max", p.max)] {
            figures.append(BenchmarkFigure(
                bench: "alert", figure: "all_acknowledged_\(label)_s_\(displays)_over_\(nodes)_nodes", value: value, unit: "s",
                baseline: "bare_broadcast_all_replied_s_\(displays)", baselineValue: broadcast, higherIsBetter: false))
        }
        figures.append(BenchmarkFigure(
            bench: "alert", figure: "last_acknowledged_median_round_s_\(displays)_over_\(nodes)_nodes", value: ChannelBenchmark.median(lasts), unit: "s",
            baseline: "bare_broadcast_all_replied_s_\(displays)", baselineValue: broadcast, higherIsBetter: false))
        let q = ChannelBenchmark.percentiles(other)
        for (label, value) in [("p50", q.p50), ("max", q.max)] {
            figures.append(BenchmarkFigure(
                bench: "alert", figure: "other_nodes_acknowledged_\(label)_s_\(displays)_over_\(nodes)_nodes", value: value, unit: "s",
                baseline: "bare_broadcast_all_replied_s_\(displays)", baselineValue: broadcast, higherIsBetter: false))
        }
        figures.append(BenchmarkFigure(
            bench: "alert", figure: "post_answered_p50_s_\(displays)_over_\(nodes)_nodes", value: ChannelBenchmark.median(answers), unit: "s",
            higherIsBetter: false))
        return figures
    }

    /// `serve` children on one PostgreSQL database seeded with the bench city, and a real agent
    /// per display, connected to the nodes in turn.
    final class NodeCity {
        let seeded: ChannelBenchSeed.Seeded
        let children: [ChildProcess]
        let ports: [Int]
        let watch = ChannelBenchmark.Watch()
        let folder: URL
        private var running: Task<Void, Never>?

        init(database: PostgresLocation, displays: Int, nodes: Int) async throws {
            let store = try await PostgresStore(location: database, poolSize: 4, logger: ChannelBenchmark.quiet)
            seeded = try await ChannelBenchSeed.seed(store: store, displays: displays)
            await store.close()
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-bench-nodes-\(UUID().uuidString)")
            var children: [ChildProcess] = [], ports: [Int] = []
            for node in 0..<nodes {
                let child = try ChildProcess.start([
                    "serve", "--database", Self.url(database), "--database-pool", "8", "--data", folder.appendingPathComponent("node-\(node)").path,
                    "--bcrypt-cost", "4", "--log-level", "error", "--port", "0",
                ])
                children.append(child)
                ports.append(try await child.port(prefix: "Tentacle http://127.0.0.1:"))
            }
            self.children = children
            self.ports = ports
        }

        /// The URL with its password, for the children's command line (never printed).
        static func url(_ location: PostgresLocation) -> String {
            func escaped(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? text }
            let password = location.password.map { ":" + escaped($0) } ?? ""
            return "postgres://\(escaped(location.user))\(password)@\(location.host):\(location.port)/\(location.database)?sslmode=\(location.tls.rawValue)"
        }

        func connect() async throws {
            let watch = self.watch
            var agents: [Agent] = []
            for (node, port) in ports.enumerated() {
                let devices = seeded.devices.enumerated().filter { $0.offset % ports.count == node }.map { SimulatedDevice(id: $0.element.id, token: $0.element.token) }
                let simulator = Simulator(
                    server: "http://127.0.0.1:\(port)", devices: devices, fps: 0, readingsInterval: nil, healthInterval: .seconds(3600),
                    logger: ChannelBenchmark.quiet, events: { watch.record($0, $1) })
                agents += try simulator.makeAgents()
            }
            running = Simulator.start(agents)
            try await ChannelBenchmark.waitUntil(seconds: 120) { watch.connected >= seeded.devices.count }
            try await Task.sleep(for: .seconds(1))
        }

        func stop() {
            running?.cancel()
            for child in children { child.stop() }
            try? FileManager.default.removeItem(at: folder)
        }
    }
}
