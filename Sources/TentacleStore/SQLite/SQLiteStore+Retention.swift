import Foundation
import GRDB
import TentacleCore

/// Telemetry retention: whole hours deleted as rows, the hour holding a cutoff rewritten.
extension SQLiteStore {
    // MARK: - Retention

    public func deleteExpired(_ cutoffs: RetentionCutoffs) async throws -> RetentionCounts {
        let series = try await read { db in try Int64.fetchAll(db, sql: "SELECT id FROM series ORDER BY id") }
        var counts = RetentionCounts()
        // A few hundred series per transaction, so ingest never waits long behind the job.
        for chunk in stride(from: 0, to: series.count, by: 256).map({ Array(series[$0..<min($0 + 256, series.count)]) }) {
            let deleted = try await write { db in
                var c = RetentionCounts()
                for id in chunk {
                    c.raw += try Self.deleteRaw(series: id, before: cutoffs.raw, db)
                    c.minute += try Self.deleteMinutes(series: id, before: cutoffs.minute, db)
                    if let hour = cutoffs.hour {
                        try db.cachedStatement(sql: "DELETE FROM rollups_1h WHERE series = ? AND bucket < ?").execute(arguments: [id, hour])
                        c.hour += db.changesCount
                    }
                }
                return c
            }
            counts.raw += deleted.raw
            counts.minute += deleted.minute
            counts.hour += deleted.hour
        }
        if let batchCutoff = RetentionCutoffs.batchRecords(before: cutoffs.raw) {
            try await write { db in
                try db.execute(sql: "DELETE FROM ingest_batches WHERE received_at < ?", arguments: [batchCutoff])
            }
        }
        if let plays = cutoffs.plays {
            counts.plays = try await write { db in
                try db.execute(sql: #"DELETE FROM plays WHERE "end" < ?"#, arguments: [plays])
                let deleted = db.changesCount
                if let batchCutoff = RetentionCutoffs.batchRecords(before: plays) {
                    try db.execute(sql: "DELETE FROM play_batches WHERE received_at < ?", arguments: [batchCutoff])
                }
                return deleted
            }
        }
        return counts
    }

    /// Deletes a series' rows of hours before `hour` from a block table; returns the readings or
    /// cells they held (the `count` column).
    static func deleteHours(of series: Int64, before hour: Int64, from table: String, _ db: Database) throws -> Int {
        let held = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT coalesce(sum(count), 0) FROM \(table) WHERE series = ? AND hour < ?"), arguments: [series, hour]) ?? 0
        try db.cachedStatement(sql: "DELETE FROM \(table) WHERE series = ? AND hour < ?").execute(arguments: [series, hour])
        return held
    }

    /// Deletes whole hours before the cutoff's hour, then the readings before it in that hour.
    /// Returns how many readings went.
    static func deleteRaw(series: Int64, before cutoff: Int64, _ db: Database) throws -> Int {
        let boundary = RollupTier.hourFloor(cutoff)
        var deleted = try deleteHours(of: series, before: boundary, from: "reading_blocks", db)
        guard boundary < cutoff else { return deleted }
        let key = SeriesBucket(series: series, bucket: boundary)
        let chunks = try Row.fetchAll(
            db, sql: "SELECT chunk, readings FROM reading_blocks WHERE series = ? AND hour = ?", arguments: [series, boundary])
        for row in chunks {
            let chunk: Int64 = row[0]
            let readings = try rawChunk(row, column: 1, key)
            let kept = readings.filter { $0.time >= cutoff }
            guard kept.count < readings.count else { continue }
            deleted += readings.count - kept.count
            if kept.isEmpty {
                try db.execute(
                    sql: "DELETE FROM reading_blocks WHERE series = ? AND hour = ? AND chunk = ?", arguments: [series, boundary, chunk])
            } else {
                try db.execute(
                    sql: "UPDATE reading_blocks SET count = ?, readings = ? WHERE series = ? AND hour = ? AND chunk = ?",
                    arguments: [kept.count, Data(RawChunk.encode(kept, hour: boundary)), series, boundary, chunk])
            }
        }
        return deleted
    }

    /// Deletes minute cells before the cutoff the same way; returns how many cells went.
    static func deleteMinutes(series: Int64, before cutoff: Int64, _ db: Database) throws -> Int {
        let boundary = RollupTier.hourFloor(cutoff)
        var deleted = try deleteHours(of: series, before: boundary, from: "minute_blocks", db)
        guard boundary < cutoff,
            let row = try Row.fetchOne(db, sql: "SELECT series, hour, cells FROM minute_blocks WHERE series = ? AND hour = ?", arguments: [series, boundary])
        else { return deleted }
        var cells = try minuteCells(row)
        let removed = cells.removeBefore(cutoff)
        guard removed > 0 else { return deleted }
        deleted += removed
        if cells.count == 0 {
            try db.execute(sql: "DELETE FROM minute_blocks WHERE series = ? AND hour = ?", arguments: [series, boundary])
        } else {
            try saveMinutes(cells, series: series, db)
        }
        return deleted
    }
}
