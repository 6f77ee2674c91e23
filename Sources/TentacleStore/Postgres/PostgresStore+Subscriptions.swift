import Foundation
import PostgresNIO
import Synchronization
public import TentacleCore

extension PostgresStore: SubscriptionRepository {
    private static let subscriptionColumns = """
        id, owner, document, is_active, created_at, modified_at, expires_at, times_sent, times_failed, last_notification, last_success, \
        last_failure, last_failure_reason
        """
    private static let notificationColumns =
        "n.id, n.subscription, n.endpoint, n.content_type, n.payload, n.created_at, n.attempts, n.next_attempt_at, n.last_status, n.last_error"

    /// Each subscription's oldest queued notification: one index seek per subscription, however
    /// long the queues behind a failing endpoint grow.
    private static let heads = """
        ngsi_subscriptions AS s CROSS JOIN LATERAL (
            SELECT * FROM ngsi_notifications WHERE subscription = s.id ORDER BY id LIMIT 1) AS n
        """

    private typealias SubscriptionRow = (String, String, String, Bool, Int64, Int64, Int64?, Int, Int, Int64?, Int64?, Int64?, String?)
    private typealias NotificationRow = (Int64, String, String, String, String, Int64, Int, Int64, Int?, String?)

    private static func subscription(_ r: SubscriptionRow) -> SubscriptionRecord {
        SubscriptionRecord(
            id: r.0, owner: r.1, document: r.2, isActive: r.3, createdAt: r.4, modifiedAt: r.5, expiresAt: r.6, timesSent: r.7, timesFailed: r.8,
            lastNotification: r.9, lastSuccess: r.10, lastFailure: r.11, lastFailureReason: r.12)
    }

    private static func notification(_ r: NotificationRow) -> QueuedNotification {
        QueuedNotification(
            id: r.0, subscription: r.1, endpoint: r.2, contentType: r.3, payload: r.4, createdAt: r.5, attempts: r.6, nextAttemptAt: r.7,
            lastStatus: r.8, lastError: r.9)
    }

    /// Sets the follower that plans notifications from stored readings inside `ingest`; nil stops it.
    public func follow(with follower: (any IngestFollower)?) {
        ingestFollower.withLock { $0 = follower }
    }

