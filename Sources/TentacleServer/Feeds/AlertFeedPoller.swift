import Foundation
import Logging
import ServiceLifecycle
import TentacleCAP
import TentacleCore
import TentacleStore

/// Follows the configured warning feeds: every second it polls the feeds that are due, each on its
/// own, so one slow or broken feed never holds up the others. A feed answer goes through the same
/// intake as `POST /v1/alerts`, posted as the feed (`feed:ID` in the audit log) with the districts of
/// the user who added it.
struct AlertFeedPoller: Service {
    let store: any AlertFeedRepository & JobCoordination
    let intake: AlertIntake
    let fetcher: any FeedFetching
    let limits: CAPLimits
    let clock: @Sendable () -> Date
    let logger: Logger
    /// One poll per feed at a time, whether the service or a user asked for it.
    let polling = FeedLocks()

    /// Linked CAP documents fetched in one poll; the rest wait for the next.
    static let maxDocumentsPerPoll = 50
    /// The longest wait after failures, however many there were.
    static let maxBackoff: TimeInterval = 3600

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let now = clock()
                for feed in (try? await store.feeds()) ?? [] where Self.isDue(feed, at: now) {
                    // A feed being polled (by this loop or by a user) is left to that poll.
                    guard await polling.tryAcquire(feed.id) else { continue }
                    group.addTask {
                        // Read again under the lock: a poll that just ended (here or on another node
                        // sharing the database, which holds the feed's job while it polls) may have moved it on.
                        _ = try? await store.exclusively("feed.\(feed.id)") {
                            if let current = try? await store.feed(id: feed.id), Self.isDue(current, at: clock()) {
                                _ = await pollHeld(current)
                            }
                        }
                        await polling.release(feed.id)
                    }
                }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            }
        }
    }

    static func isDue(_ feed: AlertFeed, at now: Date) -> Bool {
        feed.enabled && (feed.health.nextPollAt ?? .distantPast) <= now
    }

    /// What one poll found.
    struct Outcome: Sendable {
        var health: AlertFeed.Health
        /// Alerts stored by this poll.
        var taken: [String]
        /// Entries or documents skipped, with why.
        var skipped: [String]
    }

    /// Polls one feed now and records how it went; waits for a poll of the same feed under way,
    /// then starts from what that one stored (its validators and entries).
    func poll(_ feed: AlertFeed) async -> Outcome {
        await polling.acquire(feed.id)
        let current = (try? await store.feed(id: feed.id)) ?? feed
        let outcome = await pollHeld(current)
        await polling.release(feed.id)
        return outcome
    }

    private func pollHeld(_ feed: AlertFeed) async -> Outcome {
        var health = feed.health
        let started = clock()
        health.lastPolledAt = started
        var outcome = Outcome(health: health, taken: [], skipped: [])
        var seen: [String] = []
        do {
            guard let url = URL(string: feed.url) else { throw FeedFetchError(description: "the feed URL cannot be read") }
            let answer = try await fetcher.fetch(FeedRequest(url: url, etag: health.etag, lastModified: health.lastModified, maxBytes: AlertFeedDocument.limits.maxBytes))
            switch answer.status {
            case 304:
                break
            case 200..<300:
                let document: AlertFeedDocument
                do {
                    document = try AlertFeedDocument.parse(answer.body, base: url)
                } catch {
                    throw FeedFetchError(description: "the feed is not a usable Atom, RSS or CAP document: \(error.reason) (\(error.path))")
                }
                if document.kind == .cap {
                    await take(answer.body, entry: nil, feed: feed, outcome: &outcome)
                } else {
                    let before = try await store.seenEntries(feedId: feed.id)
                    var fetched = 0
                    for entry in document.entries where !before.contains(entry.id) {
                        guard fetched < Self.maxDocumentsPerPoll else { break }
                        guard let link = entry.capLinks.first, let capURL = URL(string: link) else {
                            outcome.skipped.append("\(entry.id.prefix(200)): no link to a CAP document")
                            seen.append(entry.id)
                            continue
                        }
                        fetched += 1
                        do {
                            let cap = try await fetcher.fetch(FeedRequest(url: capURL, maxBytes: limits.maxBytes))
                            guard (200..<300).contains(cap.status) else {
                                // Maybe not published yet: tried again next time.
                                outcome.skipped.append("\(entry.id.prefix(200)): \(link.prefix(200)) answered \(cap.status)")
                                continue
                            }
                            await take(cap.body, entry: entry.id, feed: feed, outcome: &outcome)
                            seen.append(entry.id)
                        } catch {
                            outcome.skipped.append("\(entry.id.prefix(200)): \(link.prefix(200)): \(error)")
                        }
                    }
                }
                health.etag = answer.etag
                health.lastModified = answer.lastModified
            default:
                throw FeedFetchError(description: "the feed answered HTTP \(answer.status)")
            }
            health.state = .ok
            health.lastSuccessAt = started
            health.lastError = outcome.skipped.last.map { "last entry skipped: \($0)" }
            health.consecutiveFailures = 0
            health.nextPollAt = started.addingTimeInterval(TimeInterval(feed.intervalSeconds))
        } catch {
            health.state = .failing
            health.lastError = String(String(describing: error).prefix(500))
            health.consecutiveFailures += 1
            let wait = min(Self.maxBackoff, TimeInterval(feed.intervalSeconds) * pow(2, Double(min(health.consecutiveFailures, 12))))
            health.nextPollAt = started.addingTimeInterval(wait)
            logger.warning("alert feed poll failed", metadata: ["feed": "\(feed.id)", "error": "\(health.lastError ?? "")"])
        }
        health.alertsTaken += outcome.taken.count
        health.alertsSkipped += outcome.skipped.count
        outcome.health = health
        do {
            try await store.recordPoll(feedId: feed.id, health: health, seen: seen)
        } catch {
            logger.failure("alert feed health not stored", error, metadata: ["feed": "\(feed.id)"])
        }
        return outcome
    }

    /// One CAP document from the feed: filtered, then through the intake. A document received
    /// before (by this feed, another feed or a person) counts as taken once only.
    private func take(_ bytes: [UInt8], entry: String?, feed: AlertFeed, outcome: inout Outcome) async {
        let name = entry.map { String($0.prefix(200)) } ?? "document"
        do {
            let cap = try AlertIntake.parse(bytes, limits: limits)
            if let reason = Self.filteredOut(cap, by: feed.filters) {
                outcome.skipped.append("\(name): \(reason)")
                return
            }
            let received = try await intake.receive(cap, document: bytes, from: Self.poster(of: feed))
            outcome.taken.append(received.record.id)
        } catch let error as DomainError where error.code == .duplicate {
            return
        } catch {
            outcome.skipped.append("\(name): \(APIError.from(error).message)")
        }
    }

    /// Alerts from a feed are posted by the feed, with the districts of whoever added it, narrowed
    /// to the feed's district filter when it has one.
    static func poster(of feed: AlertFeed) -> Principal {
        var scope: DistrictScope = feed.posterScope.map { .only(Set($0)) } ?? .all
        if !feed.filters.districts.isEmpty {
            let wanted = Set(feed.filters.districts)
            scope = switch scope {
            case .all: .only(wanted)
            case .only(let own): .only(own.intersection(wanted))
            }
        }
        return Principal(userID: "feed:\(feed.id)", username: "feed:\(feed.id)", role: .alerter, scope: scope)
    }

    /// Why the feed's filters turn this alert away, or nil when they let it through. Cancels and
    /// updates pass the event and level filters, so an alert taken before can always be ended.
    static func filteredOut(_ cap: CAPAlert, by filters: AlertFeed.Filters) -> String? {
        func allows(_ list: [String], _ values: [String]) -> Bool {
            list.isEmpty || values.contains { value in list.contains { $0.caseInsensitiveCompare(value) == .orderedSame } }
        }
        if !allows(filters.statuses, [cap.status.rawValue]) { return "status \(cap.status.rawValue) is not taken from this feed" }
        if cap.msgType == .cancel || cap.msgType == .update && cap.infos.isEmpty { return nil }
        if !allows(filters.severities, cap.infos.map(\.severity.rawValue)) { return "severity is not one this feed takes" }
        if !allows(filters.urgencies, cap.infos.map(\.urgency.rawValue)) { return "urgency is not one this feed takes" }
        if !allows(filters.certainties, cap.infos.map(\.certainty.rawValue)) { return "certainty is not one this feed takes" }
        if !allows(filters.events, cap.infos.map(\.event)) { return "event '\(cap.infos.first?.event.prefix(80) ?? "")' is not one this feed takes" }
        return nil
    }
}

/// Which feeds are being polled, with whoever waits to poll them next.
actor FeedLocks {
    private var busy: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Takes the feed if nobody polls it; false, without waiting, when somebody does.
    func tryAcquire(_ id: String) -> Bool {
        busy.insert(id).inserted
    }

    func acquire(_ id: String) async {
        guard busy.contains(id) else {
            busy.insert(id)
            return
        }
        await withCheckedContinuation { waiting[id, default: []].append($0) }
    }

    func release(_ id: String) {
        if var queue = waiting[id], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[id] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            busy.remove(id)
        }
    }
}
