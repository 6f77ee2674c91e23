import Foundation
import GRDB
public import TentacleCore

extension SQLiteStore: AuditRepository {
    public func latestAuditId() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM audit_log") ?? 0 }
    }

    public func latestAuditId(objectType: String) async throws -> Int64 {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT max(id) FROM audit_log WHERE object_type = ?", arguments: [objectType]) ?? 0
        }
    }

    public func recordEvent(_ event: AuditEvent) async throws {
        try await write { db in try self.append(event, db) }
    }

    public func auditEntries(_ query: AuditQuery) async throws -> [AuditEntry] {
        var clauses: [String] = []
        var args: [any DatabaseValueConvertible] = []
        let equal: [(String, String?)] = [
            ("actor", query.actor), ("action", query.action), ("object_type", query.objectType), ("object_id", query.objectId),
        ]
        for case let (column, value?) in equal {
            clauses.append("\(column) = ?")
            args.append(value)
        }
        if let from = query.from {
            clauses.append("time >= ?")
            args.append(from)
        }
        if let to = query.to {
            clauses.append("time < ?")
            args.append(to)
        }
        if let before = query.before {
            clauses.append("id < ?")
            args.append(before)
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = min(max(query.limit, 1), 1000)
        let sql = "SELECT * FROM audit_log \(whereSQL) ORDER BY id DESC LIMIT \(limit)"
        let arguments = StatementArguments(args.map { $0.databaseValue })
        return try await read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                AuditEntry(
                    id: row["id"], time: row["time"], actor: row["actor"], action: row["action"],
                    objectType: row["object_type"], objectId: row["object_id"], summary: row["summary"])
            }
        }
    }
}
