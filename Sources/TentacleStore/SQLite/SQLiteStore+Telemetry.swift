public import Foundation
import GRDB
import Synchronization
public import TentacleCore

extension SQLiteStore: TelemetryRepository {
    public func ingest(_ batches: [ReadingBatch], at time: Date) async throws -> [BatchOutcome] {
        let receivedAt = Reading.milliseconds(time)
        let known = seriesIds.withLock { $0 }
        let (outcomes, created) = try await write { db in
            var ids = SeriesIds(known: known)
            let outcomes = try batches.map { try Self.ingest($0, receivedAt: receivedAt, ids: &ids, db) }
            return (outcomes, ids.created)
        }
        // Only series whose rows committed are remembered; series are never deleted.
        if !created.isEmpty { seriesIds.withLock { $0.merge(created) { old, _ in old } } }
        return outcomes
    }

    /// Stores one batch inside the caller's transaction; the hot path of ingest, so every
    /// statement is prepared once per connection and values are bound without boxing.
    private static func ingest(_ batch: ReadingBatch, receivedAt: Int64, ids: inout SeriesIds, _ db: Database) throws -> BatchOutcome {
        let claim = try BoundStatement(
            db, sql: "INSERT OR IGNORE INTO ingest_batches (source, sequence, received_at, reading_count) VALUES (?, ?, ?, ?)")
        claim.bind(1, batch.source)
        claim.bind(2, batch.sequence)
        claim.bind(3, receivedAt)
        claim.bind(4, Int64(batch.readings.count))
        try claim.run()
        guard db.changesCount == 1 else { return BatchOutcome(source: batch.source, sequence: batch.sequence, result: .duplicate) }

        var ownMetrics: [String: Int64] = [:]
        var minutes: [SeriesBucket: RollupCell] = [:]
        var hours: [SeriesBucket: RollupCell] = [:]
        var latest: [Int64: (time: Int64, value: Double)] = [:]
        minutes.reserveCapacity(batch.readings.count)
        var rows: [(series: Int64, time: Int64, value: Double)] = []
        rows.reserveCapacity(batch.readings.count)
        for reading in batch.readings {
            let series: Int64
            if reading.source == batch.source, let id = ownMetrics[reading.metric] {
                series = id
            } else {
                series = try ids.id(SeriesKey(source: reading.source, metric: reading.metric), db)
                if reading.source == batch.source { ownMetrics[reading.metric] = series }
            }
            rows.append((series, reading.time, reading.value))
            let cell = RollupCell(value: reading.value, time: reading.time)
            let minute = SeriesBucket(series: series, bucket: RollupTier.minute.bucketStart(reading.time))
            if minutes[minute]?.merge(cell) == nil { minutes[minute] = cell }
            let hour = SeriesBucket(series: series, bucket: RollupTier.hour.bucketStart(reading.time))
            if hours[hour]?.merge(cell) == nil { hours[hour] = cell }
            // `>=`: among equal times the reading that arrived last wins, as in rollup cells.
            if let current = latest[series], current.time > reading.time { continue }
            latest[series] = (reading.time, reading.value)
        }
        // Rows go in arrival order, many per statement, so SQLite's per-statement work is shared.
        try insertRows(rows, columns: 3, db, sql: { "INSERT INTO readings (series, time, value) VALUES \($0)" }) { statement, at, row in
            statement.bind(at, row.series)
            statement.bind(at + 1, row.time)
            statement.bind(at + 2, row.value)
        }
        for (tier, cells) in [(RollupTier.minute, minutes), (.hour, hours)] {
            try insertRows(Array(cells), columns: 8, db, sql: { upsertSQL(tier, values: $0) }) { statement, at, entry in
                let (key, cell) = entry
                statement.bind(at, key.series)
                statement.bind(at + 1, key.bucket)
                statement.bind(at + 2, cell.min)
                statement.bind(at + 3, cell.max)
                statement.bind(at + 4, cell.sum)
                statement.bind(at + 5, Int64(cell.count))
                statement.bind(at + 6, cell.last)
                statement.bind(at + 7, cell.lastTime)
            }
        }
        let setLatest = try BoundStatement(db, sql: """
            INSERT INTO latest (series, time, value) VALUES (?, ?, ?)
            ON CONFLICT (series) DO UPDATE SET time = excluded.time, value = excluded.value WHERE excluded.time >= latest.time
            """)
        for (series, value) in latest {
            setLatest.bind(1, series)
            setLatest.bind(2, value.time)
            setLatest.bind(3, value.value)
            try setLatest.run()
        }
        return BatchOutcome(source: batch.source, sequence: batch.sequence, result: .stored(batch.readings.count))
    }

