import Foundation
import Synchronization

/// Counts failed logins in a sliding window, per username and per client address; past either
/// limit, logins answer 429. A guesser trying one password on many usernames is held by the
/// address count, one trying many passwords on one username from many addresses by the username
/// count. Each count keeps at most `capacity` keys, so a flood of made-up usernames cannot grow
/// the server's memory: when full, keys whose failures are all outside the window go first, then
/// the key whose newest failure is oldest.
final class LoginThrottle: Sendable {
    /// Why a login has to wait, and for how many seconds.
    enum Wait: Equatable {
        case username(Int)
        case address(Int)
    }

    let limit: Int
    let addressLimit: Int
    let window: TimeInterval
    let capacity: Int
    private let usernames: Mutex<FailureLog>
    private let addresses: Mutex<FailureLog>

    init(limit: Int, addressLimit: Int, window: TimeInterval, capacity: Int = 10_000) {
        self.limit = limit
        self.addressLimit = addressLimit
        self.window = window
        self.capacity = max(1, capacity)
        usernames = Mutex(FailureLog())
        addresses = Mutex(FailureLog())
    }

    /// How long the attempt has to wait, or nil when it may go ahead now.
    func retryAfter(username: String, address: String?, now: Date) -> Wait? {
        if let wait = usernames.withLock({ $0.retryAfter(username, limit: limit, window: window, now: now) }) { return .username(wait) }
        guard let address else { return nil }
        return addresses.withLock { $0.retryAfter(address, limit: addressLimit, window: window, now: now) }.map(Wait.address)
    }

    func recordFailure(username: String, address: String?, now: Date) {
        usernames.withLock { $0.record(username, keeping: limit, window: window, capacity: capacity, now: now) }
        if let address {
            addresses.withLock { $0.record(address, keeping: addressLimit, window: window, capacity: capacity, now: now) }
        }
    }

    /// A successful login clears its username's failures; its address keeps them, so one account
    /// the guesser owns does not reset the count of their guesses at others.
    func reset(username: String) {
        usernames.withLock { _ = $0.failures.removeValue(forKey: username) }
    }

    /// How many usernames and addresses are remembered.
    var keyCount: (usernames: Int, addresses: Int) {
        (usernames.withLock { $0.failures.count }, addresses.withLock { $0.failures.count })
    }
}

/// Recent failure times per key, oldest first.
private struct FailureLog {
    var failures: [String: [Date]] = [:]

    mutating func retryAfter(_ key: String, limit: Int, window: TimeInterval, now: Date) -> Int? {
        let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[key] = recent.isEmpty ? nil : recent
        guard recent.count >= limit, let oldest = recent.first else { return nil }
        return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
    }

    /// Notes a failure; only the newest `keeping` times matter for the limit, so no more are kept.
    mutating func record(_ key: String, keeping: Int, window: TimeInterval, capacity: Int, now: Date) {
        var recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        recent.append(now)
        if recent.count > keeping { recent.removeFirst(recent.count - keeping) }
        if failures[key] == nil, failures.count >= capacity { makeRoom(window: window, capacity: capacity, now: now) }
        failures[key] = recent
    }

    private mutating func makeRoom(window: TimeInterval, capacity: Int, now: Date) {
        failures = failures.filter { _, times in times.last.map { now.timeIntervalSince($0) < window } ?? false }
        while failures.count >= capacity, let stalest = failures.min(by: { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }) {
            failures[stalest.key] = nil
        }
    }
}
