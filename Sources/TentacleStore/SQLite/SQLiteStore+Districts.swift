import Foundation
import GRDB
public import TentacleCore

extension SQLiteStore: DistrictRepository {
    public func createDistrict(_ district: District, audit: AuditEvent) async throws {
        let boundary = try district.boundary.map(Self.json)
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM districts WHERE code = ?", arguments: [district.code]) == true {
                throw StoreError(.conflict, field: "code", "district '\(district.code)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO districts (code, name, boundary) VALUES (?, ?, ?)",
                arguments: [district.code, district.name, boundary])
            try self.append(audit, db)
        }
    }

    public func district(code: String) async throws -> District? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM districts WHERE code = ?", arguments: [code]).map(Self.district)
        }
    }

    public func districts() async throws -> [District] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM districts ORDER BY code").map(Self.district)
        }
    }

    public func updateDistrict(_ district: District, audit: AuditEvent) async throws {
        let boundary = try district.boundary.map(Self.json)
        try await write { db in
            try db.execute(
                sql: "UPDATE districts SET name = ?, boundary = ? WHERE code = ?",
                arguments: [district.name, boundary, district.code])
            guard db.changesCount == 1 else { throw StoreError.notFound("district", district.code) }
            try self.append(audit, db)
        }
    }

    public func deleteDistrict(code: String, audit: AuditEvent) async throws {
        try await write { db in
            let inUse = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM displays WHERE district = ?", arguments: [code]) ?? 0
            if inUse > 0 {
                throw StoreError(.conflict, "district '\(code)' still has \(inUse) displays; move or delete them first")
            }
            try db.execute(sql: "DELETE FROM districts WHERE code = ?", arguments: [code])
            guard db.changesCount == 1 else { throw StoreError.notFound("district", code) }
            try self.append(audit, db)
        }
    }

    public func createGroup(_ group: DisplayGroup, audit: AuditEvent) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM groups WHERE code = ?", arguments: [group.code]) == true {
                throw StoreError(.conflict, field: "code", "group '\(group.code)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO groups (code, name, description) VALUES (?, ?, ?)",
                arguments: [group.code, group.name, group.description])
            try self.append(audit, db)
        }
    }

    public func group(code: String) async throws -> DisplayGroup? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM groups WHERE code = ?", arguments: [code]).map(Self.group)
        }
    }

    public func groups() async throws -> [DisplayGroup] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM groups ORDER BY code").map(Self.group)
        }
    }

    public func updateGroup(_ group: DisplayGroup, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE groups SET name = ?, description = ? WHERE code = ?",
                arguments: [group.name, group.description, group.code])
            guard db.changesCount == 1 else { throw StoreError.notFound("group", group.code) }
            try self.append(audit, db)
        }
    }

    public func deleteGroup(code: String, audit: AuditEvent) async throws {
        try await write { db in
            let inUse = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM display_groups WHERE group_code = ?", arguments: [code]) ?? 0
            if inUse > 0 {
                throw StoreError(.conflict, "group '\(code)' still has \(inUse) displays; remove them from it first")
            }
            try db.execute(sql: "DELETE FROM groups WHERE code = ?", arguments: [code])
            guard db.changesCount == 1 else { throw StoreError.notFound("group", code) }
            try self.append(audit, db)
        }
    }

    private static func json(_ geometry: GeoGeometry) throws -> String {
        String(decoding: try JSONEncoder().encode(geometry), as: UTF8.self)
    }

    private static func district(_ row: Row) -> District {
        let text: String? = row["boundary"]
        let boundary = text.flatMap { try? JSONDecoder().decode(GeoGeometry.self, from: Data($0.utf8)) }
        return District(code: row["code"], name: row["name"], boundary: boundary)
    }

    private static func group(_ row: Row) -> DisplayGroup {
        DisplayGroup(code: row["code"], name: row["name"], description: row["description"])
    }
}
