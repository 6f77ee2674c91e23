import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import TentacleCore
import TentacleStore

/// `tentacle bench ngsi`: NGSI-LD entity queries and subscription notifications, against
/// `GET /healthz` on the same server.
///
/// - Queries: `GET /ngsi-ld/v1/entities?type=AirQualityObserved&options=keyValues&limit=1000`
///   over 1,000 air-quality sensors with their latest readings, from several keep-alive clients.
/// - Notifications: one subscription to every `AirQualityObserved`; readings are posted one
///   batch per sensor and instant, each causing one notification, and the figure is notifications
///   received per second at a loopback endpoint, from the first post to the last arrival.
public enum NGSIBenchmark {
    public static let sensors = 1_000

    public static func run(seconds: Double, clients: Int, notifications: Int) async throws -> [BenchmarkFigure] {
        try await BenchServer.with { server in
            try await seed(server.store)
            let options = RegistryBenchmark.Options(seconds: seconds, clients: clients)
            let auth = ["Authorization": "Bearer \(server.token)"]
            let health = try RegistryBenchmark.measure(options, port: server.port) { client, _, _ in try client.request("GET", "/healthz") }
            let query = try RegistryBenchmark.measure(options, port: server.port) { client, _, _ in
                try client.request("GET", "/ngsi-ld/v1/entities?type=AirQualityObserved&options=keyValues&limit=1000", headers: auth)
            }
            let check = try LoopbackHTTPClient(port: server.port).request(
                "GET", "/ngsi-ld/v1/entities?type=AirQualityObserved&options=keyValues&limit=1000&count=true", headers: auth)
            guard check.status == 200, check.headers["ngsild-results-count"] == String(sensors) else {
                throw LoopbackHTTPClient.ClientError(description: "the entity query answered \(check.status) with count \(check.headers["ngsild-results-count"] ?? "none")")
            }
            let delivered = try await notify(server, count: notifications)
            return [
                BenchmarkFigure(bench: "ngsi", figure: "healthz_requests_per_s", value: health.rate, unit: "req/s"),
                BenchmarkFigure(
                    bench: "ngsi", figure: "entity_queries_per_s_1000_keyvalues", value: query.rate, unit: "req/s",
                    baseline: "healthz_requests_per_s", baselineValue: health.rate),
                BenchmarkFigure(
                    bench: "ngsi", figure: "entity_query_p99_ms", value: query.p99, unit: "ms", baseline: "healthz_p99_ms", baselineValue: health.p99,
                    higherIsBetter: false),
                BenchmarkFigure(bench: "ngsi", figure: "entity_query_errors", value: Double(query.errors), unit: "responses"),
                BenchmarkFigure(
                    bench: "ngsi", figure: "notifications_per_s", value: delivered, unit: "notifications/s",
                    baseline: "healthz_requests_per_s", baselineValue: health.rate),
            ]
        }
    }

    /// A district, 1,000 air-quality sensors on a grid and a latest reading of each.
    static func seed(_ store: SQLiteStore) async throws {
        let audit = AuditEvent(actor: "bench", action: "sensor.create", objectType: "sensor", objectId: "ngsi", summary: "bench seed")
        try await store.createDistrict(District(code: "bench", name: "Bench"), audit: audit)
        let now = Date()
        var batches: [ReadingBatch] = []
        for i in 0..<sensors {
            let sensor = Sensor(
                id: "aq-\(i)", kind: .airQuality, metrics: ["pm25", "pm10", "no2", "temp_c", "humidity_pct"], displayId: nil, poleId: "pole-\(i)",
                lat: 31.2 + Double(i / 40) * 0.002, lon: 121.4 + Double(i % 40) * 0.002, district: "bench", createdAt: now)
            try await store.createSensor(sensor, audit: audit)
            let t = Reading.milliseconds(now) - 60_000
            batches.append(ReadingBatch(source: sensor.id, sequence: 1, readings: [
                Reading(source: sensor.id, metric: "pm25", time: t, value: Double(i % 80)),
                Reading(source: sensor.id, metric: "pm10", time: t, value: Double(i % 120)),
                Reading(source: sensor.id, metric: "no2", time: t, value: Double(i % 60)),
                Reading(source: sensor.id, metric: "temp_c", time: t, value: 12.5),
                Reading(source: sensor.id, metric: "humidity_pct", time: t, value: 55),
            ]))
        }
        _ = try await store.ingest(batches, at: now)
    }

    /// Notifications per second delivered to a loopback endpoint.
    static func notify(_ server: BenchServer, count: Int) async throws -> Double {
        let received = Mutex(0)
        let router = Router()
        router.post("hook") { _, _ -> HTTPResponse.Status in
            received.withLock { $0 += 1 }
            return .noContent
        }
        var logger = Logger(label: "tentacle-bench-receiver")
        logger.logLevel = .critical
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        defer { Task { await group.triggerGracefulShutdown() } }
        let ready = ContinuousClock.now + .seconds(10)
        while port.withLock({ $0 }) == nil {
            guard ContinuousClock.now < ready else { throw LoopbackHTTPClient.ClientError(description: "the receiver did not start") }
            try await Task.sleep(for: .milliseconds(10))
        }
        let hook = "http://127.0.0.1:\(port.withLock { $0 }!)/hook"

        let client = try LoopbackHTTPClient(port: server.port)
        let auth = ["Authorization": "Bearer \(server.token)", "Content-Type": "application/json"]
        let subscription = #"{"type": "Subscription", "entities": [{"type": "AirQualityObserved"}], "watchedAttributes": ["pm25"], "notification": {"format": "keyValues", "endpoint": {"uri": "\#(hook)"}}}"#
        let created = try client.request("POST", "/ngsi-ld/v1/subscriptions", headers: auth, body: Array(subscription.utf8))
        guard created.status == 201 else { throw LoopbackHTTPClient.ClientError(description: "the subscription answered \(created.status)") }

        let started = ContinuousClock.now
        let base = Reading.milliseconds(Date())
        // One reading per batch and sensor, so every batch is one change of one entity.
        for n in 0..<count {
            let body = #"{"source": "aq-\#(n % sensors)", "sequence": \#(2 + n / sensors), "readings": [{"metric": "pm25", "time": "\#(ReadingTime.format(base + Int64(n / sensors) * 1000)!)", "value": \#(n % 90)}]}"#
            let reply = try client.request("POST", "/v1/readings", headers: auth, body: Array(body.utf8))
            guard reply.status < 300 else { throw LoopbackHTTPClient.ClientError(description: "a reading answered \(reply.status)") }
        }
        let deadline = ContinuousClock.now + .seconds(120)
        while received.withLock({ $0 }) < count {
            guard ContinuousClock.now < deadline else {
                throw LoopbackHTTPClient.ClientError(description: "\(received.withLock { $0 }) of \(count) notifications arrived within 120 s")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let elapsed = ContinuousClock.now - started
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(count) / seconds
    }
}
