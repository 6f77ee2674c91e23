public import TentacleCore

/// An NGSI-LD subscription as stored: its JSON document is the server's to parse; the store keeps it with its delivery status.
public struct SubscriptionRecord: Codable, Hashable, Sendable {
    /// For example `urn:ngsi-ld:Subscription:...`.
    public var id: String
    /// The user id of its creator.
    public var owner: String
    /// The subscription JSON as the server accepted it.
    public var document: String
    public var isActive: Bool
    /// Milliseconds since 1970, as are the other times.
    public var createdAt: Int64
    public var modifiedAt: Int64
    public var expiresAt: Int64?
    /// Notifications attempted; each attempt counts, failed or not. The status fields below are
    /// kept across restarts and changed only by `recordNotificationAttempt`.
    public var timesSent: Int
    public var timesFailed: Int
    /// The time of the last attempt.
    public var lastNotification: Int64?
    public var lastSuccess: Int64?
    public var lastFailure: Int64?
    public var lastFailureReason: String?

    public init(
        id: String, owner: String, document: String, isActive: Bool, createdAt: Int64, modifiedAt: Int64, expiresAt: Int64? = nil,
        timesSent: Int = 0, timesFailed: Int = 0, lastNotification: Int64? = nil, lastSuccess: Int64? = nil, lastFailure: Int64? = nil,
        lastFailureReason: String? = nil
    ) {
        self.id = id
        self.owner = owner
        self.document = document
        self.isActive = isActive
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
        self.expiresAt = expiresAt
        self.timesSent = timesSent
        self.timesFailed = timesFailed
        self.lastNotification = lastNotification
        self.lastSuccess = lastSuccess
        self.lastFailure = lastFailure
        self.lastFailureReason = lastFailureReason
    }
}

/// One notification owed to a subscription's endpoint, queued durably before it is attempted.
public struct QueuedNotification: Codable, Hashable, Sendable {
    /// Assigned by the store; 0 before it is queued.
    public var id: Int64
    public var subscription: String
    /// An http or https URL.
    public var endpoint: String
    /// `application/json` or `application/ld+json`.
    public var contentType: String
    /// The JSON body.
    public var payload: String
    public var createdAt: Int64
    public var attempts: Int
    public var nextAttemptAt: Int64
    /// The last answer's HTTP status, when there was one.
    public var lastStatus: Int?
    public var lastError: String?

    public init(
        id: Int64 = 0, subscription: String, endpoint: String, contentType: String, payload: String, createdAt: Int64, attempts: Int = 0,
        nextAttemptAt: Int64, lastStatus: Int? = nil, lastError: String? = nil
    ) {
        self.id = id
        self.subscription = subscription
        self.endpoint = endpoint
        self.contentType = contentType
        self.payload = payload
        self.createdAt = createdAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
    }
}

/// Notifications that follow from stored readings: planned inside the ingest transaction, so they commit with the readings or not at all.
public protocol IngestFollower: Sendable {
    /// Called inside the ingest transaction, once, with the batches stored in it (not duplicates),
    /// in order; not called when every batch was a duplicate. Must be quick and must not touch the
    /// store. Notifications for subscriptions that do not exist are dropped.
    func follow(_ stored: [ReadingBatch], receivedAt: Int64) -> [QueuedNotification]
}

/// NGSI-LD subscriptions, their delivery status, and the notifications they are owed.
public protocol SubscriptionRepository: Sendable {
    /// Sets the follower that plans notifications inside every ingest transaction; nil stops it.
    func follow(with follower: (any IngestFollower)?)
    /// Sorted by `createdAt`, then id.
    func subscriptions() async throws -> [SubscriptionRecord]
    func subscription(id: String) async throws -> SubscriptionRecord?
    /// `conflict` when the id is taken.
    func createSubscription(_ s: SubscriptionRecord, audit: AuditEvent) async throws
    /// Replaces document, isActive, modifiedAt and expiresAt; the owner, createdAt and the status
    /// fields are kept as stored. `notFound` when absent.
    func updateSubscription(_ s: SubscriptionRecord, audit: AuditEvent) async throws
    /// Removes it and its queued notifications. `notFound` when absent.
    func deleteSubscription(id: String, audit: AuditEvent) async throws
    /// Queues notifications outside ingest (the first notification on creation, say) and returns
    /// them with their ids, in order. Those for subscriptions that no longer exist are dropped.
    func queueNotifications(_ n: [QueuedNotification]) async throws -> [QueuedNotification]
    /// For each subscription, its oldest queued notification if it is due at `at` (ms): a
    /// subscription's notifications go out in queue order, a later one only after the earlier was
    /// delivered. At most `limit`, the earliest due first.
    func dueNotifications(at: Int64, limit: Int) async throws -> [QueuedNotification]
    /// The earliest next attempt among the notifications `dueNotifications` can return (each
    /// subscription's oldest), if any.
    func nextNotificationAttempt() async throws -> Int64?
    /// After an attempt at `at`: delivered, the notification is removed, `timesSent` goes up by
    /// one and `lastNotification` and `lastSuccess` become `at`. Failed, it keeps its place with
    /// attempts, nextAttemptAt, lastStatus and lastError as `n` has them; `timesSent` and
    /// `timesFailed` go up by one, `lastNotification` and `lastFailure` become `at`, and
    /// `lastFailureReason` becomes `n.lastError`. One transaction. A notification no longer
    /// queued (its subscription was deleted meanwhile) is ignored.
    func recordNotificationAttempt(_ n: QueuedNotification, delivered: Bool, at: Int64) async throws
    /// How many notifications are queued for a subscription.
    func queuedNotificationCount(subscription: String) async throws -> Int
}
