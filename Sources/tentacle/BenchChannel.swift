import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import TentacleAgent
import TentacleBench
import TentacleCore
import TentacleServer
import TentacleSimulation

/// `tentacle bench channel`: how many displays one server holds, its memory per connection, and
/// how fast an approved change reaches every display, each next to a bare hummingbird-websocket
/// server measured in the same run. Both servers run as child processes of this executable, so
/// their resident memory is theirs alone; the displays are real agents in this process.
enum ChannelBenchmark {
    struct Options {
        var displays: Int
        var rounds: Int
    }

    static let quiet: Logger = {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        return logger
    }()

    static func run(_ options: Options) async throws -> [BenchmarkFigure] {
        let bare = try await measureBare(options)
        let ours = try await measureTentacle(options)
        let broadcast = median(bare.broadcasts)
        let p = percentiles(ours.latencies)
        return [
            BenchmarkFigure(bench: "channel", figure: "displays_held", value: Double(ours.held), unit: "displays",
                            baseline: "bare_websocket_connections", baselineValue: Double(bare.held)),
            BenchmarkFigure(bench: "channel", figure: "rss_per_connection_kib", value: ours.kibPerConnection, unit: "KiB",
                            baseline: "bare_websocket_rss_per_connection_kib", baselineValue: bare.kibPerConnection, higherIsBetter: false),
            BenchmarkFigure(bench: "channel", figure: "schedule_push_p50_s", value: p.p50, unit: "s",
                            baseline: "bare_broadcast_all_replied_s", baselineValue: broadcast, higherIsBetter: false),
            BenchmarkFigure(bench: "channel", figure: "schedule_push_p99_s", value: p.p99, unit: "s",
                            baseline: "bare_broadcast_all_replied_s", baselineValue: broadcast, higherIsBetter: false),
            BenchmarkFigure(bench: "channel", figure: "schedule_push_max_s", value: p.max, unit: "s",
                            baseline: "bare_broadcast_all_replied_s", baselineValue: broadcast, higherIsBetter: false),
            BenchmarkFigure(bench: "channel", figure: "all_back_after_kill9_s", value: ours.reconnect, unit: "s", higherIsBetter: false),
        ]
    }

    // MARK: - The bare baseline

    struct BareResult {
        var held: Int
        var kibPerConnection: Double
        var broadcasts: [Double]
    }

