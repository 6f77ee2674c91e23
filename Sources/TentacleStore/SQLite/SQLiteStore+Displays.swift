import Foundation
import GRDB
public import TentacleCore

extension SQLiteStore: DisplayRepository {
    public func createDisplay(_ display: Display, audit: AuditEvent) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM displays WHERE id = ?", arguments: [display.id]) == true {
                throw StoreError(.conflict, field: "id", "display '\(display.id)' already exists")
            }
            if let problem = try Self.referenceProblems(of: display, db).first { throw problem }
            try Self.insert(display, db)
            try self.append(audit, db)
        }
    }

    public func display(id: String) async throws -> Display? {
        try await read { db in
            try Self.fetchDisplays(db, sql: "SELECT * FROM displays WHERE id = ?", arguments: [id]).first
        }
    }

    public func updateDisplay(_ display: Display, audit: AuditEvent) async throws {
        try await write { db in
            if let problem = try Self.referenceProblems(of: display, db).first { throw problem }
            try db.execute(
                sql: """
                    UPDATE displays SET name = ?, width = ?, height = ?, lat = ?, lon = ?, district = ?, pole_id = ?,
                        timezone = ?, notes = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [
                    display.name, display.width, display.height, display.lat, display.lon, display.district,
                    display.poleId, display.timezone, display.notes, display.updatedAt, display.id,
                ])
            guard db.changesCount == 1 else { throw StoreError.notFound("display", display.id) }
            try db.execute(sql: "DELETE FROM display_groups WHERE display_id = ?", arguments: [display.id])
            try db.execute(sql: "DELETE FROM display_tags WHERE display_id = ?", arguments: [display.id])
            try Self.insertMemberships(display, db)
            try self.append(audit, db)
        }
    }

    public func deleteDisplay(id: String, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM displays WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError.notFound("display", id) }
            try self.append(audit, db)
        }
    }

    public func listDisplays(_ query: DisplayQuery) async throws -> Page<Display> {
        var clauses: [String] = []
        var args: [any DatabaseValueConvertible] = []
        if let district = query.district {
            clauses.append("district = ?")
            args.append(district)
        }
        if case .only(let allowed) = query.scope {
            clauses.append("district IN (\(Array(repeating: "?", count: allowed.count).joined(separator: ",")))")
            args.append(contentsOf: allowed.sorted())
            if allowed.isEmpty { clauses.append("0") }
        }
        if let group = query.group {
            clauses.append("id IN (SELECT display_id FROM display_groups WHERE group_code = ?)")
            args.append(group)
        }
        if let tag = query.tag {
            clauses.append("id IN (SELECT display_id FROM display_tags WHERE tag = ?)")
            args.append(tag)
        }
        if let status = query.status {
            clauses.append("status = ?")
            args.append(status.rawValue)
        }
        if let box = query.bbox {
            clauses.append("lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?")
            args.append(contentsOf: [box.minLat, box.maxLat, box.minLon, box.maxLon])
        }
        if let after = query.after {
            clauses.append("id > ?")
            args.append(after)
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = min(max(query.limit, 1), DisplayQuery.maxLimit)
        let sql = "SELECT * FROM displays \(whereSQL) ORDER BY id LIMIT \(limit + 1)"
        let arguments = StatementArguments(args.map { $0.databaseValue })
        let rows = try await read { db in
            try Self.fetchDisplays(db, sql: sql, arguments: arguments)
        }
        let more = rows.count > limit
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: more ? items.last?.id : nil)
    }

    public func importDisplays(_ rows: [(row: Int, display: Display)], audit: AuditEvent) async throws {
        let rows = rows.map { ImportRow(row: $0.row, display: $0.display) }
        try await write { db in
            var problems: [StoreError] = []
            for r in rows {
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM displays WHERE id = ?", arguments: [r.display.id]) == true {
                    problems.append(StoreError(.conflict, field: "id", "display '\(r.display.id)' already exists", row: r.row))
                }
                problems += try Self.referenceProblems(of: r.display, db).map {
                    StoreError($0.code, field: $0.field, $0.message, row: r.row)
                }
            }
            if !problems.isEmpty { throw ImportError(problems: problems) }
            for r in rows { try Self.insert(r.display, db) }
            try self.append(audit, db)
        }
    }

    public func displayMarkers(scope: DistrictScope) async throws -> [DisplayMarker] {
        var filter = ""
        var arguments: [String] = []
        if case .only(let allowed) = scope {
            guard !allowed.isEmpty else { return [] }
            filter = " WHERE district IN (\(Array(repeating: "?", count: allowed.count).joined(separator: ",")))"
            arguments = allowed.sorted()
        }
        let sql = "SELECT id, name, lat, lon, status, district, pole_id, last_seen FROM displays\(filter) ORDER BY id"
        let statementArguments = StatementArguments(arguments)
        return try await read { db in
            var markers: [DisplayMarker] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: statementArguments)
            while let row = try rows.next() {
                markers.append(DisplayMarker(
                    id: row[0], name: row[1], lat: row[2], lon: row[3], status: DisplayStatus(rawValue: row[4]) ?? .offline,
                    district: row[5], poleId: row[6], lastSeen: row[7]))
            }
            return markers
        }
    }

    public func displayCountsByStatus() async throws -> [DisplayStatus: Int] {
        try await read { db in
            var counts = Dictionary(uniqueKeysWithValues: DisplayStatus.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM displays GROUP BY status") {
                if let status = DisplayStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }

    // MARK: - Rows

    private struct ImportRow: Sendable {
        var row: Int
        var display: Display
    }

    static func referenceProblems(of display: Display, _ db: Database) throws -> [StoreError] {
        var problems: [StoreError] = []
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM districts WHERE code = ?", arguments: [display.district]) != true {
            problems.append(StoreError(.invalidReference, field: "district", "unknown district '\(display.district)'"))
        }
        for (i, group) in display.groups.enumerated()
        where try Bool.fetchOne(db, sql: "SELECT 1 FROM groups WHERE code = ?", arguments: [group]) != true {
            problems.append(StoreError(.invalidReference, field: "groups[\(i)]", "unknown group '\(group)'"))
        }
        return problems
    }

    static func insert(_ d: Display, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO displays (id, name, width, height, lat, lon, district, pole_id, timezone, notes, status,
                    last_seen, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                d.id, d.name, d.width, d.height, d.lat, d.lon, d.district, d.poleId, d.timezone, d.notes,
                d.status.rawValue, d.lastSeen, d.createdAt, d.updatedAt,
            ])
        try insertMemberships(d, db)
    }

    static func insertMemberships(_ d: Display, _ db: Database) throws {
        for (i, g) in d.groups.enumerated() {
            try db.execute(
                sql: "INSERT INTO display_groups (display_id, group_code, position) VALUES (?, ?, ?)", arguments: [d.id, g, i])
        }
        for (i, t) in d.tags.enumerated() {
            try db.execute(sql: "INSERT INTO display_tags (display_id, tag, position) VALUES (?, ?, ?)", arguments: [d.id, t, i])
        }
    }

    /// Fetches displays and fills in their groups and tags with one query each; `sql` must select `displays.*`.
    static func fetchDisplays(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Display] {
        // Columns by position (the table's order, as `SELECT *` returns them): looking columns up
        // by name costs a case-insensitive string search per field, which shows in listings.
        var displays = try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            Display(
                id: row[0], name: row[1], width: row[2], height: row[3], lat: row[4], lon: row[5], district: row[6],
                poleId: row[7], timezone: row[8], notes: row[9], status: DisplayStatus(rawValue: row[10]) ?? .offline,
                lastSeen: row[11], createdAt: row[12], updatedAt: row[13])
        }
        guard !displays.isEmpty else { return [] }
        let ids = displays.map(\.id)
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        var groups: [String: [String]] = [:]
        var tags: [String: [String]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT display_id, group_code FROM display_groups WHERE display_id IN (\(marks)) ORDER BY position",
            arguments: StatementArguments(ids))
        {
            groups[row[0], default: []].append(row[1])
        }
        for row in try Row.fetchAll(
            db, sql: "SELECT display_id, tag FROM display_tags WHERE display_id IN (\(marks)) ORDER BY position",
            arguments: StatementArguments(ids))
        {
            tags[row[0], default: []].append(row[1])
        }
        for i in displays.indices {
            displays[i].groups = groups[displays[i].id] ?? []
            displays[i].tags = tags[displays[i].id] ?? []
        }
        return displays
    }
}

/// An import was refused; every problem names its row. Nothing was stored.
public struct ImportError: Error, Sendable {
    public let problems: [StoreError]
}
