import Foundation
import GRDB
public import TentacleCore

/// Reading telemetry back: the metric catalogue, raw pages, rollups, latest values and district aggregates.
extension SQLiteStore {
    // MARK: - Metrics

    public func metrics() async throws -> MetricCatalogue {
        try await read { db in try Self.catalogue(db) }
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

    static func catalogue(_ db: Database) throws -> MetricCatalogue {
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
        return try await read { db in
            var builder = RawPageBuilder(from: from, to: to, after: after, limit: limit)
            guard from < to,
                let series = try Int64.fetchOne(db, sql: "SELECT id FROM series WHERE source = ? AND metric = ?", arguments: [source, metric])
            else { return ReadingPage(readings: [], next: nil) }
            let rows = try Row.fetchCursor(
                db, sql: "SELECT hour, chunk, readings FROM reading_blocks WHERE series = ? AND hour >= ? AND hour < ? ORDER BY hour, chunk",
                arguments: [series, builder.firstHour, to])
            while let row = try rows.next() {
                let h: Int64 = row[0]
                let chunk: Int64 = row[1]
                guard builder.add(try Self.rawChunk(row, column: 2, SeriesBucket(series: series, bucket: h)), hour: h, chunk: chunk) else { break }
            }
            return builder.page(source: source, metric: metric)
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
            return try await read { db in
                try Row.fetchAll(db, sql: sql, arguments: [source, metric, from, to]).map(Self.point)
            }
        case .minute:
            let sql = """
                SELECT m.series, m.hour, m.cells FROM minute_blocks m JOIN series s ON s.id = m.series
                WHERE s.source = ? AND s.metric = ? AND m.hour >= ? AND m.hour < ? ORDER BY m.hour
                """
            return try await read { db in
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
    static func rawChunk(_ row: Row, column: Int, _ key: SeriesBucket) throws -> [TimedValue] {
        guard let data: Data = row[column], let readings = data.withUnsafeBytes({ RawChunk.decode($0, hour: key.bucket) }) else {
            throw corrupt("raw readings", key)
        }
        return readings
    }

    /// The cells of a `minute_blocks` row selected as (series, hour, cells).
    static func minuteCells(_ row: Row) throws -> MinuteCells {
        let key = SeriesBucket(series: row[0], bucket: row[1])
        guard let data: Data = row[2], let cells = data.withUnsafeBytes({ MinuteCells(hour: key.bucket, bytes: $0) }) else {
            throw corrupt("minute cells", key)
        }
        return cells
    }

    public func metrics(source: String) async throws -> [String] {
        try await read { db in
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
        return try await read { db in
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
            return try await read { db in
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
            return try await read { db in
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
        return try await read { db in
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
    static func newestReading(series: Int64, after: Int64, atOrBefore: Int64, _ db: Database) throws -> TimedValue? {
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
    static func areaClauses(_ area: ReadingArea, _ clauses: inout [String], _ args: inout [any DatabaseValueConvertible]) {
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

    static func marks(_ n: Int) -> String {
        Array(repeating: "?", count: n).joined(separator: ",")
    }

    static func point(_ row: Row) -> RollupPoint {
        RollupPoint(
            bucketStart: row["bucket"],
            cell: RollupCell(min: row["min"], max: row["max"], sum: row["sum"], count: row["count"], last: row["last"], lastTime: row["last_time"]))
    }
}
