import GRDB
import Synchronization
public import TentacleCore

extension SQLiteStore: SubscriptionRepository {
    private static let subscriptionColumns = """
        id, owner, document, is_active, created_at, modified_at, expires_at, times_sent, times_failed, last_notification, last_success, \
        last_failure, last_failure_reason
        """
    private static let notificationColumns =
        "n.id, n.subscription, n.endpoint, n.content_type, n.payload, n.created_at, n.attempts, n.next_attempt_at, n.last_status, n.last_error"

    /// Each subscription's oldest queued notification: one index seek per subscription, however
    /// long the queues behind a failing endpoint grow. `CROSS JOIN` keeps subscriptions the outer
    /// loop, so the notifications table itself is never scanned.
    private static let heads = """
        ngsi_subscriptions AS s CROSS JOIN ngsi_notifications AS n
            ON n.id = (SELECT id FROM ngsi_notifications WHERE subscription = s.id ORDER BY id LIMIT 1)
        """
    /// Arguments: the time and the limit.
    static let dueNotificationsSQL =
        "SELECT \(notificationColumns) FROM \(heads) WHERE n.next_attempt_at <= ? ORDER BY n.next_attempt_at, n.id LIMIT ?"
    static let nextNotificationAttemptSQL = "SELECT min(n.next_attempt_at) FROM \(heads)"

    private static func subscription(_ row: Row) -> SubscriptionRecord {
        SubscriptionRecord(
            id: row[0], owner: row[1], document: row[2], isActive: row[3], createdAt: row[4], modifiedAt: row[5], expiresAt: row[6],
            timesSent: row[7], timesFailed: row[8], lastNotification: row[9], lastSuccess: row[10], lastFailure: row[11],
            lastFailureReason: row[12])
    }

    private static func notification(_ row: Row) -> QueuedNotification {
        QueuedNotification(
            id: row[0], subscription: row[1], endpoint: row[2], contentType: row[3], payload: row[4], createdAt: row[5], attempts: row[6],
            nextAttemptAt: row[7], lastStatus: row[8], lastError: row[9])
    }

    /// Sets the follower that plans notifications from stored readings inside `ingest`; nil stops it.
    public func follow(with follower: (any IngestFollower)?) {
        ingestFollower.withLock { $0 = follower }
    }

    /// Queues notifications inside the caller's transaction, dropping those whose subscription
    /// does not exist; returns the queued ones with their ids.
    static func queue(_ notifications: [QueuedNotification], _ db: Database) throws -> [QueuedNotification] {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO ngsi_notifications (subscription, endpoint, content_type, payload, created_at, attempts, next_attempt_at, last_status, last_error)
            SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM ngsi_subscriptions WHERE id = ?
            """)
        var queued: [QueuedNotification] = []
        queued.reserveCapacity(notifications.count)
        for var n in notifications {
            try insert.execute(arguments: [n.endpoint, n.contentType, n.payload, n.createdAt, n.attempts, n.nextAttemptAt, n.lastStatus, n.lastError, n.subscription])
            guard db.changesCount == 1 else { continue }
            n.id = db.lastInsertedRowID
            queued.append(n)
        }
        return queued
    }

    public func subscriptions() async throws -> [SubscriptionRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.subscriptionColumns) FROM ngsi_subscriptions ORDER BY created_at, id").map(Self.subscription)
        }
    }

    public func subscription(id: String) async throws -> SubscriptionRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.subscriptionColumns) FROM ngsi_subscriptions WHERE id = ?", arguments: [id]).map(Self.subscription)
        }
    }

    public func createSubscription(_ s: SubscriptionRecord, audit: AuditEvent) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM ngsi_subscriptions WHERE id = ?", arguments: [s.id]) == true {
                throw StoreError(.conflict, field: "id", "subscription '\(s.id)' already exists")
            }
            try db.execute(
                sql: "INSERT INTO ngsi_subscriptions (\(Self.subscriptionColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    s.id, s.owner, s.document, s.isActive, s.createdAt, s.modifiedAt, s.expiresAt, s.timesSent, s.timesFailed, s.lastNotification,
                    s.lastSuccess, s.lastFailure, s.lastFailureReason,
                ])
            try self.append(audit, db)
        }
    }

    public func updateSubscription(_ s: SubscriptionRecord, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE ngsi_subscriptions SET document = ?, is_active = ?, modified_at = ?, expires_at = ? WHERE id = ?",
                arguments: [s.document, s.isActive, s.modifiedAt, s.expiresAt, s.id])
            guard db.changesCount == 1 else { throw StoreError.notFound("subscription", s.id) }
            try self.append(audit, db)
        }
    }

    public func deleteSubscription(id: String, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM ngsi_subscriptions WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError.notFound("subscription", id) }
            try db.execute(sql: "DELETE FROM ngsi_notifications WHERE subscription = ?", arguments: [id])
            try self.append(audit, db)
        }
    }

    public func queueNotifications(_ n: [QueuedNotification]) async throws -> [QueuedNotification] {
        guard !n.isEmpty else { return [] }
        return try await write { db in try Self.queue(n, db) }
    }

    public func dueNotifications(at: Int64, limit: Int) async throws -> [QueuedNotification] {
        try await read { db in
            try Row.fetchAll(db, sql: Self.dueNotificationsSQL, arguments: [at, limit]).map(Self.notification)
        }
    }

    public func nextNotificationAttempt() async throws -> Int64? {
        try await read { db in try Int64.fetchOne(db, sql: Self.nextNotificationAttemptSQL) }
    }

    public func recordNotificationAttempt(_ n: QueuedNotification, delivered: Bool, at: Int64) async throws {
        try await write { db in
            // The notification's own row decides: it is gone once its subscription was deleted,
            // even if a new subscription of the same id was created since.
            if delivered {
                try db.execute(sql: "DELETE FROM ngsi_notifications WHERE id = ? AND subscription = ?", arguments: [n.id, n.subscription])
                guard db.changesCount == 1 else { return }
                try db.execute(
                    sql: "UPDATE ngsi_subscriptions SET times_sent = times_sent + 1, last_notification = ?, last_success = ? WHERE id = ?",
                    arguments: [at, at, n.subscription])
            } else {
                try db.execute(
                    sql: "UPDATE ngsi_notifications SET attempts = ?, next_attempt_at = ?, last_status = ?, last_error = ? WHERE id = ? AND subscription = ?",
                    arguments: [n.attempts, n.nextAttemptAt, n.lastStatus, n.lastError, n.id, n.subscription])
                guard db.changesCount == 1 else { return }
                try db.execute(
                    sql: """
                        UPDATE ngsi_subscriptions SET times_sent = times_sent + 1, times_failed = times_failed + 1, last_notification = ?,
                            last_failure = ?, last_failure_reason = ? WHERE id = ?
                        """,
                    arguments: [at, at, n.lastError, n.subscription])
            }
        }
    }

    public func queuedNotificationCount(subscription: String) async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ngsi_notifications WHERE subscription = ?", arguments: [subscription]) ?? 0
        }
    }
}
