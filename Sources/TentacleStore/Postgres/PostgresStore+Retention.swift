import Foundation
import NIOCore
import PostgresNIO
public import TentacleCore

/// Telemetry retention: whole hours of raw blocks deleted as rows, the hour holding the cutoff
/// rewritten; rollup cells deleted by their bucket.
extension PostgresStore {
    public func deleteExpired(_ cutoffs: RetentionCutoffs) async throws -> RetentionCounts {
        let series = try await read { connection in
            try await connection.query("SELECT id FROM series ORDER BY id", logger: logger).decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) }
        }
        var counts = RetentionCounts()
        // A few hundred series per transaction, so no transaction holds many row locks for long.
        for start in stride(from: 0, to: series.count, by: 256) {
            let chunk = Array(series[start..<min(start + 256, series.count)])
            let deleted = try await write { connection in
                var c = RetentionCounts()
                c.raw = try await deleteRaw(series: chunk, before: cutoffs.raw, connection)
                c.minute = try await count(
                    "WITH d AS (DELETE FROM rollups_1m WHERE series = ANY(\(chunk)::bigint[]) AND bucket < \(cutoffs.minute) RETURNING 1) SELECT count(*) FROM d",
                    connection)
                if let hour = cutoffs.hour {
                    c.hour = try await count(
                        "WITH d AS (DELETE FROM rollups_1h WHERE series = ANY(\(chunk)::bigint[]) AND bucket < \(hour) RETURNING 1) SELECT count(*) FROM d",
                        connection)
                }
                return c
            }
            counts.raw += deleted.raw
            counts.minute += deleted.minute
            counts.hour += deleted.hour
        }
        if let batchCutoff = RetentionCutoffs.batchRecords(before: cutoffs.raw) {
            try await write { connection in
                try await connection.query("DELETE FROM ingest_batches WHERE received_at < \(batchCutoff)", logger: logger)
            }
        }
        if let plays = cutoffs.plays {
            counts.plays = try await write { connection in
                let deleted = try await count(#"WITH d AS (DELETE FROM plays WHERE "end" < \#(plays) RETURNING 1) SELECT count(*) FROM d"#, connection)
                if let batchCutoff = RetentionCutoffs.batchRecords(before: plays) {
                    try await connection.query("DELETE FROM play_batches WHERE received_at < \(batchCutoff)", logger: logger)
                }
                return deleted
            }
        }
        return counts
    }

    private func count(_ query: PostgresQuery, _ connection: PostgresConnection) async throws -> Int {
        Int(try await connection.integer(query, logger: logger))
    }

    /// Deletes whole hours before the cutoff's hour, then the readings before it in that hour.
    /// Returns how many readings went.
    private func deleteRaw(series: [Int64], before cutoff: Int64, _ connection: PostgresConnection) async throws -> Int {
        let boundary = RollupTier.hourFloor(cutoff)
        var deleted = try await count(
            """
            WITH d AS (DELETE FROM reading_blocks WHERE series = ANY(\(series)::bigint[]) AND hour < \(boundary) RETURNING count)
            SELECT coalesce(sum(count), 0)::bigint FROM d
            """, connection)
        guard boundary < cutoff else { return deleted }
        let rows = try await connection.query(
            "SELECT series, chunk, readings FROM reading_blocks WHERE series = ANY(\(series)::bigint[]) AND hour = \(boundary) FOR UPDATE",
            logger: logger)
        var emptied = (series: [Int64](), chunk: [Int64]())
        var kept = (series: [Int64](), chunk: [Int64](), count: [Int64](), readings: [ByteBuffer]())
        for try await (s, chunk, bytes) in rows.decode((Int64, Int64, ByteBuffer).self) {
            let readings = try Self.rawChunk(bytes, hour: boundary)
            let left = readings.filter { $0.time >= cutoff }
            guard left.count < readings.count else { continue }
            deleted += readings.count - left.count
            if left.isEmpty {
                emptied.series.append(s)
                emptied.chunk.append(chunk)
            } else {
                kept.series.append(s)
                kept.chunk.append(chunk)
                kept.count.append(Int64(left.count))
                kept.readings.append(ByteBuffer(bytes: RawChunk.encode(left, hour: boundary)))
            }
        }
        if !emptied.series.isEmpty {
            try await connection.query(
                """
                DELETE FROM reading_blocks b USING unnest(\(emptied.series)::bigint[], \(emptied.chunk)::bigint[]) AS g(series, chunk)
                WHERE b.series = g.series AND b.hour = \(boundary) AND b.chunk = g.chunk
                """, logger: logger)
        }
        if !kept.series.isEmpty {
            try await connection.query(
                """
                UPDATE reading_blocks b SET count = g.count, readings = g.readings
                FROM unnest(\(kept.series)::bigint[], \(kept.chunk)::bigint[], \(kept.count)::bigint[], \(kept.readings)::bytea[]) AS g(series, chunk, count, readings)
                WHERE b.series = g.series AND b.hour = \(boundary) AND b.chunk = g.chunk
                """, logger: logger)
        }
        return deleted
    }
}