    static func measureBare(_ options: Options) async throws -> BareResult {
        let child = try ChildProcess.start(["bench-peer", "websocket"])
        defer { child.stop() }
        let port = try await child.port(prefix: "PORT ")
        try await Task.sleep(for: .milliseconds(500))
        let before = child.residentKiB
        let clients = Task {
            await withDiscardingTaskGroup { group in
                for i in 0..<options.displays {
                    group.addTask {
                        _ = try? await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws", logger: quiet) { inbound, outbound, _ in
                            for try await _ in inbound.messages(maxSize: 1 << 16) { try await outbound.write(.text("pong")) }
                        }
                    }
                    if i % 100 == 99 { try? await Task.sleep(for: .milliseconds(20)) }
                }
            }
        }
        defer { clients.cancel() }
        func held() async -> Int {
            (try? await LoopbackRequest.send(port: port, "GET", "/connections", token: nil)).flatMap { Int(String(decoding: $0.body, as: UTF8.self)) } ?? 0
        }
        let deadline = ContinuousClock.now + .seconds(120)
        while await held() < options.displays && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        try await Task.sleep(for: .seconds(1))
        let count = await held()
        let after = child.residentKiB
        var broadcasts: [Double] = []
        for _ in 0..<options.rounds {
            let reply = try await LoopbackRequest.send(port: port, "POST", "/broadcast", token: nil)
            if let seconds = Double(String(decoding: reply.body, as: UTF8.self)) { broadcasts.append(seconds) }
            try await Task.sleep(for: .milliseconds(200))
        }
        return BareResult(held: count, kibPerConnection: Double(after - before) / Double(max(count, 1)), broadcasts: broadcasts)
    }

    // MARK: - Tentacle

    struct TentacleResult {
        var held: Int
        var kibPerConnection: Double
        var latencies: [Double]
        var reconnect: Double
    }

    /// When each display last took a schedule, and how many are connected.
    final class Watch: Sendable {
        private struct State {
            var schedules: [String: ContinuousClock.Instant] = [:]
            var connected = Set<String>()
            var alertsShown: [String: [String: ContinuousClock.Instant]] = [:]
            var alertsCleared: [String: Int] = [:]
        }
        private let state = Mutex(State())

        func record(_ display: String, _ event: AgentEvent) {
            let now = ContinuousClock.now
            state.withLock { s in
                switch event {
                case .schedule: s.schedules[display] = now
                case .connected: s.connected.insert(display)
                case .disconnected: s.connected.remove(display)
                case .alertShown(let id): s.alertsShown[id, default: [:]][display] = now
                case .alertCleared(let id): s.alertsCleared[id, default: 0] += 1
                default: break
                }
            }
        }

        var connected: Int { state.withLock { $0.connected.count } }

        func cleared(_ alert: String) -> Int { state.withLock { $0.alertsCleared[alert] ?? 0 } }

        /// How many displays showed `alert`: cheap enough to poll while thousands of agents record
        /// (the poll holds the lock their events wait for).
        func shownCount(_ alert: String) -> Int { state.withLock { $0.alertsShown[alert]?.count ?? 0 } }

        /// Seconds from `start` until each display showed `alert` (of `displays` only, when given).
        func shown(_ alert: String, since start: ContinuousClock.Instant, of displays: Set<String>? = nil) -> [Double] {
            state.withLock { s in
                (s.alertsShown[alert] ?? [:]).filter { displays?.contains($0.key) ?? true }.values.map { instant in
                    let d = instant - start
                    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                }
            }
        }

        func latencies(since start: ContinuousClock.Instant) -> [Double] {
            state.withLock { s in
                s.schedules.values.filter { $0 > start }.map { instant in
                    let d = instant - start
                    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                }
            }
        }
    }

    /// A `tentacle serve` child on a seeded city and every display connected as a real agent.
    final class City {
        let folder: URL
        let seeded: ChannelBenchSeed.Seeded
        let serve: [String]
        var child: ChildProcess
        let port: Int
        let watch = Watch()
        /// Resident KiB of the server before and after the displays connected.
        var residentBefore = 0
        var residentAfter = 0
        private var running: Task<Void, Never>?

        init(displays: Int) async throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-bench-city-\(UUID().uuidString)")
            var config = ServerConfiguration()
            config.dataDirectory = folder.path
            seeded = try await ChannelBenchSeed.seed(store: try openStore(config), displays: displays)
            serve = ["serve", "--data", folder.path, "--admin-password", "bench-password-1", "--bcrypt-cost", "4", "--log-level", "error"]
            child = try ChildProcess.start(serve + ["--port", "0"])
            port = try await child.port(prefix: "Tentacle http://127.0.0.1:")
        }

        func connect() async throws {
            try await Task.sleep(for: .milliseconds(500))
            residentBefore = child.residentKiB
            let watch = self.watch
            let simulator = Simulator(
                server: "http://127.0.0.1:\(port)", devices: seeded.devices.map { SimulatedDevice(id: $0.id, token: $0.token) }, fps: 0,
                readingsInterval: nil, healthInterval: .seconds(3600), logger: quiet, events: { watch.record($0, $1) })
            let agents = try simulator.makeAgents()
            running = Simulator.start(agents)
            try await waitUntil(seconds: 120) { watch.connected >= seeded.devices.count }
            try await Task.sleep(for: .seconds(1))
            residentAfter = child.residentKiB
        }

        func stop() {
            running?.cancel()
            child.stop()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    static func measureTentacle(_ options: Options) async throws -> TentacleResult {
        let city = try await City(displays: options.displays)
        defer { city.stop() }
        try await city.connect()
        let watch = city.watch, port = city.port, seeded = city.seeded, serve = city.serve
        let held = watch.connected
        let before = city.residentBefore, after = city.residentAfter

        // Each round an approver puts a new revision of a campaign for every display on air.
        var latencies: [Double] = []
        for round in 1...options.rounds {
            let body = """
                {"id": "bench-push", "name": "Push \(round)", "priority": \(100 + round), "schedule": {},
                 "target": {"districts": ["\(ChannelBenchSeed.district)"]}, "playlist": [{"layoutId": "\(ChannelBenchSeed.layout)", "durationSeconds": 10}]}
                """
            let saved = round == 1
                ? try await LoopbackRequest.send(port: port, "POST", "/v1/campaigns", token: seeded.publisherToken, json: body)
                : try await LoopbackRequest.send(port: port, "PUT", "/v1/campaigns/bench-push", token: seeded.publisherToken, json: body)
            guard saved.status == 200 || saved.status == 201 else {
                throw AgentError("saving the campaign failed: \(saved.status) \(String(decoding: saved.body.prefix(200), as: UTF8.self))")
            }
            let start = ContinuousClock.now
            let approved = try await LoopbackRequest.send(
                port: port, "POST", "/v1/campaigns/bench-push/revisions/\(round)/approve", token: seeded.approverToken)
            guard approved.status == 200 else {
                throw AgentError("approval failed: \(approved.status) \(String(decoding: approved.body.prefix(200), as: UTF8.self))")
            }
            try await waitUntil(seconds: 60) { watch.latencies(since: start).count >= held }
            latencies += watch.latencies(since: start)
            try await Task.sleep(for: .milliseconds(300))
        }

        // kill -9 and start again on the same port: how long until every display is back.
        city.child.kill()
        try await waitUntil(seconds: 30) { watch.connected == 0 }
        let restart = ContinuousClock.now
        city.child = try ChildProcess.start(serve + ["--port", String(port)])
        try await waitUntil(seconds: 120) { watch.connected >= held }
        let back = ContinuousClock.now - restart
        return TentacleResult(
            held: held, kibPerConnection: Double(after - before) / Double(max(held, 1)), latencies: latencies,
            reconnect: Double(back.components.seconds) + Double(back.components.attoseconds) / 1e18)
    }

    // MARK: - Helpers

    static func waitUntil(seconds: Int, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw AgentError("benchmark step did not finish within \(seconds) s") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    static func percentiles(_ values: [Double]) -> (p50: Double, p99: Double, max: Double) {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return (0, 0, 0) }
        func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))] }
        return (at(0.5), at(0.99), sorted.last!)
    }
}

/// This executable run again with other arguments, its output read line by line.
final class ChildProcess: Sendable {
    private let process: Process
    private let lines = Mutex<[String]>([])

    private init(process: Process) {
        self.process = process
    }

    static func start(_ arguments: [String]) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let child = ChildProcess(process: process)
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            let text = String(decoding: data, as: UTF8.self)
            child.lines.withLock { $0 += text.split(separator: "\n").map(String.init) }
        }
        try process.run()
        return child
    }

    /// The port printed on a line starting with `prefix`.
    func port(prefix: String) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let found = lines.withLock { $0.first { $0.contains(prefix) } }
            if let line = found, let range = line.range(of: prefix) {
                let digits = line[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            guard process.isRunning else { throw AgentError("\(process.arguments?.first ?? "child") exited with \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw AgentError("\(process.arguments?.first ?? "child") did not report its port")
    }

    /// Resident memory from /proc, in KiB.
    var residentKiB: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
