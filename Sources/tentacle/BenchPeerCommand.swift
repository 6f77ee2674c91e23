import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Synchronization

/// `tentacle bench-peer websocket`: the bare baseline of `bench channel` and `bench alert`, run as
/// its own process so its memory can be measured alone. A plain hummingbird-websocket server with
/// the framework's defaults: it holds connections at `/ws`, and `POST /broadcast` sends one text
/// message to every connection and answers, once every connection has replied, with the seconds
/// that took.
struct BenchPeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-peer", abstract: "Baseline servers for benchmarks (used by tentacle bench).", shouldDisplay: false)

    @Argument(help: "The peer to run: websocket.")
    var kind: String

    func validate() throws {
        guard kind == "websocket" else { throw ValidationError("unknown peer '\(kind)'; the only one is websocket") }
    }

    func run() async throws {
        let hub = BareHub()
        let wsRouter = Router(context: BasicWebSocketRequestContext.self)
        wsRouter.ws("/ws") { inbound, outbound, _ in
            let id = hub.add(outbound)
            defer { hub.remove(id) }
            for try await _ in inbound.messages(maxSize: 1 << 16) { hub.replied() }
        }
        let router = Router()
        router.post("/broadcast") { _, _ -> String in
            String(await hub.broadcast())
        }
        router.get("/connections") { _, _ -> String in String(hub.count) }
        var logger = Logger(label: "bench-peer")
        logger.logLevel = .error
        let app = Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: wsRouter),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                FileHandle.standardOutput.write(Data("PORT \(channel.localAddress?.port ?? 0)\n".utf8))
            },
            logger: logger)
        try await app.runService()
    }
}

/// The bare server's connections and the reply count of the broadcast in flight.
final class BareHub: Sendable {
    private struct State {
        var writers: [Int: WebSocketOutboundWriter] = [:]
        var next = 0
        var awaited = 0
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    var count: Int { state.withLock { $0.writers.count } }

    func add(_ writer: WebSocketOutboundWriter) -> Int {
        state.withLock { s in
            s.next += 1
            s.writers[s.next] = writer
            return s.next
        }
    }

    func remove(_ id: Int) {
        state.withLock { _ = $0.writers.removeValue(forKey: id) }
    }

    func replied() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { s in
            s.awaited -= 1
            guard s.awaited == 0, let w = s.waiter else { return nil }
            s.waiter = nil
            return w
        }
        waiter?.resume()
    }

    /// Sends one message to every connection; returns the seconds until all replied.
    func broadcast() async -> Double {
        let start = ContinuousClock.now
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let writers: [WebSocketOutboundWriter] = state.withLock { s in
                s.awaited = s.writers.count
                s.waiter = s.writers.isEmpty ? nil : done
                return Array(s.writers.values)
            }
            if writers.isEmpty { done.resume() }
            Task {
                await withTaskGroup(of: Void.self) { group in
                    for writer in writers {
                        group.addTask { try? await writer.write(.text("ping")) }
                    }
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