    /// Queues notifications inside the caller's transaction, dropping those whose subscription
    /// does not exist; returns the queued ones with their ids. One statement: the notifications
    /// travel as one JSON array, which carries their optional fields as they are.
    func queue(_ notifications: [QueuedNotification], _ connection: PostgresConnection) async throws -> [QueuedNotification] {
        guard !notifications.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            WITH n AS (
                SELECT e.ord, e.doc FROM jsonb_array_elements(\(try Self.json(notifications))::jsonb) WITH ORDINALITY AS e(doc, ord)
                JOIN ngsi_subscriptions s ON s.id = e.doc->>'subscription'),
            queued AS (
                INSERT INTO ngsi_notifications
                    (subscription, endpoint, content_type, payload, created_at, attempts, next_attempt_at, last_status, last_error)
                SELECT doc->>'subscription', doc->>'endpoint', doc->>'contentType', doc->>'payload', (doc->>'createdAt')::bigint,
                    (doc->>'attempts')::bigint, (doc->>'nextAttemptAt')::bigint, (doc->>'lastStatus')::bigint, doc->>'lastError'
                FROM n ORDER BY ord RETURNING id)
            SELECT n.ord, q.id FROM (SELECT ord, row_number() OVER (ORDER BY ord) AS i FROM n) AS n
            JOIN (SELECT id, row_number() OVER (ORDER BY id) AS i FROM queued) AS q USING (i) ORDER BY n.ord
            """, logger: logger)
        // Ids are drawn in insertion order, which is queue order, so the i-th kept notification has the i-th id.
        var queued: [QueuedNotification] = []
        for try await (ord, id) in rows.decode((Int, Int64).self) {
            var n = notifications[ord - 1]
            n.id = id
            queued.append(n)
        }
        return queued
    }

    public func subscriptions() async throws -> [SubscriptionRecord] {
        try await subscriptions("SELECT \(unescaped: Self.subscriptionColumns) FROM ngsi_subscriptions ORDER BY created_at, id")
    }

    public func subscription(id: String) async throws -> SubscriptionRecord? {
        try await subscriptions("SELECT \(unescaped: Self.subscriptionColumns) FROM ngsi_subscriptions WHERE id = \(id)").first
    }

    private func subscriptions(_ query: PostgresQuery) async throws -> [SubscriptionRecord] {
        try await read { connection in
            try await connection.query(query, logger: logger).decode(SubscriptionRow.self).reduce(into: []) { $0.append(Self.subscription($1)) }
        }
    }

    public func createSubscription(_ s: SubscriptionRecord, audit: AuditEvent) async throws {
        try await write { connection in
            let created = try await connection.countRows(
                """
                INSERT INTO ngsi_subscriptions (\(unescaped: Self.subscriptionColumns))
                VALUES (\(s.id), \(s.owner), \(s.document), \(s.isActive), \(s.createdAt), \(s.modifiedAt), \(s.expiresAt), \(s.timesSent),
                    \(s.timesFailed), \(s.lastNotification), \(s.lastSuccess), \(s.lastFailure), \(s.lastFailureReason))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger: logger)
            guard created == 1 else { throw StoreError(.conflict, field: "id", "subscription '\(s.id)' already exists") }
            try await append(audit, connection)
        }
    }

    public func updateSubscription(_ s: SubscriptionRecord, audit: AuditEvent) async throws {
        try await write { connection in
            let updated = try await connection.countRows(
                """
                UPDATE ngsi_subscriptions SET document = \(s.document), is_active = \(s.isActive), modified_at = \(s.modifiedAt),
                    expires_at = \(s.expiresAt) WHERE id = \(s.id) RETURNING 1
                """, logger: logger)
            guard updated == 1 else { throw StoreError.notFound("subscription", s.id) }
            try await append(audit, connection)
        }
    }

    public func deleteSubscription(id: String, audit: AuditEvent) async throws {
        try await write { connection in
            guard try await connection.countRows("DELETE FROM ngsi_subscriptions WHERE id = \(id) RETURNING 1", logger: logger) == 1 else {
                throw StoreError.notFound("subscription", id)
            }
            try await connection.query("DELETE FROM ngsi_notifications WHERE subscription = \(id)", logger: logger)
            try await append(audit, connection)
        }
    }

    public func queueNotifications(_ n: [QueuedNotification]) async throws -> [QueuedNotification] {
        guard !n.isEmpty else { return [] }
        return try await write { connection in try await queue(n, connection) }
    }

    public func dueNotifications(at: Int64, limit: Int) async throws -> [QueuedNotification] {
        try await read { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.notificationColumns) FROM \(unescaped: Self.heads)
                WHERE n.next_attempt_at <= \(at) ORDER BY n.next_attempt_at, n.id LIMIT \(limit)
                """, logger: logger)
            return try await rows.decode(NotificationRow.self).reduce(into: []) { $0.append(Self.notification($1)) }
        }
    }

    public func nextNotificationAttempt() async throws -> Int64? {
        try await read { connection in
            let rows = try await connection.query("SELECT min(n.next_attempt_at) FROM \(unescaped: Self.heads)", logger: logger)
            for try await value in rows.decode(Int64?.self) { return value }
            return nil
        }
    }

    public func recordNotificationAttempt(_ n: QueuedNotification, delivered: Bool, at: Int64) async throws {
        try await write { connection in
            // The notification's own row decides: it is gone once its subscription was deleted,
            // even if a new subscription of the same id was created since.
            if delivered {
                let deleted = try await connection.countRows(
                    "DELETE FROM ngsi_notifications WHERE id = \(n.id) AND subscription = \(n.subscription) RETURNING 1", logger: logger)
                guard deleted == 1 else { return }
                try await connection.query(
                    """
                    UPDATE ngsi_subscriptions SET times_sent = times_sent + 1, last_notification = \(at), last_success = \(at)
                    WHERE id = \(n.subscription)
                    """, logger: logger)
            } else {
                let updated = try await connection.countRows(
                    """
                    UPDATE ngsi_notifications SET attempts = \(n.attempts), next_attempt_at = \(n.nextAttemptAt), last_status = \(n.lastStatus),
                        last_error = \(n.lastError) WHERE id = \(n.id) AND subscription = \(n.subscription) RETURNING 1
                    """, logger: logger)
                guard updated == 1 else { return }
                try await connection.query(
                    """
                    UPDATE ngsi_subscriptions SET times_sent = times_sent + 1, times_failed = times_failed + 1, last_notification = \(at),
                        last_failure = \(at), last_failure_reason = \(n.lastError) WHERE id = \(n.subscription)
                    """, logger: logger)
            }
        }
    }

    public func queuedNotificationCount(subscription: String) async throws -> Int {
        try await read { connection in
            Int(try await connection.integer("SELECT count(*) FROM ngsi_notifications WHERE subscription = \(subscription)", logger: logger))
        }
    }
}
