import Foundation
import Logging
import PostgresNIO
public import TentacleCore

extension PostgresStore: DisplayRepository {
    public func createDisplay(_ display: Display, audit: AuditEvent) async throws {
        try await write { connection in
            if try await connection.hasRows("SELECT 1 FROM displays WHERE id = \(display.id)", logger: logger) {
                throw StoreError(.conflict, field: "id", "display '\(display.id)' already exists")
            }
            if let problem = try await Self.referenceProblems(of: display, connection, logger).first { throw problem }
            try await Self.insert(display, connection, logger)
            try await self.append(audit, connection)
        }
    }

    public func display(id: String) async throws -> Display? {
        try await read { connection in
            try await Self.fetchDisplays("\(unescaped: Self.displayColumns) WHERE id = \(id)", connection, logger).first
        }
    }

    public func updateDisplay(_ display: Display, audit: AuditEvent) async throws {
        try await write { connection in
            if let problem = try await Self.referenceProblems(of: display, connection, logger).first { throw problem }
            let changed = try await connection.countRows(
                """
                UPDATE displays SET name = \(display.name), width = \(display.width), height = \(display.height), lat = \(display.lat),
                    lon = \(display.lon), district = \(display.district), pole_id = \(display.poleId), timezone = \(display.timezone),
                    notes = \(display.notes), updated_at = \(MillisecondStamp(display.updatedAt))
                WHERE id = \(display.id) RETURNING 1
                """, logger: logger)
            guard changed == 1 else { throw StoreError.notFound("display", display.id) }
            try await connection.query("DELETE FROM display_groups WHERE display_id = \(display.id)", logger: logger)
            try await connection.query("DELETE FROM display_tags WHERE display_id = \(display.id)", logger: logger)
            try await Self.insertMemberships(display, connection, logger)
            try await self.append(audit, connection)
        }
    }

    public func deleteDisplay(id: String, audit: AuditEvent) async throws {
        try await write { connection in
            let deleted = try await connection.countRows("DELETE FROM displays WHERE id = \(id) RETURNING 1", logger: logger)
            guard deleted == 1 else { throw StoreError.notFound("display", id) }
            try await self.append(audit, connection)
        }
    }