    /// Rows per multi-row statement; the rest of a batch goes one row per statement, so each
    /// table needs only two prepared statements.
    static let rowsPerStatement = 64

    /// Runs `sql(values)` for `items`: `rowsPerStatement` rows at a time, then one at a time;
    /// `bind` binds an item's `columns` values starting at the given parameter index.
    private static func insertRows<Item>(
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

    /// One rollup cell's place: a series and the start of its bucket.
    private struct SeriesBucket: Hashable {
        var series: Int64
        var bucket: Int64
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

    private static func table(_ tier: RollupTier) -> String {
        switch tier {
        case .minute: "rollups_1m"
        case .hour: "rollups_1h"
        }
    }

    /// Merges a batch's cell into the stored one the way `RollupCell.merge` does, so the stored
    /// cells never need the raw readings again.
    private static func upsertSQL(_ tier: RollupTier, values: String) -> String {
        let t = table(tier)
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

    // MARK: - Metrics

    public func metrics() async throws -> MetricCatalogue {
        try await pool.read { db in try Self.catalogue(db) }
    }

    public func addMetric(_ metric: Metric, audit: AuditEvent) async throws {
        try await write { db in
            let catalogue = try Self.catalogue(db)
            if catalogue.contains(metric.name) {
                throw StoreError(.conflict, field: "name", "metric '\(metric.name)' already exists")
            }
            _ = try catalogue.adding(metric)
            try db.execute(
                sql: "INSERT INTO metrics (name, unit, low, high, description) VALUES (?, ?, ?, ?, ?)",
                arguments: [metric.name, metric.unit, metric.range.lowerBound, metric.range.upperBound, metric.description])
            try self.append(audit, db)
        }
    }

    private static func catalogue(_ db: Database) throws -> MetricCatalogue {
        var catalogue = MetricCatalogue.builtIn
        for row in try Row.fetchAll(db, sql: "SELECT * FROM metrics ORDER BY name") {
            let low: Double = row["low"], high: Double = row["high"]
            // Stored metrics passed the same checks when added; one that no longer would is skipped
            // rather than making every ingest fail.
            guard low < high else { continue }
            let metric = Metric(name: row["name"], unit: row["unit"], range: low...high, description: row["description"])
            if let extended = try? catalogue.adding(metric) { catalogue = extended }
        }
        return catalogue
    }

    // MARK: - Queries

    public func rawReadings(
        source: String, metric: String, from: Int64, to: Int64, after: ReadingCursor?, limit: Int
    ) async throws -> ReadingPage {
        let limit = max(limit, 1)
        return try await pool.read { db in
            guard let series = try Int64.fetchOne(db, sql: "SELECT id FROM series WHERE source = ? AND metric = ?", arguments: [source, metric])
            else { return ReadingPage(readings: [], next: nil) }
            // (time, rowid) follows the index, so each page is a seek, not a sort.
            var sql = "SELECT rowid, time, value FROM readings WHERE series = ? AND time >= ? AND time < ?"
            var arguments: StatementArguments = [series, from, to]
            if let after {
                sql += " AND (time > ? OR (time = ? AND rowid > ?))"
                arguments += [after.time, after.time, after.row]
            }
            sql += " ORDER BY time, rowid LIMIT \(limit + 1)"
            var readings: [Reading] = []
            var last: ReadingCursor?
            var more = false
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                if readings.count == limit {
                    more = true
                    break
                }
                let time: Int64 = row["time"]
                readings.append(Reading(source: source, metric: metric, time: time, value: row["value"]))
                last = ReadingCursor(time: time, row: row["rowid"])
            }
            return ReadingPage(readings: readings, next: more ? last : nil)
        }
    }

    public func rollups(source: String, metric: String, tier: RollupTier, from: Int64, to: Int64) async throws -> [RollupPoint] {
        let sql = """
            SELECT r.* FROM \(Self.table(tier)) r JOIN series s ON s.id = r.series
            WHERE s.source = ? AND s.metric = ? AND r.bucket >= ? AND r.bucket < ? ORDER BY r.bucket
            """
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [source, metric, from, to]).map(Self.point)
        }
    }

