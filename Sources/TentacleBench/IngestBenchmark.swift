import Foundation
import TentacleCore
import TentacleStore
import Synchronization

/// `tentacle bench ingest`: readings/s through the store and over HTTP (JSON batches and line
/// protocol, 4 keep-alive clients on loopback), each against plain prepared-statement SQLite
/// inserts of the same rows measured in the same run; and a 30-day query over a year of data.
///
/// The stream is 1,000 sources × 10 metrics × one reading a minute, in batches of 500 readings
/// (one source, 50 minutes). Every HTTP request is answered after its transaction is on disk.
public enum IngestBenchmark {
    public struct Options: Sendable {
        /// The most any one ingest figure measures for; it stops earlier when the stream ends.
        public var seconds: Double
        /// Readings in the stream, rounded up to whole minutes of every source and metric.
        public var count: Int
        public var clients: Int

        public init(seconds: Double = 10, count: Int = 1_000_000, clients: Int = 4) {
            self.seconds = seconds
            self.count = count
            self.clients = clients
        }
    }

    static let sources = 1_000
    static let metrics = ["pm25", "pm10", "no2", "o3", "noise_dba", "temp_c", "humidity_pct", "pressure_hpa", "wind_ms", "lux"]
    static let minutesPerBatch = 50
    static let querySource = "bench-year"

    public static func run(_ options: Options) async throws -> [BenchmarkFigure] {
        let now = Date()
        let batches = stream(count: options.count, now: now)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = try StoreBenchmark.plainInserts(
            batches, path: folder.appendingPathComponent("plain.sqlite").path, deadline: Date().addingTimeInterval(options.seconds))
        let plainRate = Double(plain.readings) / plain.seconds

        let store = try SQLiteStore(path: folder.appendingPathComponent("store.sqlite").path)
        let deadline = Date().addingTimeInterval(options.seconds)
        let started = Date()
        var stored = 0
        for batch in batches {
            _ = try await store.ingest([batch], at: now)
            stored += batch.readings.count
            if Date() >= deadline { break }
        }
        let storeRate = Double(stored) / Date().timeIntervalSince(started)

        let jsonRate = try await overHTTP(
            batches.map { Request(path: "/v1/readings", contentType: "application/json", body: json($0), readings: $0.readings.count) },
            options: options)
        let lineRate = try await overHTTP(
            batches.map {
                Request(
                    path: "/v1/write?precision=ms&sequence=\($0.sequence)", contentType: "text/plain", body: lineProtocol($0),
                    readings: $0.readings.count)
            },
            options: options)
        let query = try await queryMilliseconds(now: now)

        func rate(_ figure: String, _ value: Double) -> BenchmarkFigure {
            BenchmarkFigure(
                bench: "ingest", figure: figure, value: value, unit: "readings/s", baseline: "sqlite_plain_insert", baselineValue: plainRate)
        }
        return [
            BenchmarkFigure(bench: "ingest", figure: "sqlite_plain_insert", value: plainRate, unit: "readings/s"),
            rate("storage_readings_per_s", storeRate),
            rate("http_json_readings_per_s", jsonRate.rate),
            BenchmarkFigure(bench: "ingest", figure: "http_json_errors", value: Double(jsonRate.errors), unit: "responses", higherIsBetter: false),
            rate("http_line_protocol_readings_per_s", lineRate.rate),
            BenchmarkFigure(bench: "ingest", figure: "http_line_protocol_errors", value: Double(lineRate.errors), unit: "responses", higherIsBetter: false),
            BenchmarkFigure(bench: "ingest", figure: "query_30d_auto_ms", value: query, unit: "ms", higherIsBetter: false),
        ]
    }

    /// Batches of 500: for each 50-minute slice, every source's 10 metrics × 50 minutes, ending a
    /// minute before `now` so no reading is too old or in the future.
    static func stream(count: Int, now: Date) -> [ReadingBatch] {
        let perMinute = sources * metrics.count
        let minutes = max(1, (count + perMinute - 1) / perMinute)
        let end = (Reading.milliseconds(now) / 60_000 - 1) * 60_000
        let start = end - Int64(minutes - 1) * 60_000
        let catalogue = MetricCatalogue.builtIn
        let ranges = metrics.map { catalogue[$0]!.range }
        var batches: [ReadingBatch] = []
        for (slice, first) in stride(from: 0, to: minutes, by: minutesPerBatch).enumerated() {
            let last = min(first + minutesPerBatch, minutes)
            for s in 0..<sources {
                let source = "pole-\(s)"
                var readings: [Reading] = []
                readings.reserveCapacity((last - first) * metrics.count)
                for minute in first..<last {
                    for (m, metric) in metrics.enumerated() {
                        let range = ranges[m]
                        let fraction = Double((s &* 31 &+ m &* 17 &+ minute &* 7) % 100) / 200 + 0.25
                        let value = ((range.lowerBound + fraction * (range.upperBound - range.lowerBound)) * 100).rounded() / 100
                        readings.append(Reading(source: source, metric: metric, time: start + Int64(minute) * 60_000, value: value))
                    }
                }
                batches.append(ReadingBatch(source: source, sequence: Int64(slice), readings: readings))
            }
        }
        return batches
    }

