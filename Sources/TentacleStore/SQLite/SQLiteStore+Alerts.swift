public import Foundation
import GRDB
public import TentacleCore

extension SQLiteStore: AlertRepository {
    private static func ms(_ date: Date?) -> Int64? { date.map { Reading.milliseconds($0) } }
    private static func date(_ ms: Int64?) -> Date? { ms.map { Date(timeIntervalSince1970: Double($0) / 1000) } }

    public func createAlert(
        _ a: AlertRecord, xml: String, notice: String?, targets: [String], settling: [String: AlertRecord.State], audit: AuditEvent
    ) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO alerts (id, sender, sent, status, msg_type, severity, headline, expires, state, refs, notice, xml, posted_by, received_at, targeted, poster_scope)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    a.id, a.sender, Self.ms(a.sent), a.status, a.msgType, a.severity.rawValue, a.headline, Self.ms(a.expires), a.state.rawValue,
                    a.references.joined(separator: "\n"), notice, xml, a.postedBy, Self.ms(a.receivedAt), a.targeted,
                    a.posterScope?.joined(separator: ","),
                ])
            let district = try db.cachedStatement(sql: "INSERT OR IGNORE INTO alert_districts (alert_id, district) VALUES (?, ?)")
            for code in Set(a.districts) { try district.execute(arguments: [a.id, code]) }
            // A city-wide alert has a row per display: bound without boxing, as ingest does.
            let insert = try BoundStatement(db, sql: "INSERT INTO alert_deliveries (alert_id, display_id, state) VALUES (?, ?, 'pending')")
            for display in targets {
                insert.bind(1, a.id)
                insert.bind(2, display)
                try insert.run()
            }
            let update = try db.cachedStatement(sql: "UPDATE alerts SET state = ? WHERE id = ? AND state = 'active'")
            for (id, state) in settling { try update.execute(arguments: [state.rawValue, id]) }
            try self.append(audit, db)
        }
    }

    private static let columns = """
        id, sender, sent, status, msg_type, severity, headline, expires, state, refs, posted_by, received_at, targeted, poster_scope,
        (SELECT group_concat(district, ',') FROM alert_districts WHERE alert_id = alerts.id)
        """

    private static func record(_ row: Row) -> AlertRecord {
        let refs: String = row[9]
        let posterScope: String? = row[13]
        let districts: String? = row[14]
        return AlertRecord(
            id: row[0], sender: row[1], sent: date(row[2]) ?? Date(timeIntervalSince1970: 0), status: row[3], msgType: row[4],
            severity: AlertSeverity(rawValue: row[5]) ?? .unknown, headline: row[6], expires: date(row[7]),
            state: AlertRecord.State(rawValue: row[8]) ?? .silent, references: refs.isEmpty ? [] : refs.components(separatedBy: "\n"),
            postedBy: row[10], receivedAt: date(row[11]) ?? Date(timeIntervalSince1970: 0), targeted: row[12],
            posterScope: posterScope.map { $0.split(separator: ",").map(String.init) },
            districts: (districts ?? "").split(separator: ",").map(String.init).sorted())
    }

    public func alert(id: String) async throws -> AlertRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM alerts WHERE id = ?", arguments: [id]).map(Self.record)
        }
    }

    public func alertDocument(id: String) async throws -> (xml: String, notice: String?)? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT xml, notice FROM alerts WHERE id = ?", arguments: [id]).map { ($0[0], $0[1]) }
        }
    }

    public func alerts(limit: Int, scope: DistrictScope) async throws -> [AlertRecord] {
        try await read { db in
            guard let districts = scope.districts else {
                return try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM alerts ORDER BY received_at DESC, id LIMIT ?", arguments: [limit])
                    .map(Self.record)
            }
            let marks = databaseQuestionMarks(count: districts.count)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.columns) FROM alerts WHERE id IN (SELECT alert_id FROM alert_districts WHERE district IN (\(marks)))
                    ORDER BY received_at DESC, id LIMIT ?
                    """,
                arguments: StatementArguments(districts.map(\.databaseValue) + [limit.databaseValue])
            ).map(Self.record)
        }
    }

    public func deliveries(alertId: String) async throws -> [AlertDelivery] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT display_id, state, delivered_at, shown_at, acked_at FROM alert_deliveries WHERE alert_id = ? ORDER BY display_id",
                arguments: [alertId]
            ).map { row in
                AlertDelivery(
                    displayId: row[0], state: AlertDelivery.State(rawValue: row[1]) ?? .pending, deliveredAt: Self.date(row[2]),
                    shownAt: Self.date(row[3]), ackedAt: Self.date(row[4]))
            }
        }
    }

    public func alertTargets(id: String) async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT display_id FROM alert_deliveries WHERE alert_id = ?", arguments: [id]) }
    }

    public func activeAlerts() async throws -> [(alert: AlertRecord, notice: String, targets: [String], shown: [String])] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT \(Self.columns), notice FROM alerts WHERE state = 'active' AND notice IS NOT NULL")
            return try rows.map { row in
                let alert = Self.record(row)
                let deliveries = try Row.fetchAll(db, sql: "SELECT display_id, state FROM alert_deliveries WHERE alert_id = ?", arguments: [alert.id])
                let targets: [String] = deliveries.map { $0[0] }
                let shown: [String] = deliveries.filter { ($0[1] as String) == "shown" }.map { $0[0] }
                return (alert, row[15], targets, shown)
            }
        }
    }

    public func recordDeliveries(_ updates: [(alertId: String, delivery: AlertDelivery)]) async throws {
        guard !updates.isEmpty else { return }
        try await write { db in
            let delivered = try BoundStatement(db, sql: """
                UPDATE alert_deliveries SET state = 'delivered', delivered_at = coalesce(delivered_at, ?)
                WHERE alert_id = ? AND display_id = ? AND state = 'pending'
                """)
            let shown = try BoundStatement(db, sql: """
                UPDATE alert_deliveries SET state = 'shown', delivered_at = coalesce(delivered_at, ?), shown_at = coalesce(shown_at, ?),
                acked_at = coalesce(acked_at, ?) WHERE alert_id = ? AND display_id = ?
                """)
            for (alertId, d) in updates {
                switch d.state {
                case .pending: continue
                case .delivered:
                    delivered.bind(1, Self.ms(d.deliveredAt))
                    delivered.bind(2, alertId)
                    delivered.bind(3, d.displayId)
                    try delivered.run()
                case .shown:
                    shown.bind(1, Self.ms(d.deliveredAt ?? d.ackedAt))
                    shown.bind(2, Self.ms(d.shownAt))
                    shown.bind(3, Self.ms(d.ackedAt))
                    shown.bind(4, alertId)
                    shown.bind(5, d.displayId)
                    try shown.run()
                }
            }
        }
    }

    public func setAlertStates(_ states: [String: AlertRecord.State], audit: AuditEvent?) async throws {
        guard !states.isEmpty else { return }
        try await write { db in
            let update = try db.cachedStatement(sql: "UPDATE alerts SET state = ? WHERE id = ? AND state = 'active'")
            for (id, state) in states { try update.execute(arguments: [state.rawValue, id]) }
            if let audit { try self.append(audit, db) }
        }
    }
}
