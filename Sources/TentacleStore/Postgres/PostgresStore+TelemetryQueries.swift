import Foundation
import NIOCore
import PostgresNIO
public import TentacleCore

/// Reading telemetry back: the metric catalogue, raw pages, rollups, latest values and district aggregates.
extension PostgresStore {
    // MARK: - Metrics

    public func metrics() async throws -> MetricCatalogue {
        try await read { connection in try await catalogue(connection) }
    }

    public func addMetric(_ metric: Metric, audit: AuditEvent) async throws {
        try await write { connection in
            let catalogue = try await catalogue(connection)
            if catalogue.contains(metric.name) {
                throw StoreError(.conflict, field: "name", "metric '\(metric.name)' already exists")
            }
            _ = try catalogue.adding(metric)
            try await connection.query(
                """
                INSERT INTO metrics (name, unit, low, high, description)
                VALUES (\(metric.name), \(metric.unit), \(metric.range.lowerBound), \(metric.range.upperBound), \(metric.description))
                """, logger: logger)
            try await append(audit, connection)
        }
    }

    private func catalogue(_ connection: PostgresConnection) async throws -> MetricCatalogue {
        var catalogue = MetricCatalogue.builtIn
        let rows = try await connection.query("SELECT name, unit, low, high, description FROM metrics ORDER BY name", logger: logger)
        for try await (name, unit, low, high, description) in rows.decode((String, String, Double, Double, String).self) {
            // Stored metrics passed the same checks when added; one that no longer would is skipped
            // rather than making every ingest fail.
            guard low < high else { continue }
            if let extended = try? catalogue.adding(Metric(name: name, unit: unit, range: low...high, description: description)) {
                catalogue = extended
            }
        }
        return catalogue
    }

    // MARK: - Queries

    public func rawReadings(
        source: String, metric: String, from: Int64, to: Int64, after: ReadingCursor?, limit: Int
    ) async throws -> ReadingPage {
        guard from < to else { return ReadingPage(readings: [], next: nil) }
        return try await read { connection in
            var builder = RawPageBuilder(from: from, to: to, after: after, limit: limit)
            let rows = try await connection.query(
                """
                SELECT b.hour, b.chunk, b.readings FROM reading_blocks b JOIN series s ON s.id = b.series
                WHERE s.source = \(source) AND s.metric = \(metric) AND b.hour >= \(builder.firstHour) AND b.hour < \(to) ORDER BY b.hour, b.chunk
                """, logger: logger)
            for try await (h, chunk, bytes) in rows.decode((Int64, Int64, ByteBuffer).self) {
                guard builder.add(try Self.rawChunk(bytes, hour: h), hour: h, chunk: chunk) else { break }
            }
            return builder.page(source: source, metric: metric)
        }
    }

    public func rollups(source: String, metric: String, tier: RollupTier, from: Int64, to: Int64) async throws -> [RollupPoint] {
        guard from < to else { return [] }
        return try await read { connection in
            switch tier {
            case .minute:
                let rows = try await connection.query(
                    """
                    SELECT b.hour, b.cells FROM minute_blocks b JOIN series s ON s.id = b.series
                    WHERE s.source = \(source) AND s.metric = \(metric) AND b.hour >= \(RollupTier.hourFloor(from)) AND b.hour < \(to)
                    ORDER BY b.hour, b.chunk
                    """, logger: logger)
                var hours = MinuteHours()
                for try await (hour, bytes) in rows.decode((Int64, ByteBuffer).self) { hours.add(try Self.minuteCells(bytes, hour: hour)) }
                return hours.points(from: from, to: to)
            case .hour:
                let rows = try await connection.query(
                    """
                    SELECT r.bucket, r."min", r."max", r."sum", r."count", r.last, r.last_time FROM rollups_1h r
                    JOIN series s ON s.id = r.series WHERE s.source = \(source) AND s.metric = \(metric) AND r.bucket >= \(from) AND r.bucket < \(to)
                    ORDER BY r.bucket
                    """, logger: logger)
                var points: [RollupPoint] = []
                for try await (bucket, min, max, sum, count, last, lastTime) in rows.decode((Int64, Double, Double, Double, Int, Double, Int64).self) {
                    points.append(RollupPoint(bucketStart: bucket, cell: RollupCell(min: min, max: max, sum: sum, count: count, last: last, lastTime: lastTime)))
                }
                return points
            }
        }
    }

