public import Foundation
import GRDB
import Synchronization
public import TentacleCore

extension SQLiteStore: TelemetryRepository {
    public func ingest(_ batches: [ReadingBatch], at time: Date) async throws -> [BatchOutcome] {
        let receivedAt = Reading.milliseconds(time)
        let known = seriesIds.withLock { $0 }
        let follower = ingestFollower.withLock { $0 }
        let (outcomes, created) = try await write { db in
            var ids = SeriesIds(known: known)
            let outcomes = try batches.map { try Self.ingest($0, receivedAt: receivedAt, ids: &ids, db) }
            if let follower {
                let stored = zip(batches, outcomes).compactMap { batch, outcome in outcome.result == .duplicate ? nil : batch }
                if !stored.isEmpty { _ = try Self.queue(follower.follow(stored, receivedAt: receivedAt), db) }
            }
            return (outcomes, ids.created)
        }
        // Only series whose rows committed are remembered; series are never deleted.
        if !created.isEmpty { seriesIds.withLock { $0.merge(created) { old, _ in old } } }
        return outcomes
    }

    /// Stores one batch inside the caller's transaction; the hot path of ingest, so every
    /// statement is prepared once per connection and values are bound without boxing.
    static func ingest(_ batch: ReadingBatch, receivedAt: Int64, ids: inout SeriesIds, _ db: Database) throws -> BatchOutcome {
        let claim = try BoundStatement(
            db, sql: "INSERT OR IGNORE INTO ingest_batches (source, epoch, sequence, received_at, reading_count) VALUES (?, ?, ?, ?, ?)")
        claim.bind(1, batch.source)
        claim.bind(2, batch.epoch)
        claim.bind(3, batch.sequence)
        claim.bind(4, receivedAt)
        claim.bind(5, Int64(batch.readings.count))
        try claim.run()
        guard db.changesCount == 1 else { return BatchOutcome(source: batch.source, sequence: batch.sequence, result: .duplicate) }

        // Readings grouped by series and hour, each group in arrival order. A batch mostly lists
        // its metrics in a fixed order, so the series after the last one is tried before hashing.
        var met: [MetSeries] = []
        var index: [SeriesKey: Int] = [:]
        var groups: [(key: SeriesBucket, readings: [TimedValue])] = []
        var previous = -1
        for reading in batch.readings {
            func matches(_ i: Int) -> Bool { met[i].metric == reading.metric && met[i].source == reading.source }
            let next = previous + 1 < met.count ? previous + 1 : 0
            let m: Int
            if previous >= 0 && matches(previous) {
                m = previous
            } else if !met.isEmpty && matches(next) {
                m = next
            } else if let known = index[SeriesKey(source: reading.source, metric: reading.metric)] {
                m = known
            } else {
                let key = SeriesKey(source: reading.source, metric: reading.metric)
                m = met.count
                index[key] = m
                met.append(MetSeries(source: reading.source, metric: reading.metric, id: try ids.id(key, db)))
            }
            previous = m
            let value = TimedValue(time: reading.time, value: reading.value)
            let hour = RollupTier.hour.bucketStart(reading.time)
            if let g = met[m].groups.last(where: { groups[$0].key.bucket == hour }) {
                groups[g].readings.append(value)
            } else {
                met[m].groups.append(groups.count)
                groups.append((SeriesBucket(series: met[m].id, bucket: hour), [value]))
            }
            // `>=`: among equal times the reading that arrived last wins, as in rollup cells.
            if met[m].latest.map({ $0.time <= reading.time }) ?? true { met[m].latest = value }
        }
        var hours: [(key: SeriesBucket, cell: RollupCell)] = []
        hours.reserveCapacity(groups.count)
        for (key, readings) in groups {
            try appendRaw(readings, to: key, db)
            try mergeMinutes(readings, into: key, db)
            var cell = RollupCell(value: readings[0].value, time: readings[0].time)
            for r in readings.dropFirst() { cell.merge(RollupCell(value: r.value, time: r.time)) }
            hours.append((key, cell))
        }
        try insertRows(hours, columns: 8, db, sql: hourUpsertSQL) { statement, at, entry in
            statement.bind(at, entry.key.series)
            statement.bind(at + 1, entry.key.bucket)
            statement.bind(at + 2, entry.cell.min)
            statement.bind(at + 3, entry.cell.max)
            statement.bind(at + 4, entry.cell.sum)
            statement.bind(at + 5, Int64(entry.cell.count))
            statement.bind(at + 6, entry.cell.last)
            statement.bind(at + 7, entry.cell.lastTime)
        }
        let setLatest = try BoundStatement(db, sql: """
            INSERT INTO latest (series, time, value) VALUES (?, ?, ?)
            ON CONFLICT (series) DO UPDATE SET time = excluded.time, value = excluded.value WHERE excluded.time >= latest.time
            """)
        for series in met {
            guard let value = series.latest else { continue }
            setLatest.bind(1, series.id)
            setLatest.bind(2, value.time)
            setLatest.bind(3, value.value)
            try setLatest.run()
        }
        return BatchOutcome(source: batch.source, sequence: batch.sequence, result: .stored(batch.readings.count))
    }

