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
    struct SeriesBucket: Hashable {
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

    /// Merges a batch's hour cells into the stored ones the way `RollupCell.merge` does, so the
    /// stored cells never need the raw readings again.
    private static func hourUpsertSQL(values: String) -> String {
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
            guard from < to,
                let series = try Int64.fetchOne(db, sql: "SELECT id FROM series WHERE source = ? AND metric = ?", arguments: [source, metric])
            else { return ReadingPage(readings: [], next: nil) }
            // Readings of one time always share an hour, so each hour's chunks are sorted on
            // their own by (time, arrival) and the hours follow one another.
            var firstHour = RollupTier.hourFloor(from)
            if let after { firstHour = max(firstHour, RollupTier.hourFloor(after.time)) }
            let rows = try Row.fetchCursor(
                db, sql: "SELECT hour, chunk, readings FROM reading_blocks WHERE series = ? AND hour >= ? AND hour < ? ORDER BY hour, chunk",
                arguments: [series, firstHour, to])
            var found: [(time: Int64, position: Int64, value: Double)] = []
            var hour: [(time: Int64, position: Int64, value: Double)] = []
            var currentHour: Int64?
            func finishHour() {
                hour.sort { ($0.time, $0.position) < ($1.time, $1.position) }
                found += hour
                hour.removeAll(keepingCapacity: true)
            }
            while let row = try rows.next() {
                let h: Int64 = row[0]
                if h != currentHour {
                    finishHour()
                    if found.count > limit { break }
                    currentHour = h
                }
                let chunk: Int64 = row[1]
                let readings = try Self.rawChunk(row, column: 2, SeriesBucket(series: series, bucket: h))
                for (i, r) in readings.enumerated() where r.time >= from && r.time < to {
                    let position = RawChunk.position(chunk: chunk, index: i)
                    if let after, (r.time, position) <= (after.time, after.row) { continue }
                    hour.append((r.time, position, r.value))
                }
            }
            finishHour()
            let page = found.prefix(limit)
            let next = found.count > limit ? page.last.map { ReadingCursor(time: $0.time, row: $0.position) } : nil
            return ReadingPage(readings: page.map { Reading(source: source, metric: metric, time: $0.time, value: $0.value) }, next: next)
        }
    }

    public func rollups(source: String, metric: String, tier: RollupTier, from: Int64, to: Int64) async throws -> [RollupPoint] {
        guard from < to else { return [] }
        switch tier {
        case .hour:
            let sql = """
                SELECT r.* FROM rollups_1h r JOIN series s ON s.id = r.series
                WHERE s.source = ? AND s.metric = ? AND r.bucket >= ? AND r.bucket < ? ORDER BY r.bucket
                """
            return try await pool.read { db in
                try Row.fetchAll(db, sql: sql, arguments: [source, metric, from, to]).map(Self.point)
            }
        case .minute:
            let sql = """
                SELECT m.series, m.hour, m.cells FROM minute_blocks m JOIN series s ON s.id = m.series
                WHERE s.source = ? AND s.metric = ? AND m.hour >= ? AND m.hour < ? ORDER BY m.hour
                """
            return try await pool.read { db in
                var points: [RollupPoint] = []
                let rows = try Row.fetchCursor(db, sql: sql, arguments: [source, metric, RollupTier.hourFloor(from), to])
                while let row = try rows.next() {
                    for point in try Self.minuteCells(row).points where point.bucketStart >= from && point.bucketStart < to {
                        points.append(RollupPoint(bucketStart: point.bucketStart, cell: point.cell))
                    }
                }
                return points
            }
        }
    }

    /// The readings of the `reading_blocks` chunk selected in `column`, which holds readings of `key`'s hour.
    private static func rawChunk(_ row: Row, column: Int, _ key: SeriesBucket) throws -> [TimedValue] {
        guard let data: Data = row[column], let readings = data.withUnsafeBytes({ RawChunk.decode($0, hour: key.bucket) }) else {
            throw corrupt("raw readings", key)
        }
        return readings
    }

    /// The cells of a `minute_blocks` row selected as (series, hour, cells).
    private static func minuteCells(_ row: Row) throws -> MinuteCells {
        let key = SeriesBucket(series: row[0], bucket: row[1])
        guard let data: Data = row[2], let cells = data.withUnsafeBytes({ MinuteCells(hour: key.bucket, bytes: $0) }) else {
            throw corrupt("minute cells", key)
        }
        return cells
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
            \(Self.places) SELECT s.source, s.metric, l.time, l.value, d.district FROM latest l JOIN series s ON s.id = l.series
            LEFT JOIN places d ON d.id = s.source \(whereSQL) ORDER BY s.source, s.metric
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
        guard from < to else { return [] }
        var clauses = ["s.metric = ?", "d.district IS NOT NULL"]
        var args: [any DatabaseValueConvertible] = [metric]
        switch tier {
        case .hour:
            clauses += ["r.bucket >= ?", "r.bucket < ?"]
            args += [from, to]
        case .minute:
            clauses += ["m.hour >= ?", "m.hour < ?"]
            args += [RollupTier.hourFloor(from), to]
        }
        Self.areaClauses(area, &clauses, &args)
        let arguments = StatementArguments(args.map { $0.databaseValue })
        switch tier {
        case .hour:
            let sql = """
                \(Self.places) SELECT d.district, min(r."min") AS lo, max(r."max") AS hi, total(r."sum") AS total, sum(r."count") AS n,
                    count(DISTINCT s.source) AS sources
                FROM rollups_1h r JOIN series s ON s.id = r.series JOIN places d ON d.id = s.source
                WHERE \(clauses.joined(separator: " AND ")) GROUP BY d.district ORDER BY d.district
                """
            return try await pool.read { db in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                    DistrictAggregate(
                        district: row["district"], min: row["lo"], max: row["hi"], sum: row["total"], count: row["n"], sources: row["sources"])
                }
            }
        case .minute:
            // Minute cells are packed per hour, so the hours are read and the cells in range folded here.
            let sql = """
                \(Self.places) SELECT m.series, m.hour, m.cells, d.district, s.source FROM minute_blocks m JOIN series s ON s.id = m.series
                JOIN places d ON d.id = s.source WHERE \(clauses.joined(separator: " AND "))
                """
            return try await pool.read { db in
                var districts: [String: (cell: RollupCell, sources: Set<String>)] = [:]
                let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
                while let row = try rows.next() {
                    let district: String = row[3], source: String = row[4]
                    for point in try Self.minuteCells(row).points where point.bucketStart >= from && point.bucketStart < to {
                        if districts[district]?.cell.merge(point.cell) == nil {
                            districts[district] = (point.cell, [])
                        }
                        districts[district]?.sources.insert(source)
                    }
                }
                return districts.sorted { $0.key < $1.key }.map { district, entry in
                    DistrictAggregate(
                        district: district, min: entry.cell.min, max: entry.cell.max, sum: entry.cell.sum, count: entry.cell.count,
                        sources: entry.sources.count)
                }
            }
        }
    }

    public func aggregate(metric: String, area: ReadingArea, at: Int64, window: Int64) async throws -> [DistrictAggregate] {
        var clauses = ["s.metric = ?", "d.district IS NOT NULL"]
        var args: [any DatabaseValueConvertible] = [metric]
        Self.areaClauses(area, &clauses, &args)
        let sql = """
            \(Self.places) SELECT s.id, s.source, d.district, l.time, l.value FROM series s JOIN places d ON d.id = s.source
            LEFT JOIN latest l ON l.series = s.id WHERE \(clauses.joined(separator: " AND "))
            """
        let arguments = StatementArguments(args.map { $0.databaseValue })
        let (start, overflow) = at.subtractingReportingOverflow(window)
        let after = overflow ? Int64.min : start
        return try await pool.read { db in
            var districts: [String: RollupCell] = [:]
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                let latestTime: Int64? = row[3]
                guard let latestTime, latestTime > after else { continue }
                // The latest reading answers unless it came after the instant; then the raw
                // readings of the window are searched.
                let value: Double
                if latestTime <= at {
                    value = row[4]
                } else if let found = try Self.newestReading(series: row[0], after: after, atOrBefore: at, db) {
                    value = found.value
                } else {
                    continue
                }
                let district: String = row[2]
                let cell = RollupCell(value: value, time: at)
                if districts[district]?.merge(cell) == nil { districts[district] = cell }
            }
            return districts.sorted { $0.key < $1.key }.map { district, cell in
                DistrictAggregate(district: district, min: cell.min, max: cell.max, sum: cell.sum, count: cell.count, sources: cell.count)
            }
        }
    }

    /// The newest raw reading of a series with `after < time <= atOrBefore` (among equal times the
    /// last to arrive), searching hours from the newest back.
    private static func newestReading(series: Int64, after: Int64, atOrBefore: Int64, _ db: Database) throws -> TimedValue? {
        let rows = try Row.fetchCursor(
            db, sql: "SELECT hour, readings FROM reading_blocks WHERE series = ? AND hour >= ? AND hour <= ? ORDER BY hour DESC, chunk",
            arguments: [series, RollupTier.hourFloor(after), atOrBefore])
        var best: TimedValue?
        var bestHour: Int64?
        while let row = try rows.next() {
            let hour: Int64 = row[0]
            // Hours come newest first, so the first hour holding a match holds the answer.
            if let bestHour, hour != bestHour { break }
            let readings = try rawChunk(row, column: 1, SeriesBucket(series: series, bucket: hour))
            // Chunks of an hour come in arrival order, and `>=` lets a later arrival win a tie.
            for r in readings where r.time > after && r.time <= atOrBefore && r.time >= (best?.time ?? .min) {
                best = r
                bestHour = hour
            }
        }
        return best
    }

    /// Where each source is: displays, and registered sensors by their own location (a display's
    /// readings keep the display's place should a sensor share its id).
    static let places = """
        WITH places (id, district, lat, lon) AS (
            SELECT id, district, lat, lon FROM displays
            UNION ALL SELECT id, district, lat, lon FROM sensors WHERE id NOT IN (SELECT id FROM displays))
        """

    /// Filters on the place joined as `d`; a source that is neither a display nor a registered
    /// sensor has no district and so falls out of every scoped or filtered query.
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
        // A batch record must outlive every reading it could hold, or a late resend would be stored
        // twice; readings lie at most minutes ahead of their arrival, so an hour's margin is plenty.
        let batchCutoff = cutoffs.raw.addingReportingOverflow(-3_600_000)
        if !batchCutoff.overflow {
            try await write { db in
                try db.execute(sql: "DELETE FROM ingest_batches WHERE received_at < ?", arguments: [batchCutoff.partialValue])
            }
        }
        if let plays = cutoffs.plays {
            counts.plays = try await write { db in
                try db.execute(sql: #"DELETE FROM plays WHERE "end" < ?"#, arguments: [plays])
                let deleted = db.changesCount
                // A batch received before the cutoff holds plays that ended before it arrived; the
                // same hour's margin as for readings covers agent clocks running a little ahead.
                let batchCutoff = plays.addingReportingOverflow(-3_600_000)
                if !batchCutoff.overflow {
                    try db.execute(sql: "DELETE FROM play_batches WHERE received_at < ?", arguments: [batchCutoff.partialValue])
                }
                return deleted
            }
        }
        return counts
    }

    /// Deletes a series' rows of hours before `hour` from a block table; returns the readings or
    /// cells they held (the `count` column).
    private static func deleteHours(of series: Int64, before hour: Int64, from table: String, _ db: Database) throws -> Int {
        let held = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT coalesce(sum(count), 0) FROM \(table) WHERE series = ? AND hour < ?"), arguments: [series, hour]) ?? 0
        try db.cachedStatement(sql: "DELETE FROM \(table) WHERE series = ? AND hour < ?").execute(arguments: [series, hour])
        return held
    }

    /// Deletes whole hours before the cutoff's hour, then the readings before it in that hour.
    /// Returns how many readings went.
    private static func deleteRaw(series: Int64, before cutoff: Int64, _ db: Database) throws -> Int {
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
    private static func deleteMinutes(series: Int64, before cutoff: Int64, _ db: Database) throws -> Int {
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
