import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Messages between the nodes on one database: NOTIFY out through the work pool, in the order
/// they were queued; LISTEN in on one connection of the lock pool, held while the node runs.
///
/// A notification is `<node id> <message>`, or `<node id> @<row id>` for a message longer than
/// PostgreSQL's 8,000-byte payload limit, which is stored in `node_messages` first and read by
/// the receivers; rows older than ten minutes are deleted as new ones are written.
final class NodeLink: Sendable {
    static let channel = "tentacle_nodes"
    /// Longest message sent inline; PostgreSQL refuses payloads of 8,000 bytes and more.
    static let inlineLimit = 7_900
    /// After this many stored messages, the old ones are deleted.
    static let sweepEvery = 200

    private struct State {
        var subscribers: [UUID: AsyncStream<NodeDelivery>.Continuation] = [:]
        var listener: Task<Void, Never>?
        var sender: Task<Void, Never>?
        var stored = 0
        var closed = false
    }

    let nodeId = String(UUID().uuidString.lowercased().prefix(13))
    private let client: PostgresClient
    private let locks: PostgresClient
    private let logger: Logger
    private let state = Mutex(State())
    private let outbox: AsyncStream<String>.Continuation
    private let queued: AsyncStream<String>

    init(client: PostgresClient, locks: PostgresClient, logger: Logger) {
        self.client = client
        self.locks = locks
        self.logger = logger
        (queued, outbox) = AsyncStream.makeStream(of: String.self)
    }

    func broadcast(_ message: String) {
        state.withLock { s in
            if !s.closed, s.sender == nil { s.sender = Task { [self] in await self.sendQueued() } }
        }
        outbox.yield(message)
    }

    func subscribe() -> AsyncStream<NodeDelivery> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: NodeDelivery.self)
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        state.withLock { s in
            guard !s.closed else {
                continuation.finish()
                return
            }
            s.subscribers[id] = continuation
            if s.listener == nil { s.listener = Task { [self] in await self.listen() } }
        }
        return stream
    }

    func close() {
        let tasks = state.withLock { s in
            s.closed = true
            for continuation in s.subscribers.values { continuation.finish() }
            s.subscribers = [:]
            return [s.listener, s.sender].compactMap { $0 }
        }
        outbox.finish()
        for task in tasks { task.cancel() }
    }

    private func deliver(_ delivery: NodeDelivery) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(delivery) }
    }

    // MARK: Out

    private func sendQueued() async {
        for await message in queued {
            do {
                try await send(message)
            } catch {
                logger.warning("a message to the other nodes was dropped", metadata: ["error": "\(PostgresStore.reason(error))"])
            }
        }
    }

    private func send(_ message: String) async throws {
        let inline = "\(nodeId) \(message)"
        try await PostgresStore.leased(client, within: .seconds(5)) { connection in
            if inline.utf8.count <= Self.inlineLimit {
                try await connection.query("SELECT pg_notify(\(Self.channel), \(inline))", logger: logger)
                return
            }
            let reference = "\(nodeId) @"
            try await connection.query(
                """
                WITH stored AS (INSERT INTO node_messages (body) VALUES (\(message)) RETURNING id)
                SELECT pg_notify(\(Self.channel), \(reference) || stored.id::text) FROM stored
                """, logger: logger)
            let sweep = state.withLock { s in
                s.stored += 1
                return s.stored % Self.sweepEvery == 0
            }
            if sweep {
                try await connection.query("DELETE FROM node_messages WHERE created_at < now() - interval '10 minutes'", logger: logger)
            }
        }
    }

    // MARK: In

    /// Holds a LISTEN while the node runs; after the connection is lost, listens again and says `.resync`.
    private func listen() async {
        var delay = Duration.milliseconds(200)
        while !Task.isCancelled {
            do {
                try await locks.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        delay = .milliseconds(200)
                        deliver(.resync)
                        for try await notification in notifications {
                            await receive(notification.payload)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning(
                    "listening for the other nodes failed; trying again in \(delay)", metadata: ["error": "\(PostgresStore.reason(error))"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    private func receive(_ payload: String) async {
        guard let space = payload.firstIndex(of: " ") else { return }
        guard payload[..<space] != nodeId else { return }
        let body = payload[payload.index(after: space)...]
        guard body.first == "@" else {
            deliver(.message(String(body)))
            return
        }
        guard let id = Int64(body.dropFirst()) else { return }
        do {
            let text = try await PostgresStore.leased(client, within: .seconds(5)) { connection -> String? in
                var found: String?
                for try await text in try await connection.query("SELECT body FROM node_messages WHERE id = \(id)", logger: logger).decode(String.self) {
                    found = text
                }
                return found
            }
            deliver(text.map(NodeDelivery.message) ?? .resync)
        } catch {
            logger.warning("a long message from another node could not be read", metadata: ["error": "\(PostgresStore.reason(error))"])
            deliver(.resync)
        }
    }
}

extension PostgresStore: NodeMessaging {
    public var isShared: Bool { true }

    public func broadcast(_ message: String) {
        nodes.broadcast(message)
    }

    public func nodeMessages() -> AsyncStream<NodeDelivery> {
        nodes.subscribe()
    }
}