    public func metrics(source: String) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT metric FROM series WHERE source = ? ORDER BY metric", arguments: [source])
        }
    }

    public func latest(_ query: LatestQuery) async throws -> [LatestReading] {
        var clauses: [String] = []
        var args: [any DatabaseValueConvertible] = []
        Self.areaClauses(query.area, &clauses, &args)
        if let metric = query.metric {
            clauses.append("s.metric = ?")
            args.append(metric)
        }
        if let sources = query.sources {
            clauses.append(sources.isEmpty ? "0" : "s.source IN (\(Self.marks(sources.count)))")
            args.append(contentsOf: sources)
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let sql = """
            SELECT s.source, s.metric, l.time, l.value, d.district FROM latest l JOIN series s ON s.id = l.series
            LEFT JOIN displays d ON d.id = s.source \(whereSQL) ORDER BY s.source, s.metric
            """
        let arguments = StatementArguments(args.map { $0.databaseValue })
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                LatestReading(
                    reading: Reading(source: row["source"], metric: row["metric"], time: row["time"] as Int64, value: row["value"]),
                    district: row["district"])
            }
        }
    }

    public func aggregate(metric: String, tier: RollupTier, area: ReadingArea, from: Int64, to: Int64) async throws -> [DistrictAggregate] {
        var clauses = ["s.metric = ?", "r.bucket >= ?", "r.bucket < ?", "d.district IS NOT NULL"]
        var args: [any DatabaseValueConvertible] = [metric, from, to]
        Self.areaClauses(area, &clauses, &args)
        let sql = """
            SELECT d.district, min(r."min") AS lo, max(r."max") AS hi, total(r."sum") AS total, sum(r."count") AS n,
                count(DISTINCT s.source) AS sources
            FROM \(Self.table(tier)) r JOIN series s ON s.id = r.series JOIN displays d ON d.id = s.source
            WHERE \(clauses.joined(separator: " AND ")) GROUP BY d.district ORDER BY d.district
            """
        let arguments = StatementArguments(args.map { $0.databaseValue })
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                DistrictAggregate(
                    district: row["district"], min: row["lo"], max: row["hi"], sum: row["total"], count: row["n"], sources: row["sources"])
            }
        }
    }

    /// Filters on the display joined as `d`; a source that is no display has no district and so
    /// falls out of every scoped or filtered query.
    private static func areaClauses(_ area: ReadingArea, _ clauses: inout [String], _ args: inout [any DatabaseValueConvertible]) {
        if case .only(let allowed) = area.scope {
            clauses.append(allowed.isEmpty ? "0" : "d.district IN (\(marks(allowed.count)))")
            args.append(contentsOf: allowed.sorted())
        }
        if let district = area.district {
            clauses.append("d.district = ?")
            args.append(district)
        }
        if let box = area.bbox {
            clauses.append("d.lat BETWEEN ? AND ? AND d.lon BETWEEN ? AND ?")
            args.append(contentsOf: [box.minLat, box.maxLat, box.minLon, box.maxLon])
        }
        if let sources = area.sources {
            clauses.append(sources.isEmpty ? "0" : "d.id IN (\(marks(sources.count)))")
            args.append(contentsOf: sources)
        }
    }

    private static func marks(_ n: Int) -> String {
        Array(repeating: "?", count: n).joined(separator: ",")
    }

    private static func point(_ row: Row) -> RollupPoint {
        RollupPoint(
            bucketStart: row["bucket"],
            cell: RollupCell(min: row["min"], max: row["max"], sum: row["sum"], count: row["count"], last: row["last"], lastTime: row["last_time"]))
    }

    // MARK: - Retention

    public func deleteExpired(_ cutoffs: RetentionCutoffs) async throws -> RetentionCounts {
        let series = try await pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM series ORDER BY id") }
        var counts = RetentionCounts()
        // A few hundred series per transaction, so ingest never waits long behind the job.
        for chunk in stride(from: 0, to: series.count, by: 256).map({ Array(series[$0..<min($0 + 256, series.count)]) }) {
            let deleted = try await write { db in
                var c = RetentionCounts()
                for id in chunk {
                    try db.cachedStatement(sql: "DELETE FROM readings WHERE series = ? AND time < ?").execute(arguments: [id, cutoffs.raw])
                    c.raw += db.changesCount
                    try db.cachedStatement(sql: "DELETE FROM rollups_1m WHERE series = ? AND bucket < ?").execute(arguments: [id, cutoffs.minute])
                    c.minute += db.changesCount
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
        // A batch record must outlive every reading it could hold, or a late resend would be stored
        // twice; readings lie at most minutes ahead of their arrival, so an hour's margin is plenty.
        let batchCutoff = cutoffs.raw.addingReportingOverflow(-3_600_000)
        if !batchCutoff.overflow {
            try await write { db in
                try db.execute(sql: "DELETE FROM ingest_batches WHERE received_at < ?", arguments: [batchCutoff.partialValue])
            }
        }
        return counts
    }
}