    static func json(_ batch: ReadingBatch) -> [UInt8] {
        var text = #"{"source":"\#(batch.source)","sequence":\#(batch.sequence),"readings":["#
        for (i, r) in batch.readings.enumerated() {
            if i > 0 { text += "," }
            text += #"{"metric":"\#(r.metric)","time":\#(r.time),"value":\#(r.value)}"#
        }
        return Array((text + "]}").utf8)
    }

    /// One reading per line, under the `sensors` group so the field key is the metric.
    static func lineProtocol(_ batch: ReadingBatch) -> [UInt8] {
        var text = ""
        for r in batch.readings {
            text += "sensors,source=\(r.source) \(r.metric)=\(r.value) \(r.time)\n"
        }
        return Array(text.utf8)
    }

    struct Request: Sendable {
        var path: String
        var contentType: String
        var body: [UInt8]
        var readings: Int
    }

    struct Throughput {
        var rate: Double
        var errors: Int
    }

    /// Sends the requests from `clients` threads on their own keep-alive connections to a fresh
    /// server; a reading counts once its request is answered with 2xx.
    private static func overHTTP(
        _ requests: [Request], options: Options
    ) async throws -> Throughput {
        let next = Atomic(0)
        let totals = Mutex((readings: 0, errors: 0))
        let elapsed = try await BenchServer.with { server in
            let (port, token) = (server.port, server.token)
            let headers = ["Authorization": "Bearer \(token)"]
            let deadline = Date().addingTimeInterval(options.seconds)
            let started = Date()
            let done = DispatchGroup()
            for _ in 0..<options.clients {
                done.enter()
                Thread.detachNewThread {
                    var readings = 0, errors = 0
                    do {
                        let client = try LoopbackHTTPClient(port: port)
                        while Date() < deadline {
                            let i = next.add(1, ordering: .relaxed).oldValue
                            guard i < requests.count else { break }
                            let r = requests[i]
                            let reply = try client.request(
                                "POST", r.path, headers: headers.merging(["Content-Type": r.contentType]) { a, _ in a }, body: r.body)
                            if (200..<300).contains(reply.status) {
                                readings += r.readings
                            } else {
                                errors += 1
                            }
                        }
                    } catch {
                        errors += 1
                    }
                    totals.withLock {
                        $0.readings += readings
                        $0.errors += errors
                    }
                    done.leave()
                }
            }
            // Waits off the cooperative pool, whose threads the server's handlers need.
            await withCheckedContinuation { finished in done.notify(queue: .global()) { finished.resume() } }
            return Date().timeIntervalSince(started)
        }
        let t = totals.withLock { $0 }
        return Throughput(rate: Double(t.readings) / elapsed, errors: t.errors)
    }

    /// Median milliseconds of `GET /v1/readings` for one series over the last 30 days at
    /// `step=auto`, after a year of 1-minute readings of it went through the store.
    private static func queryMilliseconds(now: Date) async throws -> Double {
        let times = try await BenchServer.with { server in
            let end = (Reading.milliseconds(now) / 60_000) * 60_000
            let minutes = 365 * 1440
            for day in 0..<365 {
                let readings = (0..<1440).map { i in
                    let minute = day * 1440 + i
                    return Reading(
                        source: querySource, metric: "pm25", time: end - Int64(minutes - minute) * 60_000, value: Double(minute % 600) / 10)
                }
                _ = try await server.store.ingest([ReadingBatch(source: querySource, sequence: Int64(day), readings: readings)], at: now)
            }
            let from = ReadingTime.format((end - 30 * 86_400_000) / 1000 * 1000)!
            let to = ReadingTime.format(end / 1000 * 1000)!
            let path = "/v1/readings?source=\(querySource)&metric=pm25&from=\(from)&to=\(to)&step=auto"
            let port = server.port, token = server.token
            return try await withCheckedThrowingContinuation { (finished: CheckedContinuation<[Double], any Error>) in
                Thread.detachNewThread {
                    do {
                        let client = try LoopbackHTTPClient(port: port)
                        var times: [Double] = []
                        for _ in 0..<21 {
                            let t0 = DispatchTime.now().uptimeNanoseconds
                            let reply = try client.request("GET", path, headers: ["Authorization": "Bearer \(token)"])
                            let t1 = DispatchTime.now().uptimeNanoseconds
                            guard reply.status == 200, String(decoding: reply.body, as: UTF8.self).contains(#""step":"1h""#) else {
                                throw LoopbackHTTPClient.ClientError(description: "query answered \(reply.status)")
                            }
                            times.append(Double(t1 - t0) / 1e6)
                        }
                        finished.resume(returning: times)
                    } catch {
                        finished.resume(throwing: error)
                    }
                }
            }
        }
        return times.sorted()[times.count / 2]
    }
}
