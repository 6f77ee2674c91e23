import Foundation
import PostgresNIO
public import TentacleCore

extension PostgresStore: AuditRepository {
    public func latestAuditId() async throws -> Int64 {
        try await read { connection in try await connection.integer("SELECT max(id) FROM audit_log", logger: logger) }
    }

    public func latestAuditId(objectType: String) async throws -> Int64 {
        try await read { connection in
            try await connection.integer("SELECT max(id) FROM audit_log WHERE object_type = \(objectType)", logger: logger)
        }
    }

    public func recordEvent(_ event: AuditEvent) async throws {
        try await write { connection in try await self.append(event, connection) }
    }

    public func auditEntries(_ query: AuditQuery) async throws -> [AuditEntry] {
        var clauses: [String] = []
        var binds = PostgresBindings()
        func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let equal: [(String, String?)] = [
            ("actor", query.actor), ("action", query.action), ("object_type", query.objectType), ("object_id", query.objectId),
        ]
        for case let (column, value?) in equal {
            clauses.append("\(column) = \(bind(value))")
        }
        if let from = query.from {
            clauses.append("time >= \(bind(MillisecondStamp(from)))")
        }
        if let to = query.to {
            clauses.append("time < \(bind(MillisecondStamp(to)))")
        }
        if let before = query.before {
            clauses.append("id < \(bind(before))")
        }
        let whereSQL = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        let limit = min(max(query.limit, 1), 1000)
        let sql = PostgresQuery(
            unsafeSQL: "SELECT id, time, actor, action, object_type, object_id, summary FROM audit_log\(whereSQL) ORDER BY id DESC LIMIT \(limit)",
            binds: binds)
        return try await read { connection in
            var entries: [AuditEntry] = []
            let rows = try await connection.query(sql, logger: logger)
            for try await (id, time, actor, action, objectType, objectId, summary) in rows.decode(
                (Int64, MillisecondStamp, String, String, String, String, String).self)
            {
                entries.append(AuditEntry(
                    id: id, time: time.date, actor: actor, action: action, objectType: objectType, objectId: objectId, summary: summary))
            }
            return entries
        }
    }
}
