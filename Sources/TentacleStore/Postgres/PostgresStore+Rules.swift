public import Foundation
import PostgresNIO
public import TentacleCore

extension PostgresStore: RuleRepository {
    private static let ruleColumns = "id, name, condition, actions, created_by, created_at, state, approved_by, approved_at, raised_sources, raised_at"
    private static let deliveryColumns = "id, rule, url, payload, created_at, state, attempts, next_attempt_at, last_status, last_error, delivered_at"

    private typealias RuleRow = (String, String, String, String, String, Int64, String, String?, Int64?, String, Int64?)
    private typealias DeliveryRow = (Int64, String, String, String, Int64, String, Int, Int64, Int?, String?, Int64?)

    private static func date(_ ms: Int64) -> Date {
        Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    private static func rule(_ r: RuleRow) throws -> CityRule {
        guard let state = CityRule.State(rawValue: r.6) else { throw DamagedRow("rule \(r.0) has unknown state '\(r.6)'") }
        return CityRule(
            id: r.0, name: r.1, condition: try decode(Rule.self, json: r.2), actions: try decode(CityRule.Actions.self, json: r.3),
            createdBy: r.4, createdAt: date(r.5), state: state, approvedBy: r.7, approvedAt: r.8.map(date),
            raisedSources: r.9.isEmpty ? [] : r.9.split(separator: ",").map(String.init), raisedAt: r.10)
    }

    private static func delivery(_ r: DeliveryRow) throws -> WebhookDelivery {
        guard let state = WebhookDelivery.State(rawValue: r.5) else { throw DamagedRow("delivery \(r.0) has unknown state '\(r.5)'") }
        return WebhookDelivery(
            id: r.0, rule: r.1, url: r.2, payload: r.3, createdAt: r.4, state: state, attempts: r.6, nextAttemptAt: r.7, lastStatus: r.8,
            lastError: r.9, deliveredAt: r.10)
    }

    /// The rule's columns as bindings, in `ruleColumns` order.
    private static func bindings(_ rule: CityRule) throws -> PostgresBindings {
        var b = PostgresBindings()
        b.append(rule.id)
        b.append(rule.name)
        b.append(try json(rule.condition))
        b.append(try json(rule.actions))
        b.append(rule.createdBy)
        b.append(Reading.milliseconds(rule.createdAt))
        b.append(rule.state.rawValue)
        b.append(rule.approvedBy)
        b.append(rule.approvedAt.map(Reading.milliseconds))
        b.append(rule.raisedSources.joined(separator: ","))
        b.append(rule.raisedAt)
        return b
    }

    private static let placeholders = (1...11).map { "$\($0)" }.joined(separator: ", ")

    public func rules() async throws -> [CityRule] {
        try await rules("SELECT \(unescaped: Self.ruleColumns) FROM rules ORDER BY id")
    }

    public func rule(id: String) async throws -> CityRule? {
        try await rules("SELECT \(unescaped: Self.ruleColumns) FROM rules WHERE id = \(id)").first
    }

    private func rules(_ query: PostgresQuery) async throws -> [CityRule] {
        try await read { connection in
            var found: [CityRule] = []
            for try await row in try await connection.query(query, logger: logger).decode(RuleRow.self) { found.append(try Self.rule(row)) }
            return found
        }
    }

    public func createRule(_ rule: CityRule, audit: AuditEvent) async throws {
        let sql = "INSERT INTO rules (\(Self.ruleColumns)) VALUES (\(Self.placeholders)) ON CONFLICT (id) DO NOTHING RETURNING 1"
        let query = PostgresQuery(unsafeSQL: sql, binds: try Self.bindings(rule))
        try await write { connection in
            guard try await connection.countRows(query, logger: logger) == 1 else {
                throw StoreError(.conflict, field: "id", "rule '\(rule.id)' already exists")
            }
            try await append(audit, connection)
        }
    }

    /// Replaces every column of the stored rule, as SQLite's delete-and-insert does.
    public func updateRule(_ rule: CityRule, audit: AuditEvent) async throws {
        let assignments = Self.ruleColumns.split(separator: ", ").enumerated().dropFirst().map { "\($1) = $\($0 + 1)" }.joined(separator: ", ")
        let query = PostgresQuery(unsafeSQL: "UPDATE rules SET \(assignments) WHERE id = $1 RETURNING 1", binds: try Self.bindings(rule))
        try await write { connection in
            guard try await connection.countRows(query, logger: logger) == 1 else {
                throw StoreError.notFound("rule", rule.id)
            }
            try await append(audit, connection)
        }
    }

    public func approveRule(id: String, expectedCreatedAt: Date, by: String, at: Date, audit: AuditEvent) async throws {
        try await write { connection in
            let approved = try await connection.countRows(
                """
                UPDATE rules SET state = 'approved', approved_by = \(by), approved_at = \(Reading.milliseconds(at))
                WHERE id = \(id) AND state = 'pending' AND created_at = \(Reading.milliseconds(expectedCreatedAt)) RETURNING 1
                """, logger: logger)
            guard approved == 1 else {
                guard try await connection.hasRows("SELECT 1 FROM rules WHERE id = \(id)", logger: logger) else { throw StoreError.notFound("rule", id) }
                throw StoreError(.conflict, "rule '\(id)' changed or was approved meanwhile; read it again")
            }
            try await append(audit, connection)
        }
    }

    public func deleteRule(id: String, audit: AuditEvent) async throws {
        try await write { connection in
            guard try await connection.countRows("DELETE FROM rules WHERE id = \(id) RETURNING 1", logger: logger) == 1 else {
                throw StoreError.notFound("rule", id)
            }
            try await connection.query("DELETE FROM rule_events WHERE rule = \(id)", logger: logger)
            try await append(audit, connection)
        }
    }

    public func recordRuleEvent(_ event: RuleEventRecord, webhook: WebhookDelivery?) async throws {
        let sources = try Self.json(event.sources)
        let raised = event.sources.joined(separator: ",")
        let raisedAt: Int64? = event.sources.isEmpty ? nil : (event.kind == RuleEvent.Kind.raised.rawValue ? event.time : nil)
        try await write { connection in
            try await connection.query(
                """
                INSERT INTO rule_events (rule, kind, time, source, sources, silent)
                VALUES (\(event.rule), \(event.kind), \(event.time), \(event.source), \(sources), \(event.silent))
                """, logger: logger)
            try await connection.query(
                """
                UPDATE rules SET raised_sources = \(raised),
                    raised_at = CASE WHEN \(raised) = '' THEN NULL ELSE coalesce(\(raisedAt)::bigint, raised_at) END
                WHERE id = \(event.rule)
                """, logger: logger)
            if let webhook {
                try await connection.query(
                    """
                    INSERT INTO webhook_deliveries (rule, url, payload, created_at, state, attempts, next_attempt_at)
                    VALUES (\(webhook.rule), \(webhook.url), \(webhook.payload), \(webhook.createdAt), 'pending', 0, \(webhook.nextAttemptAt))
                    """, logger: logger)
            }
        }
    }

    public func ruleEvents(rule: String, limit: Int) async throws -> [RuleEventRecord] {
        try await read { connection in
            let rows = try await connection.query(
                "SELECT rule, kind, time, source, sources, silent FROM rule_events WHERE rule = \(rule) ORDER BY id DESC LIMIT \(limit)",
                logger: logger)
            var found: [RuleEventRecord] = []
            for try await (rule, kind, time, source, sources, silent) in rows.decode((String, String, Int64, String, String, Bool).self) {
                found.append(
                    RuleEventRecord(rule: rule, kind: kind, time: time, source: source, sources: try Self.decode([String].self, json: sources), silent: silent))
            }
            return found
        }
    }

    public func dueWebhooks(at: Int64, limit: Int) async throws -> [WebhookDelivery] {
        try await deliveries(
            """
            SELECT \(unescaped: Self.deliveryColumns) FROM webhook_deliveries AS w
            WHERE state = 'pending' AND next_attempt_at <= \(at)
              AND id = (SELECT min(id) FROM webhook_deliveries WHERE rule = w.rule AND state = 'pending')
            ORDER BY next_attempt_at, id LIMIT \(limit)
            """)
    }

    public func nextWebhookAttempt() async throws -> Int64? {
        try await read { connection in
            let rows = try await connection.query("SELECT min(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'", logger: logger)
            for try await value in rows.decode(Int64?.self) { return value }
            return nil
        }
    }

    public func saveWebhookAttempt(_ delivery: WebhookDelivery) async throws {
        try await write { connection in
            try await connection.query(
                """
                UPDATE webhook_deliveries SET state = \(delivery.state.rawValue), attempts = \(delivery.attempts),
                    next_attempt_at = \(delivery.nextAttemptAt), last_status = \(delivery.lastStatus), last_error = \(delivery.lastError),
                    delivered_at = \(delivery.deliveredAt) WHERE id = \(delivery.id)
                """, logger: logger)
        }
    }

    public func webhookDeliveries(rule: String, limit: Int) async throws -> [WebhookDelivery] {
        try await deliveries("SELECT \(unescaped: Self.deliveryColumns) FROM webhook_deliveries WHERE rule = \(rule) ORDER BY id DESC LIMIT \(limit)")
    }

    private func deliveries(_ query: PostgresQuery) async throws -> [WebhookDelivery] {
        try await read { connection in
            var found: [WebhookDelivery] = []
            for try await row in try await connection.query(query, logger: logger).decode(DeliveryRow.self) { found.append(try Self.delivery(row)) }
            return found
        }
    }
}