    public func listDisplays(_ query: DisplayQuery) async throws -> Page<Display> {
        var clauses: [String] = []
        var binds = PostgresBindings()
        func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let district = query.district {
            clauses.append("district = \(bind(district))")
        }
        if case .only(let allowed) = query.scope {
            clauses.append(allowed.isEmpty ? "FALSE" : "district = ANY(\(bind(allowed.sorted())))")
        }
        if let group = query.group {
            clauses.append("id IN (SELECT display_id FROM display_groups WHERE group_code = \(bind(group)))")
        }
        if let tag = query.tag {
            clauses.append("id IN (SELECT display_id FROM display_tags WHERE tag = \(bind(tag)))")
        }
        if let status = query.status {
            clauses.append("status = \(bind(status.rawValue))")
        }
        if let box = query.bbox {
            clauses.append(
                "lat BETWEEN \(bind(box.minLat)) AND \(bind(box.maxLat)) AND lon BETWEEN \(bind(box.minLon)) AND \(bind(box.maxLon))")
        }
        if let after = query.after {
            clauses.append("id > \(bind(after))")
        }
        let whereSQL = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        let limit = min(max(query.limit, 1), DisplayQuery.maxLimit)
        let sql = PostgresQuery(unsafeSQL: "\(Self.displayColumns)\(whereSQL) ORDER BY id LIMIT \(limit + 1)", binds: binds)
        let rows = try await read { connection in try await Self.fetchDisplays(sql, connection, logger) }
        let more = rows.count > limit
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: more ? items.last?.id : nil)
    }

    public func importDisplays(_ rows: [(row: Int, display: Display)], audit: AuditEvent) async throws {
        let rows = rows.map { ImportRow(row: $0.row, display: $0.display) }
        try await write { connection in
            var problems: [StoreError] = []
            for r in rows {
                if try await connection.hasRows("SELECT 1 FROM displays WHERE id = \(r.display.id)", logger: logger) {
                    problems.append(StoreError(.conflict, field: "id", "display '\(r.display.id)' already exists", row: r.row))
                }
                problems += try await Self.referenceProblems(of: r.display, connection, logger).map {
                    StoreError($0.code, field: $0.field, $0.message, row: r.row)
                }
            }
            if !problems.isEmpty { throw ImportError(problems: problems) }
            for r in rows { try await Self.insert(r.display, connection, logger) }
            try await self.append(audit, connection)
        }
    }

    public func displayMarkers(scope: DistrictScope) async throws -> [DisplayMarker] {
        var filter = ""
        var binds = PostgresBindings()
        if case .only(let allowed) = scope {
            guard !allowed.isEmpty else { return [] }
            filter = " WHERE district = ANY($1)"
            binds.append(allowed.sorted())
        }
        let sql = PostgresQuery(
            unsafeSQL: "SELECT id, name, lat, lon, status, district, pole_id, last_seen FROM displays\(filter) ORDER BY id", binds: binds)
        return try await read { connection in
            var markers: [DisplayMarker] = []
            let rows = try await connection.query(sql, logger: logger)
            for try await (id, name, lat, lon, status, district, poleId, lastSeen) in rows.decode(
                (String, String, Double, Double, String, String, String?, MillisecondStamp?).self)
            {
                markers.append(DisplayMarker(
                    id: id, name: name, lat: lat, lon: lon, status: DisplayStatus(rawValue: status) ?? .offline,
                    district: district, poleId: poleId, lastSeen: lastSeen?.date))
            }
            return markers
        }
    }

    public func displayCountsByStatus() async throws -> [DisplayStatus: Int] {
        try await read { connection in
            var counts = Dictionary(uniqueKeysWithValues: DisplayStatus.allCases.map { ($0, 0) })
            let rows = try await connection.query("SELECT status, COUNT(*) FROM displays GROUP BY status", logger: logger)
            for try await (status, n) in rows.decode((String, Int).self) {
                if let status = DisplayStatus(rawValue: status) { counts[status] = n }
            }
            return counts
        }
    }

    // MARK: - Rows

    private struct ImportRow: Sendable {
        var row: Int
        var display: Display
    }

    static func referenceProblems(of display: Display, _ connection: PostgresConnection, _ logger: Logger) async throws -> [StoreError] {
        var problems: [StoreError] = []
        if try await !connection.hasRows("SELECT 1 FROM districts WHERE code = \(display.district)", logger: logger) {
            problems.append(StoreError(.invalidReference, field: "district", "unknown district '\(display.district)'"))
        }
        for (i, group) in display.groups.enumerated()
        where try await !connection.hasRows("SELECT 1 FROM groups WHERE code = \(group)", logger: logger) {
            problems.append(StoreError(.invalidReference, field: "groups[\(i)]", "unknown group '\(group)'"))
        }
        return problems
    }

    static func insert(_ d: Display, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO displays (id, name, width, height, lat, lon, district, pole_id, timezone, notes, status,
                last_seen, created_at, updated_at)
            VALUES (\(d.id), \(d.name), \(d.width), \(d.height), \(d.lat), \(d.lon), \(d.district), \(d.poleId), \(d.timezone),
                \(d.notes), \(d.status.rawValue), \(d.lastSeen.map(MillisecondStamp.init)), \(MillisecondStamp(d.createdAt)),
                \(MillisecondStamp(d.updatedAt)))
            """, logger: logger)
        try await insertMemberships(d, connection, logger)
    }

    static func insertMemberships(_ d: Display, _ connection: PostgresConnection, _ logger: Logger) async throws {
        if !d.groups.isEmpty {
            try await connection.query(
                """
                INSERT INTO display_groups (display_id, group_code, position)
                SELECT \(d.id), g.code, g.n - 1 FROM unnest(\(d.groups)::text[]) WITH ORDINALITY AS g(code, n)
                """, logger: logger)
        }
        if !d.tags.isEmpty {
            try await connection.query(
                """
                INSERT INTO display_tags (display_id, tag, position)
                SELECT \(d.id), t.tag, t.n - 1 FROM unnest(\(d.tags)::text[]) WITH ORDINALITY AS t(tag, n)
                """, logger: logger)
        }
    }

    /// The select list `fetchDisplays` decodes, to be followed by the query's own clauses: a
    /// display with its groups and tags in one statement, so one snapshot, as SQLite's read gives.
    static let displayColumns = """
        SELECT id, name, width, height, lat, lon, district, pole_id, timezone, notes, status, last_seen, created_at, updated_at,
            ARRAY(SELECT group_code FROM display_groups WHERE display_groups.display_id = displays.id ORDER BY position),
            ARRAY(SELECT tag FROM display_tags WHERE display_tags.display_id = displays.id ORDER BY position)
        FROM displays
        """

    /// Fetches displays with their groups and tags; `query` must select `displayColumns`.
    static func fetchDisplays(_ query: PostgresQuery, _ connection: PostgresConnection, _ logger: Logger) async throws -> [Display] {
        var displays: [Display] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, name, width, height, lat, lon, district, poleId, timezone, notes, status, lastSeen, createdAt, updatedAt, groups, tags)
            in rows.decode(
                (String, String, Int, Int, Double, Double, String, String?, String, String, String, MillisecondStamp?, MillisecondStamp,
                 MillisecondStamp, [String], [String]).self)
        {
            displays.append(Display(
                id: id, name: name, width: width, height: height, lat: lat, lon: lon, district: district, poleId: poleId, groups: groups,
                tags: tags, timezone: timezone, notes: notes, status: DisplayStatus(rawValue: status) ?? .offline, lastSeen: lastSeen?.date,
                createdAt: createdAt.date, updatedAt: updatedAt.date))
        }
        return displays
    }
}
