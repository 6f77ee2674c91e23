import Foundation
import PostgresNIO
public import TentacleCore

extension PostgresStore: AlertRepository {
    private static func ms(_ date: Date?) -> Int64? { date.map { Reading.milliseconds($0) } }
    private static func date(_ ms: Int64?) -> Date? { ms.map { Date(timeIntervalSince1970: Double($0) / 1000) } }

    public func createAlert(
        _ a: AlertRecord, xml: String, notice: String?, targets: [String], settling: [String: AlertRecord.State], audit: AuditEvent
    ) async throws {
        try await write { connection in
            try await connection.query(
                """
                INSERT INTO alerts (id, sender, sent, status, msg_type, severity, headline, expires, state, refs, notice, xml, posted_by, received_at,
                    targeted, poster_scope, targets)
                VALUES (\(a.id), \(a.sender), \(Reading.milliseconds(a.sent)), \(a.status), \(a.msgType), \(a.severity.rawValue), \(a.headline),
                    \(Self.ms(a.expires)), \(a.state.rawValue), \(a.references.joined(separator: "\n")), \(notice), \(xml), \(a.postedBy),
                    \(Reading.milliseconds(a.receivedAt)), \(a.targeted), \(a.posterScope?.joined(separator: ",")), \(Self.distinct(targets)))
                """, logger: logger)
            if !a.districts.isEmpty {
                try await connection.query(
                    "INSERT INTO alert_districts (alert_id, district) SELECT \(a.id), unnest(\(Array(Set(a.districts)))) ON CONFLICT DO NOTHING",
                    logger: logger)
            }
            try await settle(settling, connection)
            try await self.append(audit, connection)
        }
    }

    /// Moves active alerts to the given states; alerts no longer active stay as they are.
    private func settle(_ states: [String: AlertRecord.State], _ connection: PostgresConnection) async throws {
        guard !states.isEmpty else { return }
        try await connection.query(
            """
            UPDATE alerts SET state = s.state FROM unnest(\(Array(states.keys)), \(states.values.map(\.rawValue))) AS s(id, state)
            WHERE alerts.id = s.id AND alerts.state = 'active'
            """, logger: logger)
    }

    private static let columns = """
        id, sender, sent, status, msg_type, severity, headline, expires, state, refs, posted_by, received_at, targeted, poster_scope,
        (SELECT string_agg(district, ',') FROM alert_districts WHERE alert_id = alerts.id)
        """

    private static func record(_ row: PostgresRow) throws -> AlertRecord {
        let (id, sender, sent, status, msgType, severity, headline, expires, state, refs, postedBy, received, targeted, posterScope, districts) =
            try row.decode((String, String, Int64, String, String, String, String, Int64?, String, String, String, Int64, Int, String?, String?).self)
        return AlertRecord(
            id: id, sender: sender, sent: date(sent) ?? Date(timeIntervalSince1970: 0), status: status, msgType: msgType,
            severity: AlertSeverity(rawValue: severity) ?? .unknown, headline: headline, expires: date(expires),
            state: AlertRecord.State(rawValue: state) ?? .silent, references: refs.isEmpty ? [] : refs.components(separatedBy: "\n"),
            postedBy: postedBy, receivedAt: date(received) ?? Date(timeIntervalSince1970: 0), targeted: targeted,
            posterScope: posterScope.map { $0.split(separator: ",").map(String.init) },
            districts: (districts ?? "").split(separator: ",").map(String.init).sorted())
    }

    public func alert(id: String) async throws -> AlertRecord? {
        try await read { connection in
            try await connection.query("SELECT \(unescaped: Self.columns) FROM alerts WHERE id = \(id)", logger: logger).collect().first.map(Self.record)
        }
    }

    public func alertDocument(id: String) async throws -> (xml: String, notice: String?)? {
        try await read { connection in
            try await connection.query("SELECT xml, notice FROM alerts WHERE id = \(id)", logger: logger).collect().first?.decode((String, String?).self)
        }
        .map { (xml: $0.0, notice: $0.1) }
    }

