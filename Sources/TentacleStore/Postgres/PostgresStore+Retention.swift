import Foundation
import NIOCore
import PostgresNIO
public import TentacleCore

/// Telemetry retention: whole hours of raw and minute blocks deleted as rows, the hour holding
/// the cutoff rewritten; hour cells deleted by their bucket.
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
                c.minute = try await deleteMinutes(series: chunk, before: cutoffs.minute, connection)
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
        try await rewrite("reading_blocks", "readings", hour: boundary, emptied: emptied, kept: (kept.series, kept.chunk, kept.count, kept.readings), connection)
        return deleted
    }

    /// Deletes minute cells before the cutoff the same way: whole hours as rows, then the cut
    /// hour's rows merged into its first row. Returns how many cells went, a minute counted once
    /// however many of its hour's rows held it.
    private func deleteMinutes(series: [Int64], before cutoff: Int64, _ connection: PostgresConnection) async throws -> Int {
        let boundary = RollupTier.hourFloor(cutoff)
        var minutes: [SeriesBucket: UInt64] = [:]
        let gone = try await connection.query(
            "DELETE FROM minute_blocks WHERE series = ANY(\(series)::bigint[]) AND hour < \(boundary) RETURNING series, hour, cells", logger: logger)
        for try await (s, hour, bytes) in gone.decode((Int64, Int64, ByteBuffer).self) {
            minutes[SeriesBucket(series: s, bucket: hour), default: 0] |= try Self.minuteCells(bytes, hour: hour).minutes
        }
        var deleted = minutes.values.reduce(0) { $0 + $1.nonzeroBitCount }
        guard boundary < cutoff else { return deleted }
        let rows = try await connection.query(
            "SELECT series, chunk, cells FROM minute_blocks WHERE series = ANY(\(series)::bigint[]) AND hour = \(boundary) ORDER BY series, chunk FOR UPDATE",
            logger: logger)
        var hours: [(series: Int64, chunks: [Int64], cells: MinuteCells)] = []
        for try await (s, chunk, bytes) in rows.decode((Int64, Int64, ByteBuffer).self) {
            let cells = try Self.minuteCells(bytes, hour: boundary)
            if hours.last?.series == s {
                hours[hours.count - 1].chunks.append(chunk)
                hours[hours.count - 1].cells.merge(cells)
            } else {
                hours.append((s, [chunk], cells))
            }
        }
        var emptied = (series: [Int64](), chunk: [Int64]())
        var kept = (series: [Int64](), chunk: [Int64](), count: [Int64](), cells: [ByteBuffer]())
        for var hour in hours {
            let removed = hour.cells.removeBefore(cutoff)
            guard removed > 0 else { continue }
            deleted += removed
            // The merged cells go into the hour's first row, which keeps its place before later arrivals.
            let rest = hour.cells.count == 0 ? hour.chunks[...] : hour.chunks.dropFirst()
            emptied.series += rest.map { _ in hour.series }
            emptied.chunk += rest
            if hour.cells.count > 0 {
                kept.series.append(hour.series)
                kept.chunk.append(hour.chunks[0])
                kept.count.append(Int64(hour.cells.count))
                kept.cells.append(ByteBuffer(bytes: hour.cells.encoded()))
            }
        }
        try await rewrite("minute_blocks", "cells", hour: boundary, emptied: emptied, kept: (kept.series, kept.chunk, kept.count, kept.cells), connection)
        return deleted
    }

    /// In a block table's rows of one hour: deletes the chunks `emptied` names and gives those
    /// `kept` names their new count and bytes (`column`).
    private func rewrite(
        _ table: String, _ column: String, hour: Int64, emptied: (series: [Int64], chunk: [Int64]),
        kept: (series: [Int64], chunk: [Int64], count: [Int64], bytes: [ByteBuffer]), _ connection: PostgresConnection
    ) async throws {
        if !emptied.series.isEmpty {
            try await connection.query(
                """
                DELETE FROM \(unescaped: table) b USING unnest(\(emptied.series)::bigint[], \(emptied.chunk)::bigint[]) AS g(series, chunk)
                WHERE b.series = g.series AND b.hour = \(hour) AND b.chunk = g.chunk
                """, logger: logger)
        }
        if !kept.series.isEmpty {
            try await connection.query(
                """
                UPDATE \(unescaped: table) b SET count = g.count, \(unescaped: column) = g.bytes
                FROM unnest(\(kept.series)::bigint[], \(kept.chunk)::bigint[], \(kept.count)::bigint[], \(kept.bytes)::bytea[]) AS g(series, chunk, count, bytes)
                WHERE b.series = g.series AND b.hour = \(hour) AND b.chunk = g.chunk
                """, logger: logger)
        }
    }
}
