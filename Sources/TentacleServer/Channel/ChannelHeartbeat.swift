import Foundation
import Logging
import NIOWebSocket
import ServiceLifecycle
import Synchronization
import TentacleCore
import TentacleStore

/// Keeps the channel's view of the city true: pings every display once each heartbeat, closes
/// channels that stopped answering, and writes presence (status, last seen) to the store in
/// one transaction a second rather than one per message.
struct ChannelHeartbeat: Service {
    let store: any Storage
    let hub: ChannelHub
    let logger: Logger

    func run() async throws {
        // Alone on the database, every display marked online was left so by this node's last
        // run. Other nodes hold channels of their own: only displays no node has heard for three
        // heartbeats are offline, and one node looks for them every heartbeat.
        if store.isShared {
            try await markSilentOffline()
        } else {
            try await markOffline { _ in true }
        }
        var second = 0
        let heartbeat = max(1, Int(hub.heartbeat.components.seconds))
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            second += 1
            pingAndReap(second: second)
            await flush()
            if store.isShared && second % heartbeat == 0 {
                do {
                    _ = try await store.exclusively("presence-sweep") { try await self.markSilentOffline() }
                } catch {
                    logger.warning("looking for displays no node hears failed", metadata: ["error": "\(error)"])
                }
            }
        }
        await flush()
    }

    /// Displays marked online that no node has heard from for three heartbeats.
    private func markSilentOffline() async throws {
        let cutoff = hub.clock().addingTimeInterval(-3 * Double(hub.heartbeat.components.seconds))
        try await markOffline { ($0.lastSeen ?? .distantPast) < cutoff }
    }

    /// Writes pending presence changes; failures are logged and retried with the next batch.
    func flush() async {
        let updates = hub.takePresence()
        guard !updates.isEmpty else { return }
        do {
            try await store.recordPresence(updates)
        } catch {
            logger.failure("writing display presence failed", error, metadata: ["displays": "\(updates.count)"])
        }
    }

    /// Marks offline the displays marked online (or degraded) whose channel is not here and that `stale` picks.
    private func markOffline(_ stale: (Display) -> Bool) async throws {
        let now = Date()
        for status in [DisplayStatus.online, .degraded] {
            var cursor: String?
            repeat {
                var query = DisplayQuery(status: status, limit: DisplayQuery.maxLimit)
                query.after = cursor
                let page = try await store.listDisplays(query)
                let gone = page.items.filter { !hub.isConnected($0.id) && stale($0) }
                if !gone.isEmpty {
                    try await store.recordPresence(gone.map { PresenceUpdate(displayId: $0.id, status: .offline, lastSeen: $0.lastSeen ?? now) })
                }
                cursor = page.nextCursor
            } while cursor != nil
        }
    }

    /// Pings the displays whose turn it is: each display once per heartbeat, spread over the
    /// heartbeat's seconds, so a city's worth of pings and pongs never arrives at once (an alert
    /// sent at that moment would wait behind them).
    private func pingAndReap(second: Int) {
        let now = ContinuousClock.now
        let slots = max(1, Int(hub.heartbeat.components.seconds))
        let ping = DeviceSession.payload(.ping(.init(t: Reading.milliseconds(hub.clock()))))
        var alive: [DeviceSession] = []
        for session in hub.sessions where session.id % slots == second % slots {
            let silent = session.state.withLock { now - $0.lastHeard }
            if silent > hub.heartbeat * 3 {
                session.close(.goingAway, reason: "no answer to three heartbeats")
            } else {
                alive.append(session)
            }
        }
        DeviceSession.post(ping, to: alive)
    }
}