    /// A series a batch has readings of, and the groups (by hour) of its readings.
    private struct MetSeries {
        let source: String
        let metric: String
        let id: Int64
        var groups: [Int] = []
        var latest: TimedValue?
    }

    /// Appends readings of one series and hour to the hour's last chunk while it has room, then
    /// to new chunks. SQLite concatenates the new bytes onto the stored ones, so the chunk is
    /// never read back or decoded here.
    static func appendRaw(_ readings: [TimedValue], to key: SeriesBucket, _ db: Database) throws {
        let last = try BoundStatement(db, sql: "SELECT chunk, count FROM reading_blocks WHERE series = ? AND hour = ? ORDER BY chunk DESC LIMIT 1")
        last.bind(1, key.series)
        last.bind(2, key.bucket)
        let tail = try last.first { (chunk: $0.int64(0), count: Int($0.int64(1))) }
        var start = 0
        if let tail, tail.count < RawChunk.capacity {
            start = min(RawChunk.capacity - tail.count, readings.count)
            // `||` yields text; the cast keeps every byte and makes it a blob again.
            let append = try BoundStatement(db, sql: """
                UPDATE reading_blocks SET count = count + ?, readings = CAST(readings || ? AS BLOB)
                WHERE series = ? AND hour = ? AND chunk = ?
                """)
            append.bind(1, Int64(start))
            append.bind(2, RawChunk.encode(readings[..<start], hour: key.bucket))
            append.bind(3, key.series)
            append.bind(4, key.bucket)
            append.bind(5, tail.chunk)
            try append.run()
        }
        guard start < readings.count else { return }
        var chunk = (tail?.chunk ?? -1) + 1
        let insert = try BoundStatement(db, sql: "INSERT INTO reading_blocks (series, hour, chunk, count, readings) VALUES (?, ?, ?, ?, ?)")
        while start < readings.count {
            let end = min(start + RawChunk.capacity, readings.count)
            insert.bind(1, key.series)
            insert.bind(2, key.bucket)
            insert.bind(3, chunk)
            insert.bind(4, Int64(end - start))
            insert.bind(5, RawChunk.encode(readings[start..<end], hour: key.bucket))
            try insert.run()
            start = end
            chunk += 1
        }
    }

    /// Merges readings of one series and hour, in arrival order, into the hour's stored minute cells.
    static func mergeMinutes(_ readings: [TimedValue], into key: SeriesBucket, _ db: Database) throws {
        let find = try BoundStatement(db, sql: "SELECT cells FROM minute_blocks WHERE series = ? AND hour = ?")
        find.bind(1, key.series)
        find.bind(2, key.bucket)
        let stored = try find.first { MinuteCells(hour: key.bucket, bytes: $0.blob(0)) }
        var cells: MinuteCells
        switch stored {
        case .none: cells = MinuteCells(hour: key.bucket)
        case .some(.some(let found)): cells = found
        case .some(.none): throw corrupt("minute cells", key)
        }
        for r in readings { cells.merge(r) }
        try saveMinutes(cells, series: key.series, db)
    }

