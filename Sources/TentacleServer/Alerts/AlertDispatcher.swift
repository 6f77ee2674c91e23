import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TentacleCore
import TentacleStore

/// Gets active alerts onto every targeted panel and keeps track of who confirmed.
///
/// Active alerts live in memory (loaded from the store at start) with the message each display
/// gets. A new alert goes at once to every connected display it targets; a display that connects
/// later gets it after `hello`; displays that have not acknowledged within `resendAfter` get it
/// again. Delivery progress is written in batches; an alert whose `expires` has passed is
/// expired everywhere (agents also drop it on their own, even offline).
///
/// With several nodes on one database, each holds the same active alerts: a new alert, a
/// settlement and each batch of acknowledgements go to the other nodes as they happen here, so
/// an alert posted on one node reaches the displays connected to every node, and the map on
/// each node shows who confirmed. Expiry runs on one node at a time.
final class AlertDispatcher: Service, Sendable {
    struct Active: Sendable {
        var record: AlertRecord
        var text: String
        /// `text` as every display's frame carries it, encoded once.
        var payload: ByteBuffer
        var targets: Set<String>
        var shown: Set<String>
        var sentAt: [String: ContinuousClock.Instant] = [:]

        init(record: AlertRecord, text: String, targets: Set<String>, shown: Set<String>) {
            self.record = record
            self.text = text
            self.payload = DeviceSession.payload(text)
            self.targets = targets
            self.shown = shown
        }
    }

    private struct State {
        var active: [String: Active] = [:]
        var progress: [(alertId: String, delivery: AlertDelivery)] = []
        /// Per alert and display, when the alert was handed to its channel (server clock) and
        /// since when that is waiting to be written; see `holdDelivered`.
        var handed: [String: [String: (deliveredAt: Date, since: ContinuousClock.Instant)]] = [:]
        var loaded = false
    }

    let store: any Storage
    let directory: DisplayDirectory
    let hub: ChannelHub
    let clock: @Sendable () -> Date
    let logger: Logger
    let resendAfter: Duration
    private let state = Mutex(State())
    var relay: NodeRelay { hub.relay }

    init(
        store: any Storage, hub: ChannelHub, directory: DisplayDirectory, clock: @escaping @Sendable () -> Date, logger: Logger,
        resendAfter: Duration = .seconds(5)
    ) {
        self.store = store
        self.hub = hub
        self.directory = directory
        self.clock = clock
        self.logger = logger
        self.resendAfter = resendAfter
    }

