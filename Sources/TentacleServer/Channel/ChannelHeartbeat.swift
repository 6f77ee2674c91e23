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
        try await markEveryoneOffline()
        var second = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            second += 1
            pingAndReap(second: second)
            await flush()
        }
        await flush()
    }

    /// Writes pending presence changes; failures are logged and retried with the next batch.
    func flush() async {
        let updates = hub.takePresence()
        guard !updates.isEmpty else { return }
        do {
            try await store.recordPresence(updates)
        } catch {
            logger.error("writing display presence failed", metadata: ["error": "\(error)", "displays": "\(updates.count)"])
        }
    }

    /// A server that stopped without closing its channels left displays marked online.
    private func markEveryoneOffline() async throws {
        let now = Date()
        for status in [DisplayStatus.online, .degraded] {
            while true {
                let page = try await store.listDisplays(DisplayQuery(status: status, limit: DisplayQuery.maxLimit))
                let stale = page.items.filter { !hub.isConnected($0.id) }
                if stale.isEmpty { break }
                try await store.recordPresence(stale.map { PresenceUpdate(displayId: $0.id, status: .offline, lastSeen: $0.lastSeen ?? now) })
                if page.nextCursor == nil { break }
            }
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
