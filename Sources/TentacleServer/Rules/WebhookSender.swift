import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
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
    private let session: URLSession
    private let pollInterval: Duration

    init(store: any Storage, clock: @escaping @Sendable () -> Date, logger: Logger, timeoutSeconds: Double = 10, pollInterval: Duration = .seconds(1)) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.pollInterval = pollInterval
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        configuration.timeoutIntervalForResource = timeoutSeconds * 2
        configuration.httpAdditionalHeaders = ["User-Agent": "Tentacle rule webhook"]
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.invalidateAndCancel()
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.deliverDue()
                try? await Task.sleep(for: self.pollInterval)
            }
        }
    }

    /// Attempts what is due, each rule's oldest call first; while calls get through, the next of
    /// the same rule follows at once.
    func deliverDue() async {
        do {
            for _ in 0..<100 {
                let due = try await store.dueWebhooks(at: Reading.milliseconds(clock()), limit: 100)
                var delivered = false
                for delivery in due where await attempt(delivery) { delivered = true }
                if !delivered { break }
            }
        } catch {
            logger.error("webhook deliveries cannot be read", metadata: ["error": "\(error)"])
        }
    }

    /// One POST; true when delivered.
    private func attempt(_ delivery: WebhookDelivery) async -> Bool {
        var next = delivery
        next.attempts += 1
        do {
            guard let url = URL(string: delivery.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                throw WebhookError(description: "'\(delivery.url.prefix(200))' is not an http or https URL")
            }
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue(String(delivery.id), forHTTPHeaderField: "Tentacle-Delivery")
            request.httpBody = Data(delivery.payload.utf8)
            let (_, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            next.lastStatus = status
            guard (200..<300).contains(status) else { throw WebhookError(description: "the endpoint answered \(status)") }
            next.state = .delivered
            next.deliveredAt = Reading.milliseconds(clock())
            next.lastError = nil
        } catch {
            next.lastError = String("\(error)".prefix(500))
            if next.attempts >= Self.maxAttempts {
                next.state = .failed
                logger.warning("webhook given up", metadata: ["rule": "\(delivery.rule)", "attempts": "\(next.attempts)", "error": "\(error)"])
            } else {
                next.nextAttemptAt = Reading.milliseconds(clock()) + Self.backoff(attempts: next.attempts)
            }
        }
        do {
            try await store.saveWebhookAttempt(next)
        } catch {
            logger.error("a webhook attempt cannot be recorded", metadata: ["error": "\(error)"])
        }
        return next.state == .delivered
    }

    /// Milliseconds to wait after `attempts` failed attempts: 1 s doubling, at most an hour.
    static func backoff(attempts: Int) -> Int64 {
        min(longestBackoff, 1000 << Int64(min(max(attempts - 1, 0), 30)))
    }
}

struct WebhookError: Error, CustomStringConvertible {
    let description: String
}