    func run() async throws {
        try await loadIfNeeded()
        // The first alert of an emergency should not wait for the registry to be read.
        do {
            _ = try await directory.displays(scope: .all)
        } catch {
            logger.warning("cannot read the display registry for alert targeting yet", metadata: ["error": "\(error)"])
        }
        var tick = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(200)) }
            tick += 1
            await flush(holding: holdDelivered)
            if tick % 5 == 0 {
                await expire()
                await resend()
            }
        }
        await flush()
    }

    func loadIfNeeded() async throws {
        guard !state.withLock({ $0.loaded }) else { return }
        let stored = try await store.activeAlerts()
        state.withLock { s in
            guard !s.loaded else { return }
            for (alert, notice, targets, shown) in stored {
                s.active[alert.id] = Active(record: alert, text: notice, targets: Set(targets), shown: Set(shown))
            }
            s.loaded = true
        }
    }

    /// A newly stored alert: sends it to every connected display it targets, here and on the other nodes.
    func publish(_ record: AlertRecord, text: String, targets: [String]) async {
        let active = Active(record: record, text: text, targets: Set(targets), shown: [])
        state.withLock { $0.active[record.id] = active }
        relay.send(.alert(record, notice: text))
        await send(record.id, to: hub.sessions(targets))
    }

    /// An alert another node stored and published: sends it to the displays connected here.
    /// Its targets are read from the store unless the message carried them.
    func adopt(_ record: AlertRecord, text: String, targets given: [String]?) async {
        guard state.withLock({ $0.active[record.id] == nil }) else { return }
        let targets: [String]
        if let given {
            targets = given
        } else {
            do {
                targets = try await store.alertTargets(id: record.id)
            } catch {
                logger.warning("cannot read the displays of an alert from another node; reading every active alert", metadata: [
                    "alert": "\(record.id)", "error": "\(error)",
                ])
                await reload()
                return
            }
        }
        let new = state.withLock { s in
            guard s.active[record.id] == nil else { return false }
            s.active[record.id] = Active(record: record, text: text, targets: Set(targets), shown: [])
            return true
        }
        if new { await send(record.id, to: hub.sessions(targets)) }
    }

    /// Displays that confirmed alerts on other nodes, so they are not sent them again here.
    func shownElsewhere(_ byAlert: [String: [String]]) {
        state.withLock { s in
            for (alertId, displays) in byAlert { s.active[alertId]?.shown.formUnion(displays) }
        }
    }

    /// Reads the active alerts again after messages from the other nodes may have been missed:
    /// alerts new to this node go to its displays, alerts no longer active are dropped.
    func reload() async {
        let stored: [(alert: AlertRecord, notice: String, targets: [String], shown: [String])]
        do {
            stored = try await store.activeAlerts()
        } catch {
            logger.warning("cannot read the active alerts again", metadata: ["error": "\(error)"])
            return
        }
        let ids = Set(stored.map(\.alert.id))
        let (added, gone) = state.withLock { s -> ([(String, [String])], [String]) in
            var added: [(String, [String])] = []
            for (alert, notice, targets, shown) in stored {
                if s.active[alert.id] == nil {
                    s.active[alert.id] = Active(record: alert, text: notice, targets: Set(targets), shown: Set(shown))
                    added.append((alert.id, targets))
                } else {
                    s.active[alert.id]?.shown.formUnion(shown)
                }
            }
            return (added, s.active.keys.filter { !ids.contains($0) })
        }
        for (id, targets) in added { await send(id, to: hub.sessions(targets)) }
        await settle(gone, tellOthers: false)
    }

    /// Alerts cancelled, replaced or expired: every connected display they targeted drops them,
    /// here and (unless `tellOthers` is false) on the other nodes.
    func settle(_ ids: [String], tellOthers: Bool = true) async {
        if tellOthers && !ids.isEmpty { relay.send(.settled(ids)) }
        let removed = state.withLock { s in ids.compactMap { s.active.removeValue(forKey: $0) } }
        guard !removed.isEmpty else { return }
        let byDisplay = Dictionary(grouping: removed.flatMap { a in a.targets.map { ($0, a.record.id) } }, by: \.0).mapValues { $0.map(\.1) }
        var payloads: [[String]: ByteBuffer] = [:]
        for (display, ids) in byDisplay {
            guard let session = hub.session(display) else { continue }
            let ids = ids.sorted()
            if payloads[ids] == nil { payloads[ids] = DeviceSession.payload(.alertCancel(.init(ids: ids))) }
            session.post(payloads[ids]!)
        }
    }

    /// After `hello`: every active alert for the display that it has not shown yet.
    func greet(_ session: DeviceSession) async {
        let settled = session.state.withLock { $0.settledAlerts }
        let due = state.withLock { s in
            s.active.values.filter { $0.targets.contains(session.displayId) && !$0.shown.contains(session.displayId) && !settled.contains($0.record.id) }
                .map(\.record.id)
        }
        for id in due { await send(id, to: [session]) }
    }

    /// The display's panel shows the alert since `shownAt` (agent clock).
    func acknowledged(_ alertId: String, by displayId: String, shownAt: Int64) {
        let now = clock()
        state.withLock { s in
            guard s.active[alertId]?.targets.contains(displayId) == true else { return }
            guard s.active[alertId]?.shown.insert(displayId).inserted == true else { return }
            let handed = s.handed[alertId]?.removeValue(forKey: displayId)
            s.progress.append((alertId, AlertDelivery(
                displayId: displayId, state: .shown, deliveredAt: handed?.deliveredAt, shownAt: Date(timeIntervalSince1970: Double(shownAt) / 1000),
                ackedAt: now)))
        }
    }

    /// Every active alert's targeted displays and those that confirmed it, for the dashboard's map and console.
    func coverage() -> [String: (targets: Set<String>, shown: Set<String>)] {
        state.withLock { s in s.active.mapValues { ($0.targets, $0.shown) } }
    }

    /// The active alerts for `displayId`, as the resolution function takes them, with the notices sent.
    func candidates(for displayId: String) -> [(candidate: AlertCandidate, notice: String)] {
        state.withLock { s in
            s.active.values.filter { $0.targets.contains(displayId) }.map { a in
                (AlertCandidate(id: a.record.id, severity: a.record.severity, sent: a.record.sent, expires: a.record.expires,
                                target: Target(displayIds: [displayId])), a.text)
            }
        }
    }

    private func send(_ alertId: String, to sessions: [DeviceSession]) async {
        guard let payload = state.withLock({ $0.active[alertId]?.payload }), !sessions.isEmpty else { return }
        let now = clock()
        let instant = ContinuousClock.now
        // Out first; the bookkeeping after, while the event loops write.
        DeviceSession.post(payload, to: sessions)
        state.withLock { s in
            for session in sessions {
                s.active[alertId]?.sentAt[session.displayId] = instant
                // A resend keeps the first hand-over's time, as the store would; a display whose
                // acknowledgement came in already has it written with that.
                if s.handed[alertId, default: [:]][session.displayId] == nil, s.active[alertId]?.shown.contains(session.displayId) == false {
                    s.handed[alertId, default: [:]][session.displayId] = (now, instant)
                }
            }
        }
    }

    /// How long a hand-over waits to be written. Most displays acknowledge well within it, and
    /// then one write records both (`shown` with its `delivered_at`), which halves the database's
    /// work during an alert's wave of acknowledgements, when it is busiest.
    var holdDelivered: Duration { .seconds(1) }

    /// Writes the progress gathered since the last flush, and the hand-overs older than `holding`.
    func flush(holding: Duration = .zero) async {
        let now = ContinuousClock.now
        let progress = state.withLock { s in
            var due: [(alertId: String, delivery: AlertDelivery)] = []
            for (alertId, displays) in s.handed {
                let old = displays.filter { now - $0.value.since >= holding }
                guard !old.isEmpty else { continue }
                due += old.map { (alertId, AlertDelivery(displayId: $0.key, state: .delivered, deliveredAt: $0.value.deliveredAt)) }
                if old.count == displays.count {
                    s.handed[alertId] = nil
                } else {
                    for id in old.keys { s.handed[alertId]?[id] = nil }
                }
            }
            defer { s.progress = [] }
            return due + s.progress
        }
        guard !progress.isEmpty else { return }
        var shown: [String: [String]] = [:]
        for (alertId, delivery) in progress where delivery.state == .shown { shown[alertId, default: []].append(delivery.displayId) }
        if !shown.isEmpty { relay.send(.acknowledged(shown)) }
        do {
            try await store.recordDeliveries(progress)
        } catch {
            logger.failure("writing alert deliveries failed", error)
            state.withLock { $0.progress.insert(contentsOf: progress, at: 0) }
        }
    }

    private func resend() async {
        let now = ContinuousClock.now
        let due: [(String, [DeviceSession])] = state.withLock { s in
            s.active.values.map { a in
                let sessions = a.targets.subtracting(a.shown).compactMap { id -> DeviceSession? in
                    guard let sent = a.sentAt[id], now - sent < resendAfter else { return hub.session(id) }
                    return nil
                }
                return (a.record.id, sessions)
            }
        }
        for (id, sessions) in due where !sessions.isEmpty { await send(id, to: sessions) }
    }

    private func expire() async {
        let now = clock()
        let expired = state.withLock { s in s.active.values.filter { ($0.record.expires ?? .distantFuture) <= now }.map(\.record.id) }
        guard !expired.isEmpty else { return }
        do {
            // One node expires them and tells the others; a node that finds the job taken waits
            // for that word (or its next turn).
            let done = try await store.exclusively("alert-expiry") { [store] in
                try await store.setAlertStates(
                    Dictionary(uniqueKeysWithValues: expired.map { ($0, .expired) }),
                    audit: AuditEvent(
                        actor: "system", action: "alert.expire", objectType: "alert", objectId: expired.sorted().joined(separator: ","),
                        summary: "expired"))
            }
            guard done != nil else { return }
        } catch {
            logger.failure("expiring alerts failed", error)
            return
        }
        await settle(expired)
    }
}
