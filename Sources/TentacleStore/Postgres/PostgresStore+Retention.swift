import Foundation
import NIOCore
import PostgresNIO
import TentacleCore

/// Telemetry retention: whole hours of raw and minute blocks deleted as rows, the hour holding
/// the cutoff rewritten; hour cells deleted by their bucket. The same pass merges the minute rows
/// of closed hours (`compactMinutes`).
extension PostgresStore {
    public func deleteExpired(_ cutoffs: RetentionCutoffs) async throws -> RetentionCounts {
        let series = try await read { connection in
            try await connection.query("SELECT id FROM series ORDER BY id", logger: logger).decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) }
        }
        var counts = RetentionCounts()
        // Hours that ended an hour ago or more are closed: their minute rows are merged.
        let closedBefore = RollupTier.hourFloor(Reading.milliseconds(clock())) - 3_600_000
        // A few hundred series per transaction, so no transaction holds many row locks for long.
        for start in stride(from: 0, to: series.count, by: 256) {
            let chunk = Array(series[start..<min(start + 256, series.count)])
            let deleted = try await write { connection in
                var c = RetentionCounts()
                c.raw = try await deleteRaw(series: chunk, before: cutoffs.raw, connection)
                c.minute = try await deleteMinutes(series: chunk, before: cutoffs.minute, connection)
                _ = try await compactMinutes(series: chunk, closedBefore: closedBefore, connection)
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
                _ = try await connection.query("DELETE FROM ingest_batches WHERE received_at < \(batchCutoff)", logger: logger)
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
        var emptied = BlockRows()
        var kept = BlockRows()
        for try await (s, chunk, bytes) in rows.decode((Int64, Int64, ByteBuffer).self) {
            let readings = try Self.rawChunk(bytes, hour: boundary)
            let left = readings.filter { $0.time >= cutoff }
            guard left.count < readings.count else { continue }
            deleted += readings.count - left.count
            if left.isEmpty {
                emptied.append(s, boundary, chunk)
            } else {
                kept.append(s, boundary, chunk, count: left.count, bytes: RawChunk.encode(left, hour: boundary))
            }
        }
        try await rewrite("reading_blocks", "readings", emptied: emptied, kept: kept, connection)
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
            "SELECT series, hour, chunk, cells FROM minute_blocks WHERE series = ANY(\(series)::bigint[]) AND hour = \(boundary) ORDER BY series, chunk FOR UPDATE",
            logger: logger)
        var emptied = BlockRows(), kept = BlockRows()
        for var hour in try await Self.mergedMinuteHours(rows) {
            let removed = hour.cells.removeBefore(cutoff)
            guard removed > 0 else { continue }
            deleted += removed
            hour.write(into: &emptied, &kept)
        }
        try await rewrite("minute_blocks", "cells", emptied: emptied, kept: kept, connection)
        return deleted
    }

    /// Merges the minute rows of each series' closed hours (ending before `closedBefore`) into the
    /// hour's first row, which keeps its place before any later arrival. Ingest appends a row per
    /// batch, so a sensor reporting every minute leaves 60 rows an hour; a query over a month
    /// then reads 720 rows instead of 43,200. At most `limit` rows a pass; the rest wait for the
    /// next. Returns how many rows went.
    func compactMinutes(series: [Int64], closedBefore: Int64, limit: Int = 20_000, _ connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(
            """
            SELECT b.series, b.hour, b.chunk, b.cells FROM minute_blocks b
            JOIN (SELECT series, hour FROM minute_blocks WHERE series = ANY(\(series)::bigint[]) AND hour < \(closedBefore)
                  GROUP BY series, hour HAVING count(*) > 1) m ON m.series = b.series AND m.hour = b.hour
            ORDER BY b.series, b.hour, b.chunk LIMIT \(limit) FOR UPDATE OF b
            """, logger: logger)
        var emptied = BlockRows(), kept = BlockRows()
        for hour in try await Self.mergedMinuteHours(rows) where hour.chunks.count > 1 {
            hour.write(into: &emptied, &kept)
        }
        try await rewrite("minute_blocks", "cells", emptied: emptied, kept: kept, connection)
        return emptied.series.count
    }

    /// One series' minute rows of one hour, merged in arrival order.
    struct MergedMinuteHour {
        var series: Int64
        var hour: Int64
        var chunks: [Int64]
        var cells: MinuteCells

        /// The merged cells go into the hour's first row, the others are deleted; all of them when
        /// no cell is left.
        func write(into emptied: inout BlockRows, _ kept: inout BlockRows) {
            let rest = cells.count == 0 ? chunks[...] : chunks.dropFirst()
            for chunk in rest { emptied.append(series, hour, chunk) }
            if cells.count > 0 { kept.append(series, hour, chunks[0], count: cells.count, bytes: cells.encoded()) }
        }
    }

    /// Rows of (series, hour, chunk, cells) ordered by series, hour and chunk, merged per series and hour.
    static func mergedMinuteHours(_ rows: PostgresRowSequence) async throws -> [MergedMinuteHour] {
        var hours: [MergedMinuteHour] = []
        for try await (s, hour, chunk, bytes) in rows.decode((Int64, Int64, Int64, ByteBuffer).self) {
            let cells = try Self.minuteCells(bytes, hour: hour)
            if let last = hours.last, last.series == s, last.hour == hour {
                hours[hours.count - 1].chunks.append(chunk)
                hours[hours.count - 1].cells.merge(cells)
            } else {
                hours.append(MergedMinuteHour(series: s, hour: hour, chunks: [chunk], cells: cells))
            }
        }
        return hours
    }

    /// Rows of a block table named by series, hour and chunk, with a new count and bytes for those kept.
    struct BlockRows {
        var series: [Int64] = [], hour: [Int64] = [], chunk: [Int64] = [], count: [Int64] = [], bytes: [ByteBuffer] = []

        mutating func append(_ series: Int64, _ hour: Int64, _ chunk: Int64, count: Int = 0, bytes: [UInt8] = []) {
            self.series.append(series)
            self.hour.append(hour)
            self.chunk.append(chunk)
            self.count.append(Int64(count))
            self.bytes.append(ByteBuffer(bytes: bytes))
        }
    }

    /// In a block table: deletes the rows `emptied` names and gives those `kept` names their new
    /// count and bytes (`column`).
    private func rewrite(_ table: String, _ column: String, emptied: BlockRows, kept: BlockRows, _ connection: PostgresConnection) async throws {
        if !emptied.series.isEmpty {
            try await connection.query(
                """
                DELETE FROM \(unescaped: table) b
                USING unnest(\(emptied.series)::bigint[], \(emptied.hour)::bigint[], \(emptied.chunk)::bigint[]) AS g(series, hour, chunk)
                WHERE b.series = g.series AND b.hour = g.hour AND b.chunk = g.chunk
                """, logger: logger)
        }
        if !kept.series.isEmpty {
            try await connection.query(
                """
                UPDATE \(unescaped: table) b SET count = g.count, \(unescaped: column) = g.bytes
                FROM unnest(\(kept.series)::bigint[], \(kept.hour)::bigint[], \(kept.chunk)::bigint[], \(kept.count)::bigint[],
                    \(kept.bytes)::bytea[]) AS g(series, hour, chunk, count, bytes)
                WHERE b.series = g.series AND b.hour = g.hour AND b.chunk = g.chunk
                """, logger: logger)
        }
    }
}