    /// The cells of a `minute_blocks` row of the hour starting at `hour`.
    static func minuteCells(_ bytes: ByteBuffer, hour: Int64) throws -> MinuteCells {
        guard let cells = bytes.withUnsafeReadableBytes({ MinuteCells(hour: hour, bytes: $0) }) else {
            throw DamagedRow("the stored minute cells of the hour starting at \(hour) are unreadable")
        }
        return cells
    }

    /// The readings of a `reading_blocks` row of the hour starting at `hour`.
    static func rawChunk(_ bytes: ByteBuffer, hour: Int64) throws -> [TimedValue] {
        guard let readings = bytes.withUnsafeReadableBytes({ RawChunk.decode($0, hour: hour) }) else {
            throw DamagedRow("the stored raw readings of the hour starting at \(hour) are unreadable")
        }
        return readings
    }

    public func metrics(source: String) async throws -> [String] {
        try await read { connection in
            let rows = try await connection.query("SELECT metric FROM series WHERE source = \(source) ORDER BY metric", logger: logger)
            return try await rows.decode(String.self).reduce(into: []) { $0.append($1) }
        }
    }

    public func latest(_ query: LatestQuery) async throws -> [LatestReading] {
        var filter = Filter()
        filter.area(query.area)
        if let metric = query.metric { filter.clauses.append("s.metric = \(filter.bind(metric))") }
        if let sources = query.sources { filter.clauses.append(sources.isEmpty ? "FALSE" : "s.source = ANY(\(filter.bind(sources)))") }
        let sql = """
            \(Self.places) SELECT s.source, s.metric, l.time, l.value, d.district FROM latest l JOIN series s ON s.id = l.series
            LEFT JOIN places d ON d.id = s.source \(filter.whereSQL) ORDER BY s.source, s.metric
            """
        return try await read { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: filter.bindings), logger: logger)
            var found: [LatestReading] = []
            for try await (source, metric, time, value, district) in rows.decode((String, String, Int64, Double, String?).self) {
                found.append(LatestReading(reading: Reading(source: source, metric: metric, time: time, value: value), district: district))
            }
            return found
        }
    }

    public func aggregate(metric: String, tier: RollupTier, area: ReadingArea, from: Int64, to: Int64) async throws -> [DistrictAggregate] {
        guard from < to else { return [] }
        var filter = Filter()
        filter.clauses.append("s.metric = \(filter.bind(metric))")
        switch tier {
        case .minute:
            filter.clauses += ["b.hour >= \(filter.bind(RollupTier.hourFloor(from)))", "b.hour < \(filter.bind(to))"]
        case .hour:
            filter.clauses += ["r.bucket >= \(filter.bind(from))", "r.bucket < \(filter.bind(to))"]
        }
        filter.area(area)
        switch tier {
        case .minute:
            // Cells are packed per hour, so the districts are summed here rather than by the server.
            let sql = """
                \(Self.places) SELECT d.district, s.source, b.hour, b.cells
                FROM minute_blocks b JOIN series s ON s.id = b.series JOIN places d ON d.id = s.source \(filter.whereSQL)
                """
            return try await read { connection in
                let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: filter.bindings), logger: logger)
                var districts: [String: (cell: RollupCell, sources: Set<String>)] = [:]
                for try await (district, source, hour, bytes) in rows.decode((String, String, Int64, ByteBuffer).self) {
                    for point in try Self.minuteCells(bytes, hour: hour).points where point.bucketStart >= from && point.bucketStart < to {
                        if districts[district]?.cell.merge(point.cell) == nil {
                            districts[district] = (point.cell, [])
                        }
                        districts[district]?.sources.insert(source)
                    }
                }
                return districts.sorted { $0.key < $1.key }.map { district, found in
                    DistrictAggregate(district: district, min: found.cell.min, max: found.cell.max, sum: found.cell.sum, count: found.cell.count, sources: found.sources.count)
                }
            }
        case .hour:
            let sql = """
                \(Self.places) SELECT d.district, min(r."min"), max(r."max"), sum(r."sum"), sum(r."count")::bigint, count(DISTINCT s.source)
                FROM rollups_1h r JOIN series s ON s.id = r.series JOIN places d ON d.id = s.source
                \(filter.whereSQL) GROUP BY d.district ORDER BY d.district
                """
            return try await read { connection in
                let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: filter.bindings), logger: logger)
                var found: [DistrictAggregate] = []
                for try await (district, min, max, sum, count, sources) in rows.decode((String, Double, Double, Double, Int, Int).self) {
                    found.append(DistrictAggregate(district: district, min: min, max: max, sum: sum, count: count, sources: sources))
                }
                return found
            }
        }
    }

    public func aggregate(metric: String, area: ReadingArea, at: Int64, window: Int64) async throws -> [DistrictAggregate] {
        let (start, overflow) = at.subtractingReportingOverflow(window)
        let after = overflow ? Int64.min : start
        var filter = Filter()
        filter.clauses += ["s.metric = \(filter.bind(metric))", "l.time > \(filter.bind(after))"]
        filter.area(area)
        let sql = """
            \(Self.places) SELECT s.id, d.district, l.time, l.value FROM series s JOIN places d ON d.id = s.source
            JOIN latest l ON l.series = s.id \(filter.whereSQL)
            """
        return try await read { connection in
            // The latest reading answers unless it came after the instant; then the raw readings
            // of the window are searched.
            var values: [(district: String, value: Double)] = []
            var searched: [Int64: String] = [:]
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: filter.bindings), logger: logger)
            for try await (series, district, time, value) in rows.decode((Int64, String, Int64, Double).self) {
                if time <= at { values.append((district, value)) } else { searched[series] = district }
            }
            if !searched.isEmpty {
                for (series, value) in try await newestReadings(series: Array(searched.keys), after: after, atOrBefore: at, connection) {
                    if let district = searched[series] { values.append((district, value.value)) }
                }
            }
            var districts: [String: RollupCell] = [:]
            for (district, value) in values {
                let cell = RollupCell(value: value, time: at)
                if districts[district]?.merge(cell) == nil { districts[district] = cell }
            }
            return districts.sorted { $0.key < $1.key }.map { district, cell in
                DistrictAggregate(district: district, min: cell.min, max: cell.max, sum: cell.sum, count: cell.count, sources: cell.count)
            }
        }
    }

    /// Per series, its newest raw reading with `after < time <= atOrBefore` (among equal times the
    /// last to arrive); series without one are left out.
    private func newestReadings(series: [Int64], after: Int64, atOrBefore: Int64, _ connection: PostgresConnection) async throws -> [Int64: TimedValue] {
        let rows = try await connection.query(
            """
            SELECT series, hour, readings FROM reading_blocks
            WHERE series = ANY(\(series)::bigint[]) AND hour >= \(RollupTier.hourFloor(after)) AND hour <= \(atOrBefore)
            ORDER BY series, hour DESC, chunk
            """, logger: logger)
        var best: [Int64: (hour: Int64, value: TimedValue)] = [:]
        for try await (series, hour, bytes) in rows.decode((Int64, Int64, ByteBuffer).self) {
            // Hours come newest first, so the first hour holding a match holds the answer.
            if let found = best[series], found.hour != hour { continue }
            // Blocks of an hour come in arrival order, and `>=` lets a later arrival win a tie.
            for r in try Self.rawChunk(bytes, hour: hour) where r.time > after && r.time <= atOrBefore && r.time >= (best[series]?.value.time ?? .min) {
                best[series] = (hour, r)
            }
        }
        return best.mapValues(\.value)
    }

    /// Where each source is: displays, and registered sensors by their own location (a display's
    /// readings keep the display's place should a sensor share its id).
    static let places = """
        WITH places (id, district, lat, lon) AS (
            SELECT id, district, lat, lon FROM displays
            UNION ALL SELECT id, district, lat, lon FROM sensors WHERE id NOT IN (SELECT id FROM displays))
        """

    /// WHERE clauses and their binds, numbered as they are added.
    struct Filter {
        var clauses: [String] = []
        var bindings = PostgresBindings()

        /// Binds `value` and returns its placeholder.
        mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            bindings.append(value)
            return "$\(bindings.count)"
        }

        var whereSQL: String { clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ") }

        /// Filters on the place joined as `d`; a source that is neither a display nor a registered
        /// sensor has no district and so falls out of every scoped or filtered query.
        mutating func area(_ area: ReadingArea) {
            if case .only(let allowed) = area.scope {
                clauses.append(allowed.isEmpty ? "FALSE" : "d.district = ANY(\(bind(allowed.sorted())))")
            }
            if let district = area.district { clauses.append("d.district = \(bind(district))") }
            if let box = area.bbox {
                clauses.append("d.lat BETWEEN \(bind(box.minLat)) AND \(bind(box.maxLat)) AND d.lon BETWEEN \(bind(box.minLon)) AND \(bind(box.maxLon))")
            }
            if let sources = area.sources { clauses.append(sources.isEmpty ? "FALSE" : "d.id = ANY(\(bind(sources)))") }
        }
    }
}

/// A stored row the store cannot read back: the database was damaged or changed outside it, not the request.
struct DamagedRow: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
