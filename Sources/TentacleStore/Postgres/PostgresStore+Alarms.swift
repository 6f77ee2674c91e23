import Foundation
import PostgresNIO
public import TentacleCore

extension PostgresStore: AlarmRepository {
    private static let alarmColumns =
        "a.id, a.display, a.kind, a.severity, a.state, a.raised_at, a.changed_at, a.value, a.message, a.acknowledged_by, a.acknowledged_at, a.cleared_at"

    /// A stored alarm this build cannot read.
    private struct UnreadableAlarm: Error, CustomStringConvertible {
        var id: Int64
        var description: String { "alarm \(id) has an unknown kind, severity or state" }
    }

    private static func alarm(_ row: PostgresRow) throws -> AlarmRecord {
        let (id, display, kind, severity, state, raisedAt, changedAt, value, message, ackedBy, ackedAt, clearedAt) =
            try row.decode((Int64, String, String, String, String, Int64, Int64, Double, String, String?, Int64?, Int64?).self)
        guard let k = HealthAlarmKind(rawValue: kind), let s = AlarmSeverity(rawValue: severity), let st = AlarmRecord.State(rawValue: state) else {
            throw UnreadableAlarm(id: id)
        }
        return AlarmRecord(
            id: id, display: display, kind: k, severity: s, state: st, raisedAt: raisedAt, changedAt: changedAt, value: value, message: message,
            acknowledgedBy: ackedBy, acknowledgedAt: ackedAt, clearedAt: clearedAt)
    }

    public func openAlarms() async throws -> [AlarmRecord] {
        try await read { connection in
            try await connection.query("SELECT \(unescaped: Self.alarmColumns) FROM alarms AS a WHERE a.state <> 'cleared' ORDER BY a.id", logger: logger)
                .collect().map(Self.alarm)
        }
    }

    public func alarms(_ query: AlarmQuery) async throws -> [AlarmRecord] {
        var clauses: [String] = [], bindings = PostgresBindings()
        if !query.includeCleared { clauses.append("a.state <> 'cleared'") }
        if let display = query.display {
            bindings.append(display)
            clauses.append("a.display = $\(bindings.count)")
        }
        var join = ""
        if let districts = query.scope.districts {
            join = "JOIN displays AS d ON d.id = a.display"
            bindings.append(districts)
            clauses.append("d.district = ANY($\(bindings.count))")
        }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        bindings.append(query.limit)
        let sql = "SELECT \(Self.alarmColumns) FROM alarms AS a \(join) \(filter) ORDER BY a.id DESC LIMIT $\(bindings.count)"
        return try await read { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).collect().map(Self.alarm)
        }
    }

    public func alarm(id: Int64) async throws -> AlarmRecord? {
        try await read { connection in
            try await connection.query("SELECT \(unescaped: Self.alarmColumns) FROM alarms AS a WHERE a.id = \(id)", logger: logger).collect().first.map(Self.alarm)
        }
    }

    @discardableResult
    public func applyAlarmEvent(_ event: HealthAlarmEvent) async throws -> AlarmRecord? {
        try await write { connection in
            func open() async throws -> AlarmRecord? {
                try await connection.query(
                    """
                    SELECT \(unescaped: Self.alarmColumns) FROM alarms AS a
                    WHERE a.display = \(event.display) AND a.kind = \(event.kind.rawValue) AND a.state <> 'cleared' ORDER BY a.id DESC LIMIT 1 FOR UPDATE
                    """, logger: logger
                ).collect().first.map(Self.alarm)
            }
            switch event.change {
            case .raised:
                // The partial unique index keeps one open alarm per display and kind: a raise that
                // finds one (perhaps just raised by another node) leaves it as it is.
                let id = try await connection.query(
                    """
                    INSERT INTO alarms (display, kind, severity, state, raised_at, changed_at, value, message)
                    VALUES (\(event.display), \(event.kind.rawValue), \(event.severity.rawValue), 'raised', \(event.time), \(event.time), \(event.value),
                        \(event.message))
                    ON CONFLICT (display, kind) WHERE state <> 'cleared' DO NOTHING RETURNING id
                    """, logger: logger
                ).collect().first?.decode(Int64.self)
                guard let id else { return try await open() }
                return AlarmRecord(
                    id: id, display: event.display, kind: event.kind, severity: event.severity, state: .raised, raisedAt: event.time,
                    changedAt: event.time, value: event.value, message: event.message)
            case .severityChanged:
                guard var alarm = try await open() else { return nil }
                alarm.follow(event)
                try await connection.query(
                    """
                    UPDATE alarms SET severity = \(alarm.severity.rawValue), state = \(alarm.state.rawValue), changed_at = \(alarm.changedAt),
                        value = \(alarm.value), message = \(alarm.message), acknowledged_by = \(alarm.acknowledgedBy), acknowledged_at = \(alarm.acknowledgedAt)
                    WHERE id = \(alarm.id)
                    """, logger: logger)
                return alarm
            case .cleared:
                guard var alarm = try await open() else { return nil }
                alarm.state = .cleared
                alarm.changedAt = event.time
                alarm.clearedAt = event.time
                try await connection.query(
                    "UPDATE alarms SET state = 'cleared', changed_at = \(event.time), cleared_at = \(event.time) WHERE id = \(alarm.id)", logger: logger)
                return alarm
            }
        }
    }

    public func acknowledgeAlarm(id: Int64, by: String, at: Int64, audit: AuditEvent) async throws -> AlarmRecord {
        try await write { connection in
            let acknowledged = try await connection.query(
                """
                UPDATE alarms AS a SET state = 'acknowledged', acknowledged_by = \(by), acknowledged_at = \(at) WHERE a.id = \(id) AND a.state = 'raised'
                RETURNING \(unescaped: Self.alarmColumns)
                """, logger: logger
            ).collect().first.map(Self.alarm)
            guard let acknowledged else {
                guard let alarm = try await connection.query("SELECT \(unescaped: Self.alarmColumns) FROM alarms AS a WHERE a.id = \(id)", logger: logger)
                    .collect().first.map(Self.alarm)
                else { throw StoreError.notFound("alarm", String(id)) }
                throw StoreError(.conflict, "alarm \(id) is \(alarm.state.rawValue) already")
            }
            try await self.append(audit, connection)
            return acknowledged
        }
    }
}
