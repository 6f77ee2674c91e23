import Foundation
import GRDB
import PostgresNIO
import Synchronization
import TentacleCore
@testable import TentacleStore
import Testing

@Suite("Subscription repository contract")
struct SubscriptionRepositoryTests {
    static let t0: Int64 = 1_767_225_600_000

    static func subscription(_ id: String, createdAt: Int64 = t0) -> SubscriptionRecord {
        SubscriptionRecord(
            id: id, owner: "usr-1", document: #"{"id":"\#(id)","type":"Subscription"}"#, isActive: true, createdAt: createdAt, modifiedAt: createdAt)
    }

    static func notification(_ subscription: String, _ payload: String, due: Int64 = t0) -> QueuedNotification {
        QueuedNotification(
            subscription: subscription, endpoint: "https://example.org/notify", contentType: "application/json", payload: payload, createdAt: t0,
            nextAttemptAt: due)
    }

    /// Creates the subscriptions, each with the audit row of its creation.
    static func create(_ ids: [String], in store: any Storage) async throws {
        for id in ids { try await store.createSubscription(subscription(id), audit: audit("subscription.create", "subscription", id)) }
    }

    @Test(arguments: Backend.all)
    func createReadUpdateDelete(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            let b = Self.subscription("urn:ngsi-ld:Subscription:b")
            let a = Self.subscription("urn:ngsi-ld:Subscription:a")
            let early = Self.subscription("urn:ngsi-ld:Subscription:z", createdAt: Self.t0 - 1)
            for record in [b, a, early] { try await s.createSubscription(record, audit: audit("subscription.create", "subscription", record.id)) }
            #expect(try await s.subscriptions() == [early, a, b])
            #expect(try await s.subscription(id: a.id) == a)
            #expect(try await s.subscription(id: "urn:ngsi-ld:Subscription:none") == nil)

            let taken = await #expect(throws: StoreError.self) {
                try await s.createSubscription(a, audit: audit("subscription.create", "subscription", a.id))
            }
            #expect(taken?.code == .conflict)

            var changed = a
            changed.document = #"{"changed":true}"#
            changed.isActive = false
            changed.modifiedAt = Self.t0 + 5
            changed.expiresAt = Self.t0 + 86_400_000
            try await s.updateSubscription(changed, audit: audit("subscription.update", "subscription", a.id))
            #expect(try await s.subscription(id: a.id) == changed)
            // The owner and the creation time are not the update's to change.
            var foreign = changed
            foreign.owner = "usr-2"
            foreign.createdAt = 0
            try await s.updateSubscription(foreign, audit: audit("subscription.update", "subscription", a.id))
            #expect(try await s.subscription(id: a.id) == changed)

            try await s.deleteSubscription(id: a.id, audit: audit("subscription.delete", "subscription", a.id))
            #expect(try await s.subscription(id: a.id) == nil)
            let missingUpdate = await #expect(throws: StoreError.self) {
                try await s.updateSubscription(changed, audit: audit("subscription.update", "subscription", a.id))
            }
            #expect(missingUpdate?.code == .notFound)
            let missingDelete = await #expect(throws: StoreError.self) {
                try await s.deleteSubscription(id: a.id, audit: audit("subscription.delete", "subscription", a.id))
            }
            #expect(missingDelete?.code == .notFound)

            // One audit row per change that happened, none for the refused ones.
            let rows = try await s.auditEntries(AuditQuery(objectType: "subscription", objectId: a.id))
            #expect(rows.map(\.action) == ["subscription.delete", "subscription.update", "subscription.update", "subscription.create"])
        }
    }

    @Test(arguments: Backend.all)
    func deliveryStatusSurvivesUpdatesAndReopening(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let id = "urn:ngsi-ld:Subscription:s"
            try await Self.create([id], in: h.store)
            let queued = try await h.store.queueNotifications([Self.notification(id, "1"), Self.notification(id, "2")])
            try #require(queued.count == 2)
            var failed = queued[0]
            failed.attempts = 1
            failed.nextAttemptAt = Self.t0 + 10_000
            failed.lastStatus = 503
            failed.lastError = "HTTP 503"
            try await h.store.recordNotificationAttempt(failed, delivered: false, at: Self.t0 + 1)
            failed.attempts = 2
            failed.lastStatus = nil
            failed.lastError = nil
            try await h.store.recordNotificationAttempt(failed, delivered: true, at: Self.t0 + 10_000)

            var update = Self.subscription(id)
            update.document = "{}"
            update.modifiedAt = Self.t0 + 20_000
            try await h.store.updateSubscription(update, audit: audit("subscription.update", "subscription", id))
            var expected = update
            expected.timesSent = 2
            expected.timesFailed = 1
            expected.lastNotification = Self.t0 + 10_000
            expected.lastSuccess = Self.t0 + 10_000
            expected.lastFailure = Self.t0 + 1
            expected.lastFailureReason = "HTTP 503"
            #expect(try await h.store.subscription(id: id) == expected)

            try await h.reopen()
            #expect(try await h.store.subscription(id: id) == expected)
            #expect(try await h.store.dueNotifications(at: .max, limit: 10) == [queued[1]])
        }
    }

    @Test(arguments: Backend.all)
    func aFailedHeadHoldsBackOnlyItsOwnSubscription(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let (a, b, c) = ("urn:ngsi-ld:Subscription:a", "urn:ngsi-ld:Subscription:b", "urn:ngsi-ld:Subscription:c")
            try await Self.create([a, b, c], in: h.store)
            let q = try await h.store.queueNotifications([
                Self.notification(a, "a1"), Self.notification(b, "b1", due: Self.t0 + 50), Self.notification(a, "a2"), Self.notification(b, "b2"),
                Self.notification(c, "c1", due: Self.t0 + 500),
            ])
            try #require(q.map(\.payload) == ["a1", "b1", "a2", "b2", "c1"])
            #expect(Set(q.map(\.id)).count == 5 && !q.contains { $0.id == 0 })
            #expect(try await h.store.queuedNotificationCount(subscription: a) == 2)
            #expect(try await h.store.nextNotificationAttempt() == Self.t0)

            // b's head is not due yet, so b2 waits though it is due itself; c1 is not due.
            #expect(try await h.store.dueNotifications(at: Self.t0, limit: 10).map(\.payload) == ["a1"])
            #expect(try await h.store.dueNotifications(at: Self.t0 + 50, limit: 10).map(\.payload) == ["a1", "b1"])
            #expect(try await h.store.dueNotifications(at: Self.t0 + 50, limit: 1).map(\.payload) == ["a1"])

            // a1 fails and is retried later: a2 stays behind it, b is not held up.
            var retry = q[0]
            retry.attempts = 1
            retry.nextAttemptAt = Self.t0 + 1_000
            retry.lastError = "connection refused"
            try await h.store.recordNotificationAttempt(retry, delivered: false, at: Self.t0)
            #expect(try await h.store.dueNotifications(at: Self.t0 + 100, limit: 10).map(\.payload) == ["b1"])
            #expect(try await h.store.dueNotifications(at: Self.t0 + 1_000, limit: 10) == [q[1], q[4], retry])
            try await h.store.recordNotificationAttempt(q[1], delivered: true, at: Self.t0 + 100)
            #expect(try await h.store.dueNotifications(at: Self.t0 + 100, limit: 10).map(\.payload) == ["b2"])
            try await h.store.recordNotificationAttempt(q[3], delivered: true, at: Self.t0 + 100)
            try await h.store.recordNotificationAttempt(q[4], delivered: true, at: Self.t0 + 500)
            // Only a is left, its head due at the retry time: a2, due long ago, does not count.
            #expect(try await h.store.nextNotificationAttempt() == Self.t0 + 1_000)
            #expect(try await h.store.dueNotifications(at: Self.t0 + 999, limit: 10).isEmpty)

            try await h.store.recordNotificationAttempt(retry, delivered: true, at: Self.t0 + 1_000)
            #expect(try await h.store.dueNotifications(at: Self.t0 + 1_000, limit: 10) == [q[2]])
            try await h.store.recordNotificationAttempt(q[2], delivered: true, at: Self.t0 + 1_000)
            #expect(try await h.store.dueNotifications(at: .max, limit: 10).isEmpty)
            #expect(try await h.store.nextNotificationAttempt() == nil)
        }
    }

    @Test(arguments: Backend.all)
    func notificationsGoWithTheirSubscription(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let (a, b) = ("urn:ngsi-ld:Subscription:a", "urn:ngsi-ld:Subscription:b")
            try await Self.create([a, b], in: h.store)
            let q = try await h.store.queueNotifications([
                Self.notification(a, "a1"), Self.notification("urn:ngsi-ld:Subscription:gone", "x"), Self.notification(b, "b1"), Self.notification(a, "a2"),
            ])
            try #require(q.map(\.payload) == ["a1", "b1", "a2"])
            #expect(try await h.store.queuedNotificationCount(subscription: "urn:ngsi-ld:Subscription:gone") == 0)

            try await h.store.deleteSubscription(id: a, audit: audit("subscription.delete", "subscription", a))
            #expect(try await h.store.queuedNotificationCount(subscription: a) == 0)
            #expect(try await h.store.dueNotifications(at: .max, limit: 10) == [q[1]])

            // An attempt that ends after its subscription was deleted changes nothing, even for a
            // new subscription of the same id.
            try await Self.create([a], in: h.store)
            let fresh = try #require(try await h.store.queueNotifications([Self.notification(a, "a3")]).first)
            try await h.store.recordNotificationAttempt(q[0], delivered: true, at: Self.t0)
            try await h.store.recordNotificationAttempt(q[2], delivered: false, at: Self.t0)
            #expect(try await h.store.subscription(id: a) == Self.subscription(a))
            #expect(try await h.store.dueNotifications(at: .max, limit: 10) == [q[1], fresh])
            #expect(try await h.store.queueNotifications([]).isEmpty)
        }
    }

    @Test(arguments: Backend.all)
    func everyAttemptCountsOnce(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let id = "urn:ngsi-ld:Subscription:s"
            try await Self.create([id], in: h.store)
            var n = try #require(try await h.store.queueNotifications([Self.notification(id, "1")]).first)
            for attempt in 1...3 {
                n.attempts = attempt
                n.nextAttemptAt = Self.t0 + Int64(attempt) * 1_000
                n.lastStatus = 500 + attempt
                n.lastError = "HTTP \(500 + attempt)"
                try await h.store.recordNotificationAttempt(n, delivered: false, at: Self.t0 + Int64(attempt))
                #expect(try await h.store.dueNotifications(at: .max, limit: 10) == [n])
            }
            var s = try #require(try await h.store.subscription(id: id))
            #expect(s.timesSent == 3 && s.timesFailed == 3)
            #expect(s.lastNotification == Self.t0 + 3 && s.lastFailure == Self.t0 + 3 && s.lastSuccess == nil)
            #expect(s.lastFailureReason == "HTTP 503")

            try await h.store.recordNotificationAttempt(n, delivered: true, at: Self.t0 + 4_000)
            s = try #require(try await h.store.subscription(id: id))
            #expect(s.timesSent == 4 && s.timesFailed == 3)
            #expect(s.lastNotification == Self.t0 + 4_000 && s.lastSuccess == Self.t0 + 4_000 && s.lastFailure == Self.t0 + 3)
            #expect(s.lastFailureReason == "HTTP 503")
            #expect(try await h.store.queuedNotificationCount(subscription: id) == 0)
            // The same delivery reported again is not counted again, nor taken for a later one.
            let next = try await h.store.queueNotifications([Self.notification(id, "2")])
            try await h.store.recordNotificationAttempt(n, delivered: true, at: Self.t0 + 5_000)
            #expect(try await h.store.subscription(id: id) == s)
            #expect(try await h.store.dueNotifications(at: .max, limit: 10) == next)
        }
    }

    @Test(arguments: Backend.all)
    func ingestWithoutAFollowerQueuesNothing(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let id = "urn:ngsi-ld:Subscription:s"
            try await Self.create([id], in: h.store)
            let outcomes = try await h.store.ingest([Self.batch(0), Self.batch(0), Self.batch(1)], at: StoreHarness.time)
            #expect(outcomes.map(\.result) == [.stored(1), .duplicate, .stored(1)])
            #expect(try await h.store.queuedNotificationCount(subscription: id) == 0)
        }
    }

    static func batch(_ sequence: Int64) -> ReadingBatch {
        ReadingBatch(source: "d-1", sequence: sequence, readings: [Reading(source: "d-1", metric: "pm25", time: t0 + sequence, value: 10)])
    }

    /// One notification per stored batch, to `subscription`; remembers what it was handed.
    final class OnePerBatch: IngestFollower, Sendable {
        let subscription: String
        let calls = Mutex<[[Int64]]>([])

        init(subscription: String) {
            self.subscription = subscription
        }

        func follow(_ stored: [ReadingBatch], receivedAt: Int64) -> [QueuedNotification] {
            calls.withLock { $0.append(stored.map(\.sequence)) }
            return stored.map { SubscriptionRepositoryTests.notification(subscription, "batch \($0.sequence)", due: receivedAt) }
        }
    }

    @Test(arguments: Backend.all)
    func ingestQueuesWhatTheFollowerPlansForStoredBatchesOnly(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let id = "urn:ngsi-ld:Subscription:s"
            try await Self.create([id], in: h.store)
            let store = h.store
            let follower = OnePerBatch(subscription: id)
            store.follow(with: follower)

            let outcomes = try await store.ingest([Self.batch(0), Self.batch(1), Self.batch(0)], at: StoreHarness.time)
            #expect(outcomes.map(\.result) == [.stored(1), .stored(1), .duplicate])
            // Nothing new stored: the follower is not asked.
            _ = try await store.ingest([Self.batch(1)], at: StoreHarness.time)
            _ = try await store.ingest([Self.batch(1), Self.batch(2)], at: StoreHarness.time)
            #expect(follower.calls.withLock { $0 } == [[0, 1], [2]])

            let receivedAt = Reading.milliseconds(StoreHarness.time)
            let due = try await store.dueNotifications(at: .max, limit: 10)
            #expect(due.map(\.payload) == ["batch 0"] && due.first?.nextAttemptAt == receivedAt)
            #expect(try await store.queuedNotificationCount(subscription: id) == 3)

            // Planned for a subscription that does not exist: dropped, the readings stored.
            store.follow(with: OnePerBatch(subscription: "urn:ngsi-ld:Subscription:gone"))
            #expect(try await store.ingest([Self.batch(3)], at: StoreHarness.time).map(\.result) == [.stored(1)])
            store.follow(with: nil)
            _ = try await store.ingest([Self.batch(4)], at: StoreHarness.time)
            #expect(try await store.queuedNotificationCount(subscription: id) == 3)

            try await h.reopen()
            var payloads: [String] = []
            while let head = try await h.store.dueNotifications(at: .max, limit: 10).first {
                payloads.append(head.payload)
                try await h.store.recordNotificationAttempt(head, delivered: true, at: receivedAt)
            }
            #expect(payloads == ["batch 0", "batch 1", "batch 2"])
        }
    }

    @Test(arguments: Backend.all)
    func notificationsCommitWithTheReadingsOrNotAtAll(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let id = "urn:ngsi-ld:Subscription:s"
            try await Self.create([id], in: h.store)
            h.store.follow(with: OnePerBatch(subscription: id))
            try await Self.refuseNotifications(true, in: h.store)
            await #expect(throws: (any Error).self) { try await h.store.ingest([Self.batch(0)], at: StoreHarness.time) }
            #expect(try await h.store.metrics(source: "d-1").isEmpty)

            try await Self.refuseNotifications(false, in: h.store)
            #expect(try await h.store.ingest([Self.batch(0)], at: StoreHarness.time).map(\.result) == [.stored(1)])
            #expect(try await h.store.queuedNotificationCount(subscription: id) == 1)
        }
    }

    /// Makes every insert into the notification queue fail, or lets them succeed again.
    static func refuseNotifications(_ refuse: Bool, in store: any Storage) async throws {
        if let sqlite = store as? SQLiteStore {
            try await sqlite.pool.write { db in
                try db.execute(
                    sql: refuse
                        ? "CREATE TEMP TRIGGER refuse BEFORE INSERT ON ngsi_notifications BEGIN SELECT RAISE(ABORT, 'refused'); END"
                        : "DROP TRIGGER refuse")
            }
        } else if let postgres = store as? PostgresStore {
            let statements =
                refuse
                ? [
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
                    "CREATE TRIGGER refuse BEFORE INSERT ON ngsi_notifications FOR EACH ROW EXECUTE FUNCTION refuse()",
                ]
                : ["DROP TRIGGER refuse ON ngsi_notifications", "DROP FUNCTION refuse()"]
            try await postgres.write { connection in
                for sql in statements { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: postgres.logger) }
            }
        }
    }

    /// The heads are found by one seek per subscription, never by reading the queues.
    @Test func theQueuesAreNeverScanned() async throws {
        try await StoreHarness.with(.sqlite) { h in
            let store = try #require(h.store as? SQLiteStore)
            let statements: [(sql: String, arguments: StatementArguments)] = [
                (SQLiteStore.dueNotificationsSQL, [0, 10]), (SQLiteStore.nextNotificationAttemptSQL, []),
            ]
            for (sql, arguments) in statements {
                let plan: [String] = try await store.pool.read { db in
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { row -> String in row["detail"] }
                }
                #expect(!plan.contains { $0.hasPrefix("SCAN n") || $0.hasPrefix("SCAN ngsi_notifications") }, "\(plan)")
                #expect(plan.contains { $0.contains("ngsi_notifications_by_subscription (subscription=?)") }, "\(plan)")
            }
        }
    }
}
