import Foundation
import Synchronization

/// Counts failed logins per username in a sliding window; past the limit, logins answer 429.
final class LoginThrottle: Sendable {
    private let failures = Mutex<[String: [Date]]>([:])
    let limit: Int
    let window: TimeInterval

    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until another attempt is allowed, or nil when one is allowed now.
    func retryAfter(_ key: String, now: Date) -> Int? {
        failures.withLock { all in
            let recent = (all[key] ?? []).filter { now.timeIntervalSince($0) < window }
            all[key] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    func recordFailure(_ key: String, now: Date) {
        failures.withLock { all in
            var recent = (all[key] ?? []).filter { now.timeIntervalSince($0) < window }
            recent.append(now)
            all[key] = recent
        }
    }

    func reset(_ key: String) {
        failures.withLock { all in all[key] = nil }
    }
}
