import Foundation
import TentacleCore
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
        let (health, create, list) = try await BenchServer.with(seedDemo: true) { server in
            let serverPort = server.port
            let token = server.token

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
            return (health, create, list)
        }

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

    struct Measurement {
        var rate: Double
        var p99: Double
        var errors: Int
    }

    /// Runs `clients` threads for `seconds`, each on its own keep-alive connection.
    static func measure(
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
