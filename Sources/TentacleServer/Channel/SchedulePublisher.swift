import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TentacleCore
import TentacleRender
import TentacleStore

/// Builds each display's `schedule` message and pushes a new one to every connected display
/// whose schedule changed.
///
/// Every change the server makes writes an audit row in the same transaction, so the newest
/// audit id says whether anything changed at all. A successful write request nudges the
/// publisher, which looks within a few milliseconds; without a nudge it still looks once a
/// second, which also catches changes made by other server processes on the same database.
/// With several nodes, a change found after a nudge here is announced to the others, which
/// look at once too.
final class SchedulePublisher: Service, Sendable {
    /// A schedule message ready to send, shared by every display with the same content.
    struct Built: Sendable {
        var version: String
        /// The encoded message, one buffer that every display's channel writes.
        var payload: ByteBuffer
    }

    /// The stored content at one audit id, and the messages built from it so far.
    private struct Content: Sendable {
        var auditId: Int64
        var campaigns: [LiveCampaign]
        var defaults: DefaultLayouts
        var layouts: [String: LayoutRecord]
        var assetsByLayout: [String: [String]]
        var built: [String: Built] = [:]
    }

    let store: any Storage
    let hub: ChannelHub
    let logger: Logger
    private let content = Mutex<Content?>(nil)
    private let nudged = Atomic<Bool>(false)
    /// Whether the next change found came from this node, so the other nodes are told.
    private let announce = Atomic<Bool>(false)
    let relay: NodeRelay

    init(store: any Storage, hub: ChannelHub, logger: Logger) {
        self.store = store
        self.hub = hub
        self.relay = hub.relay
        self.logger = logger
    }

    /// Something may have changed; look soon. A change made on this node (`tellOthers`) is
    /// announced to the other nodes once found.
    func nudge(tellOthers: Bool = true) {
        if tellOthers { announce.store(true, ordering: .relaxed) }
        nudged.store(true, ordering: .relaxed)
    }

    func run() async throws {
        var idle = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(10)) }
            idle += 1
            let wasNudged = nudged.exchange(false, ordering: .relaxed)
            guard wasNudged || idle >= 100 else { continue }
            idle = 0
            do {
                try await refresh()
            } catch {
                logger.failure("schedule push failed", error)
            }
        }
    }

    /// Reloads the content if the audit log moved, then sends each connected display whose
    /// schedule version differs its new schedule.
    func refresh() async throws {
        let local = announce.exchange(false, ordering: .relaxed)
        let latest = try await store.latestAuditId()
        if content.withLock({ $0?.auditId }) == latest { return }
        let loaded = try await load(auditId: latest)
        content.withLock { $0 = loaded }
        if local { relay.send(.contentChanged) }
        await push(to: hub.sessions)
    }

    /// Sends the current schedule to each session that does not hold it yet.
    func push(to sessions: [DeviceSession]) async {
        var sends: [String: (payload: ByteBuffer, sessions: [DeviceSession])] = [:]
        for session in sessions {
            guard let built = try? await schedule(for: session.display) else { continue }
            let changed = session.state.withLock { s in
                guard s.greeted, s.scheduleVersion != built.version else { return false }
                s.scheduleVersion = built.version
                return true
            }
            if changed { sends[built.version, default: (built.payload, [])].sessions.append(session) }
        }
        for (payload, sessions) in sends.values { DeviceSession.post(payload, to: sessions) }
    }

    /// The schedule message for `display` from the current content.
    func schedule(for display: Display) async throws -> Built {
        if content.withLock({ $0 == nil }) {
            let loaded = try await load(auditId: try await store.latestAuditId())
            content.withLock { if $0 == nil { $0 = loaded } }
        }
        return content.withLock { c in
            // Content was just set above and is only ever replaced, never cleared.
            var current = c!
            defer { c = current }
            return Self.build(for: display, in: &current)
        }
    }

    private func load(auditId: Int64) async throws -> Content {
        let campaigns = try await store.liveCampaigns().filter { !$0.campaign.playlist.isEmpty }
        let defaults = try await store.defaultLayouts()
        var layouts: [String: LayoutRecord] = [:]
        var assets: [String: [String]] = [:]
        for record in try await store.layouts() {
            layouts[record.id] = record
            if let layout = try? ContentLibrary.decode(record) {
                assets[record.id] = ContentLibrary.assetHashes(of: layout).sorted()
            }
        }
        return Content(auditId: auditId, campaigns: campaigns, defaults: defaults, layouts: layouts, assetsByLayout: assets)
    }

    /// Displays reached by the same campaigns with the same default share one message.
    private static func build(for display: Display, in content: inout Content) -> Built {
        let reaching = content.campaigns
            .filter { $0.campaign.target.matches(display) }
            .sorted { ($0.id, $0.revision) < ($1.id, $1.revision) }
        let fallback = content.defaults.layout(for: display)
        var key = reaching.map { "\($0.id)@\($0.revision)" }.joined(separator: ",")
        if let fallback { key += "|\(fallback.layoutId)|\(fallback.source.text)" }
        if let built = content.built[key] { return built }

        var layoutIds = Set(reaching.flatMap { $0.campaign.playlist.map(\.layoutId) })
        if let fallback { layoutIds.insert(fallback.layoutId) }
        var documents: [ServerMessage.ScheduleUpdate.LayoutDocument] = []
        var assets = Set<String>()
        for id in layoutIds.sorted() {
            guard let record = content.layouts[id] else { continue }
            documents.append(.init(id: id, document: record.document))
            assets.formUnion(content.assetsByLayout[id] ?? [])
        }
        var update = ServerMessage.ScheduleUpdate(
            version: "", campaigns: reaching, defaultLayout: fallback, layouts: documents, assets: assets.sorted())
        let encoder = Channel.encoder()
        update.version = TextEncoding.sha256Hex(ServerMessage.schedule(update).encoded(with: encoder))
        let built = Built(version: update.version, payload: ByteBuffer(bytes: ServerMessage.schedule(update).encoded(with: encoder)))
        content.built[key] = built
        return built
    }
}
