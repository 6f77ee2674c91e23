public import Foundation
import GRDB
public import TentacleCore

extension SQLiteStore: RuleRepository {
    private static let ruleColumns = "id, name, condition, actions, created_by, created_at, state, approved_by, approved_at, raised_sources, raised_at"
    private static let deliveryColumns = "id, rule, url, payload, created_at, state, attempts, next_attempt_at, last_status, last_error, delivered_at"

    private static func date(_ ms: Int64?) -> Date? {
        ms.map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    private static func rule(_ row: Row) throws -> CityRule {
        let condition: String = row[2], actions: String = row[3], state: String = row[6], sources: String = row[9]
        guard let parsedState = CityRule.State(rawValue: state) else { throw DatabaseError(message: "rule \(row[0] as String) has unknown state '\(state)'") }
        return CityRule(
            id: row[0], name: row[1], condition: try JSONDecoder().decode(Rule.self, from: Data(condition.utf8)),
            actions: try JSONDecoder().decode(CityRule.Actions.self, from: Data(actions.utf8)), createdBy: row[4],
            createdAt: date(row[5])!, state: parsedState, approvedBy: row[7], approvedAt: date(row[8]),
            raisedSources: sources.isEmpty ? [] : sources.split(separator: ",").map(String.init), raisedAt: row[10])
    }

    private static func delivery(_ row: Row) throws -> WebhookDelivery {
        let state: String = row[5]
        guard let parsed = WebhookDelivery.State(rawValue: state) else { throw DatabaseError(message: "delivery has unknown state '\(state)'") }
        return WebhookDelivery(
            id: row[0], rule: row[1], url: row[2], payload: row[3], createdAt: row[4], state: parsed, attempts: row[6], nextAttemptAt: row[7],
            lastStatus: row[8], lastError: row[9], deliveredAt: row[10])
    }

    private static func arguments(_ rule: CityRule) throws -> StatementArguments {
        [
            rule.id, rule.name, try json(rule.condition), try json(rule.actions), rule.createdBy, Reading.milliseconds(rule.createdAt),
            rule.state.rawValue, rule.approvedBy, rule.approvedAt.map(Reading.milliseconds), rule.raisedSources.joined(separator: ","), rule.raisedAt,
        ]
    }

    public func rules() async throws -> [CityRule] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT \(Self.ruleColumns) FROM rules ORDER BY id").map(Self.rule) }
    }

    public func rule(id: String) async throws -> CityRule? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT \(Self.ruleColumns) FROM rules WHERE id = ?", arguments: [id]).map(Self.rule) }
    }

    public func createRule(_ rule: CityRule, audit: AuditEvent) async throws {
        let arguments = try Self.arguments(rule)
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM rules WHERE id = ?", arguments: [rule.id]) == true {
                throw StoreError(.conflict, field: "id", "rule '\(rule.id)' already exists")
            }
            try db.execute(sql: "INSERT INTO rules (\(Self.ruleColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: arguments)
            try self.append(audit, db)
        }
    }

    public func updateRule(_ rule: CityRule, audit: AuditEvent) async throws {
        let arguments = try Self.arguments(rule)
        try await write { db in
            try db.execute(sql: "DELETE FROM rules WHERE id = ?", arguments: [rule.id])
            guard db.changesCount == 1 else { throw StoreError.notFound("rule", rule.id) }
            try db.execute(sql: "INSERT INTO rules (\(Self.ruleColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: arguments)
            try self.append(audit, db)
        }
    }

    public func approveRule(id: String, expectedCreatedAt: Date, by: String, at: Date, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE rules SET state = 'approved', approved_by = ?, approved_at = ? WHERE id = ? AND state = 'pending' AND created_at = ?",
                arguments: [by, Reading.milliseconds(at), id, Reading.milliseconds(expectedCreatedAt)])
            guard db.changesCount == 1 else {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM rules WHERE id = ?", arguments: [id]) == true else { throw StoreError.notFound("rule", id) }
                throw StoreError(.conflict, "rule '\(id)' changed or was approved meanwhile; read it again")
            }
            try self.append(audit, db)
        }
    }

    public func deleteRule(id: String, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM rules WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError.notFound("rule", id) }
            try db.execute(sql: "DELETE FROM rule_events WHERE rule = ?", arguments: [id])
            try self.append(audit, db)
        }
    }

    public func recordRuleEvent(_ event: RuleEventRecord, webhook: WebhookDelivery?) async throws {
        let sources = try Self.json(event.sources)
        try await write { db in
            try db.execute(
                sql: "INSERT INTO rule_events (rule, kind, time, source, sources, silent) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [event.rule, event.kind, event.time, event.source, sources, event.silent])
            let raisedAt: Int64? = event.sources.isEmpty ? nil : (event.kind == RuleEvent.Kind.raised.rawValue ? event.time : nil)
            try db.execute(
                sql: "UPDATE rules SET raised_sources = ?, raised_at = CASE WHEN ? = '' THEN NULL ELSE coalesce(?, raised_at) END WHERE id = ?",
                arguments: [event.sources.joined(separator: ","), event.sources.joined(separator: ","), raisedAt, event.rule])
            if let webhook {
                try db.execute(
                    sql: "INSERT INTO webhook_deliveries (rule, url, payload, created_at, state, attempts, next_attempt_at) VALUES (?, ?, ?, ?, 'pending', 0, ?)",
                    arguments: [webhook.rule, webhook.url, webhook.payload, webhook.createdAt, webhook.nextAttemptAt])
            }
        }
    }

    public func ruleEvents(rule: String, limit: Int) async throws -> [RuleEventRecord] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT rule, kind, time, source, sources, silent FROM rule_events WHERE rule = ? ORDER BY id DESC LIMIT ?",
                arguments: [rule, limit]
            ).map { row in
                let sources: String = row[4]
                return RuleEventRecord(
                    rule: row[0], kind: row[1], time: row[2], source: row[3],
                    sources: try JSONDecoder().decode([String].self, from: Data(sources.utf8)), silent: row[5])
            }
        }
    }

    public func dueWebhooks(at: Int64, limit: Int) async throws -> [WebhookDelivery] {
        try await read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT \(Self.deliveryColumns) FROM webhook_deliveries AS w
                    WHERE state = 'pending' AND next_attempt_at <= ?
                      AND id = (SELECT min(id) FROM webhook_deliveries WHERE rule = w.rule AND state = 'pending')
                    ORDER BY next_attempt_at, id LIMIT ?
                    """,
                arguments: [at, limit]
            ).map(Self.delivery)
        }
    }

    public func nextWebhookAttempt() async throws -> Int64? {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'") }
    }

    public func saveWebhookAttempt(_ delivery: WebhookDelivery) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, last_status = ?, last_error = ?, delivered_at = ? WHERE id = ?",
                arguments: [delivery.state.rawValue, delivery.attempts, delivery.nextAttemptAt, delivery.lastStatus, delivery.lastError, delivery.deliveredAt, delivery.id])
        }
    }

    public func webhookDeliveries(rule: String, limit: Int) async throws -> [WebhookDelivery] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.deliveryColumns) FROM webhook_deliveries WHERE rule = ? ORDER BY id DESC LIMIT ?", arguments: [rule, limit])
                .map(Self.delivery)
        }
    }
}
