import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TentacleCore
import TentacleStore

/// NGSI-LD subscriptions at work: each notification a stored reading causes is planned inside
/// the ingest transaction that stores the reading, so the two commit together and a
/// notification is never lost between them, whatever kills the process.
///
/// It keeps in memory what planning needs and must not read from the store in the transaction:
/// the subscriptions (with their owners' district scopes), where each source is, and every
/// source's latest values (for `q` and for the entity the notification carries).
final class SubscriptionService: IngestFollower, Service, Sendable {
    struct Active: Sendable {
        var record: SubscriptionRecord
        var document: SubscriptionDocument
        var scope: DistrictScope
        /// When its last notification was queued, for throttling.
        var lastQueued: Int64?
    }

    private struct State {
        var subscriptions: [Active] = []
        var registry = EntityRegistry(displays: [], sensors: [])
        var started = false
    }

    private let store: any Storage
    private let catalog: EntityCatalog
    private let latest: LatestValues
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let state = Mutex(State())
    private let starting = Mutex(false)

    init(store: any Storage, catalog: EntityCatalog, latest: LatestValues, clock: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.catalog = catalog
        self.latest = latest
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var tick = 0
            while !Task.isCancelled {
                do {
                    try await self.refresh(subscriptions: tick % 10 == 0)
                } catch {
                    self.logger.failure("subscriptions cannot be refreshed", error)
                }
                tick += 1
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Reads what planning needs; the first call also seeds the latest values and starts
    /// following ingest. The registry is read again when it changed (cheap otherwise); the
    /// subscriptions and their owners' scopes when `subscriptions` is true.
    func refresh(subscriptions: Bool = true) async throws {
        let registry = try await catalog.registry()
        let first = state.withLock { !$0.started }
        if first {
            var seeded: [String: [String: ObservedValue]] = [:]
            for row in try await store.latest(LatestQuery()) {
                seeded[row.reading.source, default: [:]][row.reading.metric] = ObservedValue(time: row.reading.time, value: row.reading.value)
            }
            latest.seed(seeded)
        }
        let loaded = subscriptions || first ? try await load() : nil
        let attach = state.withLock { state -> Bool in
            state.registry = registry
            if let loaded {
                let previous = Dictionary(state.subscriptions.map { ($0.record.id, $0.lastQueued) }) { a, _ in a }
                state.subscriptions = loaded.map { var a = $0; a.lastQueued = previous[a.record.id] ?? nil; return a }
            }
            defer { state.started = true }
            return !state.started
        }
        if attach { store.follow(with: self) }
    }

    /// The stored subscriptions that can notify: active, not expired, with an owner who still exists.
    private func load() async throws -> [Active] {
        var out: [Active] = []
        for record in try await store.subscriptions() {
            guard let user = try await store.user(id: record.owner) else { continue }
            do {
                let document = try SubscriptionDocument(json: Data(record.document.utf8), defaultId: record.id)
                out.append(Active(record: record, document: document, scope: user.principal.scope))
            } catch {
                logger.warning("a stored subscription cannot be read", metadata: ["subscription": "\(record.id)", "error": "\(error)"])
            }
        }
        return out
    }

    /// The context a subscription's notifications refer to.
    func context(of subscription: String) -> String? {
        state.withLock { $0.subscriptions.first { $0.record.id == subscription }?.document.jsonldContext }
    }

    // MARK: planning, inside the ingest transaction

    func follow(_ stored: [ReadingBatch], receivedAt: Int64) -> [QueuedNotification] {
        state.withLock { state in
            var out: [QueuedNotification] = []
            let listening = state.subscriptions.indices.filter { i in
                let s = state.subscriptions[i]
                return s.document.isActive && (s.document.expiresAt ?? .max) > receivedAt
            }
            for batch in stored {
                guard !listening.isEmpty else {
                    // Nobody listens: only keep the latest values, one source at a time.
                    var start = batch.readings.startIndex
                    while start < batch.readings.endIndex {
                        let source = batch.readings[start].source
                        var end = start + 1
                        while end < batch.readings.endIndex && batch.readings[end].source == source { end += 1 }
                        _ = latest.record(batch.readings[start..<end], of: source)
                        start = end
                    }
                    continue
                }
                // One change per source and time: the readings a source took at one instant.
                var order: [(source: String, time: Int64)] = []
                var changes: [String: [Int64: [Reading]]] = [:]
                for r in batch.readings {
                    if changes[r.source]?[r.time] == nil { order.append((r.source, r.time)) }
                    changes[r.source, default: [:]][r.time, default: []].append(r)
                }
                for (source, time) in order {
                    let (values, metrics) = latest.record(changes[source]![time]!, of: source)
                    var changed: [String: Set<String>] = [:]
                    for metric in metrics {
                        if let id = state.registry.entityId(source: source, metric: metric) {
                            changed[id, default: []].insert(AttributeMapping.of(metric).attribute)
                        }
                    }
                    guard !changed.isEmpty else { continue }
                    let entities = state.registry.entities(source: source, latest: values, showing: nil).filter { changed[$0.id] != nil }
                    for i in listening {
                        let s = state.subscriptions[i]
                        if let last = s.lastQueued, s.document.throttling > 0, Double(receivedAt - last) < s.document.throttling * 1000 { continue }
                        let data = entities.filter { e in
                            (e.district.map(s.scope.contains) ?? (s.scope == .all)) && s.document.concerns(e, changed: changed[e.id]!)
                        }
                        guard !data.isEmpty else { continue }
                        out.append(Self.notification(s, data, at: receivedAt))
                        state.subscriptions[i].lastQueued = receivedAt
                    }
                }
            }
            return out
        }
    }

    /// An NGSI-LD Notification of `entities` for `s`.
    static func notification(_ s: Active, _ entities: [ContextEntity], at time: Int64) -> QueuedNotification {
        let attrs = s.document.notifiedAttributes.map(Set.init)
        let linked = s.document.accept == "application/ld+json"
        var out: [UInt8] = Array(#"{"id":"#.utf8)
        JSONText.appendString("urn:ngsi-ld:Notification:\(UUID().uuidString.lowercased())", to: &out)
        out += #","type":"Notification","subscriptionId":"#.utf8
        JSONText.appendString(s.record.id, to: &out)
        out += #","notifiedAt":"#.utf8
        JSONText.appendString(ReadingTime.format(time) ?? "", to: &out)
        out += #","data":"#.utf8
        out += ContextEntity.jsonArray(entities.map { $0.keeping(attrs) }, s.document.format, context: nil)
        if linked, let context = s.document.jsonldContext {
            out += #","@context":"#.utf8
            JSONText.appendString(context, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return QueuedNotification(
            subscription: s.record.id, endpoint: s.document.endpoint, contentType: s.document.accept, payload: String(decoding: out, as: UTF8.self),
            createdAt: time, nextAttemptAt: time)
    }
}
