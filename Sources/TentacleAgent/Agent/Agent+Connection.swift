import ServiceLifecycle
import HTTPTypes
import Logging
import Foundation
import HummingbirdWSClient
import NIOWebSocket
import TentacleCore

/// The connection job: connect, back off between attempts, and send.
extension Agent {
    /// Connects to `urls[link.server]`; an attempt that fails moves on to the next URL (the
    /// other nodes of the city), one that was welcomed and then ends tries the same one again first.
    func connectionLoop(urls: [String]) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let url = urls[link.server % urls.count]
            var config = WebSocketClientConfiguration(maxFrameSize: 1 << 16)
            config.additionalHeaders[.authorization] = "Bearer \(configuration.token)"
            do {
                try await WebSocketClient.connect(url: url, configuration: config, logger: logger) { inbound, outbound, _ in
                    await self.attach(outbound)
                    var iterator = inbound.makeAsyncIterator()
                    do {
                        while let message = try await iterator.nextMessage(maxSize: 64 << 20) {
                            if case .text(let text) = message { await self.receive(text) }
                        }
                    } catch {
                        await self.detach()
                        throw error
                    }
                    await self.detach()
                }
            } catch {
                logger.debug("channel failed", metadata: ["error": "\(error)"])
            }
            detach()
            let delay = link.nextDelay(servers: urls.count)
            if urls.count > 1, urls[link.server] != url {
                logger.info("cannot reach the server; trying another", metadata: ["next": "\(urls[link.server])"])
            }
            try? await Task.sleep(for: delay)
        }
    }

    private func attach(_ writer: WebSocketOutboundWriter) async {
        link.attach(writer)
        await send(hello(scheduleVersion: screen.player?.schedule?.version))
    }

    /// What the agent is, the panel it drives and what it holds.
    func hello(scheduleVersion: String?) -> AgentMessage {
        .hello(.init(
            agent: "tentacle-agent/\(Tentacle.version)",
            width: cache.display?.width ?? configuration.width, height: cache.display?.height ?? configuration.height,
            scheduleVersion: scheduleVersion, alerts: Array(receipts.shown).sorted(), epoch: cache.epoch))
    }

    private func detach() {
        if link.detach() { events(.disconnected) }
    }

    /// Ends a link on which the server has been silent for three heartbeats (a dead link rather
    /// than a closed one), so the connection loop makes a new one.
    func dropIfSilent(at now: ContinuousClock.Instant) async {
        guard let outbound = link.outbound, let deadline = link.silenceDeadline, now > deadline else { return }
        logger.info("no word from the server for three heartbeats; reconnecting")
        link.heard()
        try? await outbound.close(.goingAway, reason: "no heartbeat")
    }

    func send(_ message: AgentMessage) async {
        await send(text: String(decoding: message.directlyEncoded ?? message.encoded(with: encoder), as: UTF8.self))
    }

    func send(text: String) async {
        guard let outbound = link.outbound else { return }
        do {
            try await outbound.writeTextMessage(text)
        } catch {
            logger.debug("send failed", metadata: ["error": "\(error)"])
        }
    }
}
