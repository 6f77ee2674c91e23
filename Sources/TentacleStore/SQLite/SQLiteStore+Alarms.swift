import Foundation
import GRDB
public import TentacleCore

extension SQLiteStore: AlarmRepository {
    private static let alarmColumns =
        "a.id, a.display, a.kind, a.severity, a.state, a.raised_at, a.changed_at, a.value, a.message, a.acknowledged_by, a.acknowledged_at, a.cleared_at"

    private static func alarm(_ row: Row) throws -> AlarmRecord {
        let kind: String = row[2], severity: String = row[3], state: String = row[4]
        guard let k = HealthAlarmKind(rawValue: kind), let s = AlarmSeverity(rawValue: severity), let st = AlarmRecord.State(rawValue: state) else {
            throw DatabaseError(message: "alarm \(row[0] as Int64) has an unknown kind, severity or state")
        }
        return AlarmRecord(
            id: row[0], display: row[1], kind: k, severity: s, state: st, raisedAt: row[5], changedAt: row[6], value: row[7], message: row[8],
            acknowledgedBy: row[9], acknowledgedAt: row[10], clearedAt: row[11])
    }

    public func openAlarms() async throws -> [AlarmRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.alarmColumns) FROM alarms AS a WHERE a.state != 'cleared' ORDER BY a.id").map(Self.alarm)
        }
    }

    public func alarms(_ query: AlarmQuery) async throws -> [AlarmRecord] {
        var clauses: [String] = [], arguments: [any DatabaseValueConvertible] = []
        if !query.includeCleared { clauses.append("a.state != 'cleared'") }
        if let display = query.display {
            clauses.append("a.display = ?")
            arguments.append(display)
        }
        var join = ""
        if case .only(let districts) = query.scope {
            join = "JOIN displays AS d ON d.id = a.display"
            clauses.append("d.district IN (\(districts.isEmpty ? "NULL" : Array(repeating: "?", count: districts.count).joined(separator: ", ")))")
            arguments += districts.sorted().map { $0 as any DatabaseValueConvertible }
        }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        arguments.append(query.limit)
        let sql = "SELECT \(Self.alarmColumns) FROM alarms AS a \(join) \(filter) ORDER BY a.id DESC LIMIT ?"
        let bound = StatementArguments(arguments.map(\.databaseValue))
        return try await read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map(Self.alarm)
        }
    }

    public func alarm(id: Int64) async throws -> AlarmRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.alarmColumns) FROM alarms AS a WHERE a.id = ?", arguments: [id]).map(Self.alarm)
        }
    }

    @discardableResult
    public func applyAlarmEvent(_ event: HealthAlarmEvent) async throws -> AlarmRecord? {
        try await write { db in
            let open = try Row.fetchOne(
                db, sql: "SELECT \(Self.alarmColumns) FROM alarms AS a WHERE a.display = ? AND a.kind = ? AND a.state != 'cleared' ORDER BY a.id DESC LIMIT 1",
                arguments: [event.display, event.kind.rawValue]
            ).map(Self.alarm)
            switch event.change {
            case .raised:
                guard open == nil else { return open }
                try db.execute(
                    sql: "INSERT INTO alarms (display, kind, severity, state, raised_at, changed_at, value, message) VALUES (?, ?, ?, 'raised', ?, ?, ?, ?)",
                    arguments: [event.display, event.kind.rawValue, event.severity.rawValue, event.time, event.time, event.value, event.message])
                return AlarmRecord(
                    id: db.lastInsertedRowID, display: event.display, kind: event.kind, severity: event.severity, state: .raised, raisedAt: event.time,
                    changedAt: event.time, value: event.value, message: event.message)
            case .severityChanged:
                guard var alarm = open else { return nil }
                alarm.follow(event)
                try db.execute(
                    sql: "UPDATE alarms SET severity = ?, state = ?, changed_at = ?, value = ?, message = ?, acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
                    arguments: [alarm.severity.rawValue, alarm.state.rawValue, alarm.changedAt, alarm.value, alarm.message, alarm.acknowledgedBy, alarm.acknowledgedAt, alarm.id])
                return alarm
            case .cleared:
                guard var alarm = open else { return nil }
                alarm.state = .cleared
                alarm.changedAt = event.time
                alarm.clearedAt = event.time
                try db.execute(sql: "UPDATE alarms SET state = 'cleared', changed_at = ?, cleared_at = ? WHERE id = ?", arguments: [event.time, event.time, alarm.id])
                return alarm
            }
        }
    }

    public func acknowledgeAlarm(id: Int64, by: String, at: Int64, audit: AuditEvent) async throws -> AlarmRecord {
        try await write { db in
            try db.execute(
                sql: "UPDATE alarms SET state = 'acknowledged', acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND state = 'raised'",
                arguments: [by, at, id])
            guard db.changesCount == 1 else {
                guard let alarm = try Row.fetchOne(db, sql: "SELECT \(Self.alarmColumns) FROM alarms AS a WHERE a.id = ?", arguments: [id]).map(Self.alarm) else {
                    throw StoreError.notFound("alarm", String(id))
                }
                throw StoreError(.conflict, "alarm \(id) is \(alarm.state.rawValue) already")
            }
            try self.append(audit, db)
            return try Row.fetchOne(db, sql: "SELECT \(Self.alarmColumns) FROM alarms AS a WHERE a.id = ?", arguments: [id]).map(Self.alarm)!
        }
    }
}
