import Foundation
import Logging
import ServiceLifecycle
import TentacleCore
import TentacleStore

/// Delivers what rules owe their webhooks: each delivery is stored before it is attempted, is
/// POSTed as JSON until the endpoint answers 2xx, with backoff between attempts (1 s, 2 s, 4 s,
/// ... up to an hour), and is given up after `maxAttempts`, its last status and error kept. A
/// restart picks up where it stopped; per rule, deliveries go out in the order they were owed.
final class WebhookSender: Service, Sendable {
    static let maxAttempts = 12
    static let longestBackoff: Int64 = 3_600_000

    private let store: any Storage
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let outbound: OutboundPost
    private let pollInterval: Duration

    init(store: any Storage, clock: @escaping @Sendable () -> Date, logger: Logger, timeoutSeconds: Double = 10, pollInterval: Duration = .seconds(1)) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.pollInterval = pollInterval
        outbound = OutboundPost(userAgent: "Tentacle rule webhook", timeoutSeconds: timeoutSeconds)
    }

    deinit {
        outbound.invalidate()
    }

    func run() async throws {
        await OutboundPost.poll(every: pollInterval) { await self.deliverDue() }
    }

    /// Attempts what is due, each rule's oldest call first; while calls get through, the next of
    /// the same rule follows at once. One node at a time delivers, so no call goes out twice.
    func deliverDue() async {
        do {
            _ = try await store.exclusively("webhooks") { await self.deliverHeld() }
        } catch {
            logger.failure("webhook deliveries cannot be read", error)
        }
    }

    private func deliverHeld() async {
        do {
            for _ in 0..<100 {
                let due = try await store.dueWebhooks(at: Reading.milliseconds(clock()), limit: 100)
                var delivered = false
                for delivery in due where await attempt(delivery) { delivered = true }
                if !delivered { break }
            }
        } catch {
            logger.failure("webhook deliveries cannot be read", error)
        }
    }

    /// One POST; true when delivered.
    private func attempt(_ delivery: WebhookDelivery) async -> Bool {
        var next = delivery
        next.attempts += 1
        let result = await outbound.post(
            delivery.url, body: delivery.payload, headers: ["Content-Type": "application/json", "Tentacle-Delivery": String(delivery.id)])
        next.lastStatus = result.status
        if result.delivered {
            next.state = .delivered
            next.deliveredAt = Reading.milliseconds(clock())
            next.lastError = nil
        } else {
            next.lastError = result.error
            if next.attempts >= Self.maxAttempts {
                next.state = .failed
                logger.warning("webhook given up", metadata: ["rule": "\(delivery.rule)", "attempts": "\(next.attempts)", "error": "\(result.error ?? "")"])
            } else {
                next.nextAttemptAt = Reading.milliseconds(clock()) + Self.backoff(attempts: next.attempts)
            }
        }
        do {
            try await store.saveWebhookAttempt(next)
        } catch {
            logger.failure("a webhook attempt cannot be recorded", error)
        }
        return next.state == .delivered
    }

    /// Milliseconds to wait after `attempts` failed attempts: 1 s doubling, at most an hour.
    static func backoff(attempts: Int) -> Int64 {
        OutboundPost.backoff(attempts: attempts, longest: longestBackoff)
    }
}