    static func saveMinutes(_ cells: MinuteCells, series: Int64, _ db: Database) throws {
        let save = try BoundStatement(db, sql: """
            INSERT INTO minute_blocks (series, hour, count, cells) VALUES (?, ?, ?, ?)
            ON CONFLICT (series, hour) DO UPDATE SET count = excluded.count, cells = excluded.cells
            """)
        save.bind(1, series)
        save.bind(2, cells.hour)
        save.bind(3, Int64(cells.count))
        save.bind(4, cells.encoded())
        try save.run()
    }

    /// A stored block that does not decode: the database file was damaged, not the request.
    static func corrupt(_ what: String, _ key: SeriesBucket) -> DatabaseError {
        DatabaseError(resultCode: .SQLITE_CORRUPT, message: "the stored \(what) of series \(key.series) at \(key.bucket) are unreadable")
    }

    /// Rows per multi-row statement; the rest of a batch goes one row per statement, so each
    /// table needs only two prepared statements.
    static let rowsPerStatement = 64

    /// Runs `sql(values)` for `items`: `rowsPerStatement` rows at a time, then one at a time;
    /// `bind` binds an item's `columns` values starting at the given parameter index.
    static func insertRows<Item>(
        _ items: [Item], columns: Int32, _ db: Database, sql: (String) -> String, bind: (BoundStatement, Int32, Item) -> Void
    ) throws {
        func values(_ rows: Int) -> String {
            let tuple = "(" + Array(repeating: "?", count: Int(columns)).joined(separator: ", ") + ")"
            return Array(repeating: tuple, count: rows).joined(separator: ", ")
        }
        var start = 0
        if items.count >= rowsPerStatement {
            let many = try BoundStatement(db, sql: sql(values(rowsPerStatement)))
            while items.count - start >= rowsPerStatement {
                for i in 0..<rowsPerStatement { bind(many, Int32(i) * columns + 1, items[start + i]) }
                try many.run()
                start += rowsPerStatement
            }
        }
        guard start < items.count else { return }
        let one = try BoundStatement(db, sql: sql(values(1)))
        for item in items[start...] {
            bind(one, 1, item)
            try one.run()
        }
    }

    /// Series ids during one transaction: the ones known before it, and the ones it creates.
    struct SeriesIds {
        let known: [SeriesKey: Int64]
        var created: [SeriesKey: Int64] = [:]

        mutating func id(_ key: SeriesKey, _ db: Database) throws -> Int64 {
            if let id = known[key] ?? created[key] { return id }
            let id = try SQLiteStore.seriesId(key, db)
            created[key] = id
            return id
        }
    }

    static func seriesId(_ key: SeriesKey, _ db: Database) throws -> Int64 {
        let find = try db.cachedStatement(sql: "SELECT id FROM series WHERE source = ? AND metric = ?")
        if let id = try Int64.fetchOne(find, arguments: [key.source, key.metric]) { return id }
        let create = try db.cachedStatement(sql: "INSERT INTO series (source, metric) VALUES (?, ?)")
        try create.execute(arguments: [key.source, key.metric])
        return db.lastInsertedRowID
    }

    /// Merges a batch's hour cells into the stored ones the way `RollupCell.merge` does, so the
    /// stored cells never need the raw readings again.
    static func hourUpsertSQL(values: String) -> String {
        let t = "rollups_1h"
        return """
            INSERT INTO \(t) (series, bucket, "min", "max", "sum", "count", last, last_time) VALUES \(values)
            ON CONFLICT (series, bucket) DO UPDATE SET
                "min" = min(\(t)."min", excluded."min"),
                "max" = max(\(t)."max", excluded."max"),
                "sum" = \(t)."sum" + excluded."sum",
                "count" = \(t)."count" + excluded."count",
                last = CASE WHEN excluded.last_time >= \(t).last_time THEN excluded.last ELSE \(t).last END,
                last_time = max(\(t).last_time, excluded.last_time)
            """
    }
}
