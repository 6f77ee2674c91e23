import Foundation
import Logging
import ServiceLifecycle
import TentacleCore
import TentacleStore

/// Delivers NGSI-LD notifications from their durable queue: each subscription's notifications
/// go out one at a time in the order they were queued, and one that fails is retried with
/// backoff (1 s doubling, at most `longestBackoff`) until its endpoint takes it; nothing is
/// given up. Delivery status (`timesSent`, `lastSuccess`, `lastFailure`) is stored with every
/// attempt, so it survives restarts as the queue does.
final class NotificationSender: Service, Sendable {
    static let longestBackoff: Int64 = 60_000

    private let store: any Storage
    private let service: SubscriptionService
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let outbound: OutboundPost
    private let pollInterval: Duration

    init(
        store: any Storage, service: SubscriptionService, clock: @escaping @Sendable () -> Date, logger: Logger, timeoutSeconds: Double = 10,
        pollInterval: Duration = .milliseconds(200)
    ) {
        self.store = store
        self.service = service
        self.clock = clock
        self.logger = logger
        self.pollInterval = pollInterval
        outbound = OutboundPost(userAgent: "Tentacle NGSI-LD notification", timeoutSeconds: timeoutSeconds)
    }

    deinit {
        outbound.invalidate()
    }

    func run() async throws {
        await OutboundPost.poll(every: pollInterval) { await self.deliverDue() }
    }

    /// Attempts what is due; while notifications get through, the next ones follow at once. One
    /// node at a time delivers, so each notification goes out once and in order.
    func deliverDue() async {
        do {
            _ = try await store.exclusively("ngsi-notifications") { await self.deliverHeld() }
        } catch {
            logger.failure("queued notifications cannot be read", error)
        }
    }

    private func deliverHeld() async {
        do {
            for _ in 0..<1000 {
                let due = try await store.dueNotifications(at: Reading.milliseconds(clock()), limit: 100)
                guard !due.isEmpty else { break }
                // Subscriptions are independent: their heads go out side by side.
                let delivered = await withTaskGroup(of: Bool.self) { group in
                    for n in due { group.addTask { await self.attempt(n) } }
                    return await group.reduce(false) { $0 || $1 }
                }
                if !delivered { break }
            }
        } catch {
            logger.failure("queued notifications cannot be read", error)
        }
    }

    /// One POST; true when delivered.
    private func attempt(_ notification: QueuedNotification) async -> Bool {
        var headers = ["Content-Type": notification.contentType]
        if notification.contentType == "application/json", let context = service.context(of: notification.subscription) {
            headers["Link"] = #"<\#(context)>; rel="\#(LinkedData.linkRelation)"; type="application/ld+json""#
        }
        let result = await outbound.post(notification.endpoint, body: notification.payload, headers: headers)
        var next = notification
        next.attempts += 1
        next.lastStatus = result.status
        next.lastError = result.error
        let now = Reading.milliseconds(clock())
        if !result.delivered { next.nextAttemptAt = now + OutboundPost.backoff(attempts: next.attempts, longest: Self.longestBackoff) }
        do {
            try await store.recordNotificationAttempt(next, delivered: result.delivered, at: now)
        } catch {
            logger.failure("a notification attempt cannot be recorded", error)
            return false
        }
        return result.delivered
    }
}
