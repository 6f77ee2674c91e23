import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
public import TentacleCore
import TentacleStore
import Synchronization

/// `tentacle bench registry`: display create and list over HTTP on loopback with several
/// concurrent keep-alive clients, against `GET /healthz` on the same server as the baseline.
public enum RegistryBenchmark {
    public struct Options: Sendable {
        public var seconds: Double = 3
        public var clients: Int = 4

        public init(seconds: Double = 3, clients: Int = 4) {
            self.seconds = seconds
            self.clients = clients
        }
    }

    public static func run(_ options: Options) async throws -> [BenchmarkFigure] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var config = ServerConfiguration()
        config.port = 0
        config.bcryptCost = 4
        config.initialAdminPassword = "bench-password-1"
        config.dataDirectory = folder.path
        let store = try openStore(config)
        _ = try await ensureAdmin(store: store, configuration: config)
        try await DemoSeed.seedIfEmpty(store: store, bcryptCost: 4)

        var logger = Logger(label: "tentacle-bench")
        logger.logLevel = .critical
        let port = Mutex<Int?>(nil)
        let app = buildApplication(store: store, configuration: config, logger: logger, onServerRunning: { url in
            port.withLock { $0 = Int(url.split(separator: ":").last ?? "") }
        })
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let server = Task { try await group.run() }
        defer { server.cancel() }
        var waited = 0
        while port.withLock({ $0 }) == nil {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
            if waited > 1000 { throw LoopbackHTTPClient.ClientError(description: "server did not start") }
        }
        let serverPort = port.withLock { $0 }!
        let token = try issueToken(port: serverPort)

        let auth = ["Authorization": "Bearer \(token)"]
        let health = try measure(options, port: serverPort) { client, _, _ in
            try client.request("GET", "/healthz")
        }
        let create = try measure(options, port: serverPort) { client, worker, n in
            let body = """
                {"id":"bench-\(worker)-\(n)","name":"Bench display \(worker)-\(n)","width":192,"height":96,\
                "lat":31.23,"lon":121.47,"district":"north","groups":["bus-stops"],"tags":["bench"],"timezone":"Asia/Shanghai"}
                """
            return try client.request(
                "POST", "/v1/displays", headers: auth.merging(["Content-Type": "application/json"]) { a, _ in a }, body: Array(body.utf8))
        }
        let list = try measure(options, port: serverPort) { client, _, _ in
            try client.request("GET", "/v1/displays?limit=100", headers: auth)
        }
        await group.triggerGracefulShutdown()

        func figures(_ name: String, _ r: Measurement) -> [BenchmarkFigure] {
            [
                BenchmarkFigure(
                    bench: "registry", figure: "\(name)_requests_per_s", value: r.rate, unit: "req/s",
                    baseline: "healthz_requests_per_s", baselineValue: health.rate),
                BenchmarkFigure(
                    bench: "registry", figure: "\(name)_p99_ms", value: r.p99, unit: "ms",
                    baseline: "healthz_p99_ms", baselineValue: health.p99, higherIsBetter: false),
                BenchmarkFigure(bench: "registry", figure: "\(name)_errors", value: Double(r.errors), unit: "responses"),
            ]
        }
        return [
            BenchmarkFigure(bench: "registry", figure: "healthz_requests_per_s", value: health.rate, unit: "req/s"),
            BenchmarkFigure(bench: "registry", figure: "healthz_p99_ms", value: health.p99, unit: "ms", higherIsBetter: false),
        ] + figures("create", create) + figures("list", list)
    }

    private static func issueToken(port: Int) throws -> String {
        let client = try LoopbackHTTPClient(port: port)
        let login = try client.request(
            "POST", "/v1/auth/login", headers: ["Content-Type": "application/json"],
            body: Array(#"{"username":"admin","password":"bench-password-1"}"#.utf8))
        guard login.status == 200, let cookie = login.headers["set-cookie"]?.split(separator: ";").first else {
            throw LoopbackHTTPClient.ClientError(description: "bench login failed with \(login.status)")
        }
        let issued = try client.request(
            "POST", "/v1/tokens", headers: ["Content-Type": "application/json", "Cookie": String(cookie)],
            body: Array(#"{"name":"bench"}"#.utf8))
        guard issued.status == 201,
              let object = try JSONSerialization.jsonObject(with: Data(issued.body)) as? [String: Any],
              let secret = object["secret"] as? String
        else { throw LoopbackHTTPClient.ClientError(description: "bench token failed with \(issued.status)") }
        return secret
    }

    struct Measurement {
        var rate: Double
        var p99: Double
        var errors: Int
    }

    /// Runs `clients` threads for `seconds`, each on its own keep-alive connection.
    private static func measure(
        _ options: Options, port: Int,
        _ call: @escaping @Sendable (LoopbackHTTPClient, Int, Int) throws -> LoopbackHTTPClient.Reply
    ) throws -> Measurement {
        let results = Mutex<[(latencies: [Double], errors: Int)]>([])
        let deadline = Date().addingTimeInterval(options.seconds)
        let started = Date()
        let done = DispatchGroup()
        for worker in 0..<options.clients {
            done.enter()
            Thread.detachNewThread {
                var latencies: [Double] = []
                var errors = 0
                if let client = try? LoopbackHTTPClient(port: port) {
                    var n = 0
                    while Date() < deadline {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        let reply = try? call(client, worker, n)
                        let t1 = DispatchTime.now().uptimeNanoseconds
                        n += 1
                        guard let reply else { errors += 1; break }
                        if reply.status >= 400 { errors += 1 }
                        latencies.append(Double(t1 - t0) / 1e6)
                    }
                } else {
                    errors += 1
                }
                results.withLock { $0.append((latencies, errors)) }
                done.leave()
            }
        }
        done.wait()
        let elapsed = Date().timeIntervalSince(started)
        let all = results.withLock { $0 }
        let latencies = all.flatMap(\.latencies).sorted()
        let p99 = latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
        return Measurement(rate: Double(latencies.count) / elapsed, p99: p99, errors: all.map(\.errors).reduce(0, +))
    }
}
