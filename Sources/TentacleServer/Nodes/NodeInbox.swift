import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TentacleCore
import TentacleStore

/// Acts on what the other nodes on the same database send (see `NodeEvent`), and sends this
/// node's gathered readings out every quarter second. On one SQLite node it waits for shutdown.
struct NodeInbox: Service {
    let env: ServerEnvironment
    let logger: Logger

    func run() async throws {
        guard env.relay.isShared else {
            try? await gracefulShutdown()
            return
        }
        let relay = env.relay
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: NodeRelay.readingsInterval) }
                    relay.flushReadings()
                }
            }
            group.addTask {
                let messages = env.store.nodeMessages()
                await cancelWhenGracefulShutdown {
                    for await delivery in messages {
                        await self.receive(delivery)
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    func receive(_ delivery: NodeDelivery) async {
        switch delivery {
        case .resync:
            await env.alerts.reload()
            env.schedules.nudge()
        case .message(let text):
            guard let event = NodeRelay.decode(text) else {
                logger.warning("a message from another node was not understood", metadata: ["message": "\(text.prefix(200))"])
                return
            }
            await apply(event)
        }
    }

    func apply(_ event: NodeEvent) async {
        let hub = env.channel
        switch event {
        case .alert(let record, let notice, let targets):
            await env.alerts.adopt(record, text: notice, targets: targets)
        case .settled(let ids):
            await env.alerts.settle(ids, tellOthers: false)
        case .acknowledged(let byAlert):
            env.alerts.shownElsewhere(byAlert)
        case .contentChanged:
            env.schedules.nudge(tellOthers: false)
        case .command(let display, let command, let record):
            hub.recordCommand(record, for: display)
            hub.session(display)?.send(.command(command))
        case .commandFinished(let display, let command, let ok, let message):
            hub.finishCommand(command, displayId: display, ok: ok, message: message, tellOthers: false)
        case .displayChanged(let id):
            guard let session = hub.session(id) else { return }
            do {
                guard let display = try await env.store.display(id: id) else { return }
                session.state.withLock { $0.display = display }
                session.send(hub.welcome(display))
            } catch {
                logger.warning("a changed display could not be read", metadata: ["display": "\(id)", "error": "\(error)"])
            }
        case .disconnect(let display, let reason):
            hub.disconnect(display, reason: reason, tellOthers: false)
        case .readings(let batches):
            env.live.publish(batches)
        }
    }
}
