import Foundation
import Logging
import NIOCore
import PostgresNIO
import TentacleCore
import TentacleStore

/// `tentacle bench ingest --database postgres://...`: readings/s through the PostgreSQL store
/// (each batch one committed transaction, as the server acknowledges them), sequentially and from
/// `clients` concurrent writers, against a plain `COPY` of the same rows into a bare table, one
/// committed COPY per batch, measured in the same run on the same server.
///
/// Each figure gets a fresh database on the server (`tentacle_bench_*`), dropped afterwards; the
/// URL's user must be allowed to create databases.
public enum PostgresIngestBenchmark {
    public static func run(database url: String, options: IngestBenchmark.Options) async throws -> [BenchmarkFigure] {
        let server = try PostgresLocation(url: url)
        let now = Date()
        let batches = IngestBenchmark.stream(count: options.count, now: now)
        let admin = try await PostgresStore.Admin(server)
        var created: [String] = []
        func fresh() async throws -> PostgresLocation {
            let name = "tentacle_bench_\(UUID().uuidString.lowercased().filter { $0.isLetter || $0.isNumber })"
            try await admin.createDatabase(name)
            created.append(name)
            return server.with(database: name)
        }
        do {
            let copy = try await plainCopy(batches, at: try await fresh(), seconds: options.seconds)
            let sequential = try await storeIngest(batches, at: try await fresh(), clients: 1, seconds: options.seconds, now: now)
            let concurrent = try await storeIngest(batches, at: try await fresh(), clients: options.clients, seconds: options.seconds, now: now)
            for name in created { try? await admin.dropDatabase(name) }
            await admin.close()
            func rate(_ figure: String, _ value: Double) -> BenchmarkFigure {
                BenchmarkFigure(bench: "ingest", figure: figure, value: value, unit: "readings/s", baseline: "postgres_plain_copy", baselineValue: copy)
            }
            return [
                BenchmarkFigure(bench: "ingest", figure: "postgres_plain_copy", value: copy, unit: "readings/s"),
                rate("postgres_storage_readings_per_s", sequential),
                rate("postgres_storage_\(options.clients)_clients_readings_per_s", concurrent),
            ]
        } catch {
            for name in created { try? await admin.dropDatabase(name) }
            await admin.close()
            throw error
        }
    }

    /// Batch by batch into the store until the stream ends or `seconds` pass; readings/s.
    static func storeIngest(_ batches: [ReadingBatch], at location: PostgresLocation, clients: Int, seconds: Double, now: Date) async throws -> Double {
        let store = try await PostgresStore(location: location, poolSize: clients + 2)
        let deadline = Date().addingTimeInterval(seconds)
        let started = Date()
        let stored = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in 0..<clients {
                group.addTask {
                    var stored = 0
                    for batch in stride(from: client, to: batches.count, by: clients).lazy.map({ batches[$0] }) {
                        _ = try await store.ingest([batch], at: now)
                        stored += batch.readings.count
                        if Date() >= deadline { break }
                    }
                    return stored
                }
            }
            return try await group.reduce(0, +)
        }
        let rate = Double(stored) / Date().timeIntervalSince(started)
        await store.close()
        return rate
    }

    /// The baseline: the same rows as text COPY into `(source, metric, time, value)`, one COPY (one commit) per batch.
    static func plainCopy(_ batches: [ReadingBatch], at location: PostgresLocation, seconds: Double) async throws -> Double {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password, database: location.database, tls: .disable)
        configuration.options.maximumConnections = 1
        let logger = Logger(label: "tentacle.bench.copy")
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        try await client.query("CREATE TABLE plain_readings (source TEXT NOT NULL, metric TEXT NOT NULL, time BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL)")
        let deadline = Date().addingTimeInterval(seconds)
        let started = Date()
        var copied = 0
        try await client.withConnection { connection in
            for batch in batches {
                try await connection.copyFrom(table: "plain_readings", columns: ["source", "metric", "time", "value"], logger: logger) { writer in
                    var buffer = ByteBuffer()
                    for r in batch.readings {
                        buffer.writeString("\(r.source)\t\(r.metric)\t\(r.time)\t\(r.value)\n")
                    }
                    try await writer.write(buffer)
                }
                copied += batch.readings.count
                if Date() >= deadline { break }
            }
        }
        return Double(copied) / Date().timeIntervalSince(started)
    }
}