    public func alerts(limit: Int, scope: DistrictScope) async throws -> [AlertRecord] {
        try await read { connection in
            guard let districts = scope.districts else {
                return try await connection.query(
                    #"SELECT \#(unescaped: Self.columns) FROM alerts ORDER BY received_at DESC, id COLLATE "C" LIMIT \#(limit)"#, logger: logger
                ).collect().map(Self.record)
            }
            return try await connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM alerts WHERE id IN (SELECT alert_id FROM alert_districts WHERE district = ANY(\(districts)))
                ORDER BY received_at DESC, id COLLATE "C" LIMIT \(limit)
                """, logger: logger
            ).collect().map(Self.record)
        }
    }

    /// Each target once, in the order first given.
    private static func distinct(_ targets: [String]) -> [String] {
        var seen = Set<String>()
        return targets.filter { seen.insert($0).inserted }
    }

    public func deliveries(alertId: String) async throws -> [AlertDelivery] {
        try await read { connection in
            // A target without a row has not been reached yet.
            try await connection.query(
                """
                SELECT t.display_id, coalesce(d.state, 'pending'), d.delivered_at, d.shown_at, d.acked_at
                FROM alerts a CROSS JOIN LATERAL unnest(a.targets) AS t(display_id)
                LEFT JOIN alert_deliveries d ON d.alert_id = a.id AND d.display_id = t.display_id
                WHERE a.id = \(alertId)
                ORDER BY t.display_id COLLATE "C"
                """, logger: logger
            ).collect().map { row in
                let (display, state, delivered, shown, acked) = try row.decode((String, String, Int64?, Int64?, Int64?).self)
                return AlertDelivery(
                    displayId: display, state: AlertDelivery.State(rawValue: state) ?? .pending, deliveredAt: Self.date(delivered),
                    shownAt: Self.date(shown), ackedAt: Self.date(acked))
            }
        }
    }

    public func alertTargets(id: String) async throws -> [String] {
        try await read { connection in
            var targets: [String] = []
            for try await list in try await connection.query("SELECT targets FROM alerts WHERE id = \(id)", logger: logger).decode([String].self) {
                targets = list
            }
            return targets
        }
    }

    public func activeAlerts() async throws -> [(alert: AlertRecord, notice: String, targets: [String], shown: [String])] {
        try await read { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.columns), notice, (SELECT coalesce(array_agg(t ORDER BY t COLLATE "C"), '{}') FROM unnest(targets) t)
                FROM alerts WHERE state = 'active' AND notice IS NOT NULL ORDER BY received_at, id COLLATE "C"
                """,
                logger: logger
            ).collect()
            let alerts = try rows.map { row in
                let columns = row.makeRandomAccess()
                return (alert: try Self.record(row), notice: try columns[15].decode(String.self), targets: try columns[16].decode([String].self))
            }
            guard !alerts.isEmpty else { return [] }
            var shown: [String: [String]] = [:]
            let deliveries = try await connection.query(
                #"""
                SELECT alert_id, display_id FROM alert_deliveries WHERE alert_id = ANY(\#(alerts.map(\.alert.id))) AND state = 'shown'
                ORDER BY alert_id, display_id COLLATE "C"
                """#, logger: logger
            ).collect()
            for row in deliveries {
                let (alert, display) = try row.decode((String, String).self)
                shown[alert, default: []].append(display)
            }
            return alerts.map { ($0.alert, $0.notice, $0.targets, shown[$0.alert.id] ?? []) }
        }
    }

    public func recordDeliveries(_ updates: [(alertId: String, delivery: AlertDelivery)]) async throws {
        // Applied as if one by one in the order given: of a display reported twice in one state,
        // the first report's times stand (later ones only fill what is still empty, and nothing
        // is empty after the first), so each state keeps its first report per display and goes
        // in one statement; delivered before shown.
        func firsts(_ state: AlertDelivery.State) -> [(alertId: String, delivery: AlertDelivery)] {
            var seen = Set<[String]>()
            return updates.filter { $0.delivery.state == state && seen.insert([$0.alertId, $0.delivery.displayId]).inserted }
        }
        let delivered = firsts(.delivered), shown = firsts(.shown)
        guard !delivered.isEmpty || !shown.isEmpty else { return }
        /// A missing time travels as this value and is read back as NULL.
        let none = Int64.min
        func times(_ list: [(alertId: String, delivery: AlertDelivery)], _ time: (AlertDelivery) -> Date?) -> [Int64] {
            list.map { Self.ms(time($0.delivery)) ?? none }
        }
        // A display's first report inserts its row (a target without one is pending, and no row
        // is ever pending), so a hand-over finds either nothing or a row already as far; only
        // displays their alert targets count, the join with the targets leaves out the rest.
        try await write { connection in
            if !delivered.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO alert_deliveries (alert_id, display_id, state, delivered_at)
                    SELECT u.alert_id, u.display_id, 'delivered', nullif(u.delivered_at, \(none))
                    FROM unnest(\(delivered.map(\.alertId))::text[], \(delivered.map(\.delivery.displayId))::text[],
                        \(times(delivered) { $0.deliveredAt })::bigint[]) AS u(alert_id, display_id, delivered_at)
                    JOIN (SELECT a.id AS alert_id, unnest(a.targets) AS display_id FROM alerts a WHERE a.id = ANY(\(Array(Set(delivered.map(\.alertId)))))) t
                        USING (alert_id, display_id)
                    ON CONFLICT (alert_id, display_id) DO NOTHING
                    """, logger: logger)
            }
            if !shown.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO alert_deliveries AS d (alert_id, display_id, state, delivered_at, shown_at, acked_at)
                    SELECT u.alert_id, u.display_id, 'shown', nullif(u.delivered_at, \(none)), nullif(u.shown_at, \(none)), nullif(u.acked_at, \(none))
                    FROM unnest(\(shown.map(\.alertId))::text[], \(shown.map(\.delivery.displayId))::text[],
                        \(times(shown) { $0.deliveredAt ?? $0.ackedAt })::bigint[], \(times(shown) { $0.shownAt })::bigint[],
                        \(times(shown) { $0.ackedAt })::bigint[]) AS u(alert_id, display_id, delivered_at, shown_at, acked_at)
                    JOIN (SELECT a.id AS alert_id, unnest(a.targets) AS display_id FROM alerts a WHERE a.id = ANY(\(Array(Set(shown.map(\.alertId)))))) t
                        USING (alert_id, display_id)
                    ON CONFLICT (alert_id, display_id) DO UPDATE SET state = 'shown',
                        delivered_at = coalesce(d.delivered_at, excluded.delivered_at),
                        shown_at = coalesce(d.shown_at, excluded.shown_at), acked_at = coalesce(d.acked_at, excluded.acked_at)
                    """, logger: logger)
            }
        }
    }

    public func setAlertStates(_ states: [String: AlertRecord.State], audit: AuditEvent?) async throws {
        guard !states.isEmpty else { return }
        try await write { connection in
            try await settle(states, connection)
            if let audit { try await self.append(audit, connection) }
        }
    }
}
