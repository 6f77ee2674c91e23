import Foundation
import Synchronization
import TentacleCore
import TentacleStore

/// What one `tentacle serve` node tells the others on the same database. Each event follows a
/// change that is already stored; it tells the other nodes to act on it at once.
enum NodeEvent: Codable, Sendable, Equatable {
    /// A new alert, with the message its displays get. Its targets (thousands of ids) are not
    /// sent: the other nodes read them from the store, which is quicker than a message that
    /// large. A list given is used as it is.
    case alert(AlertRecord, notice: String, targets: [String]? = nil)
    /// Alerts cancelled, replaced or expired.
    case settled([String])
    /// Displays that confirmed showing an alert, by alert id.
    case acknowledged([String: [String]])
    /// Campaigns, layouts or defaults changed: build and push schedules now.
    case contentChanged
    /// An operator's command for a display whose channel another node may hold.
    case command(display: String, ServerMessage.Command, CommandRecord)
    /// What became of a command, reported by the node that holds the display's channel.
    case commandFinished(display: String, command: String, ok: Bool, message: String?)
    /// The display's record changed: its agent gets a new `welcome`.
    case displayChanged(String)
    /// The display's channel must close (display deleted, token replaced or revoked).
    case disconnect(display: String, reason: String)
    /// The newest stored readings, for the live stream.
    case readings([ReadingBatch])
}

/// Sends this node's events to the others; does nothing where no other node can share the store.
///
/// Readings are not sent one batch at a time: the live stream needs only the latest value per
/// source and metric, so they are gathered and sent together every quarter second.
final class NodeRelay: Sendable {
    private let store: any NodeMessaging
    private let pending = Mutex<[String: [String: Reading]]>([:])
    static let readingsInterval: Duration = .milliseconds(250)

    init(store: any NodeMessaging) {
        self.store = store
    }

    /// For a node that is alone by construction (tests of one part).
    static let alone = NodeRelay(store: Alone())

    private struct Alone: NodeMessaging {
        var isShared: Bool { false }
        func broadcast(_ message: String) {}
        func nodeMessages() -> AsyncStream<NodeDelivery> { AsyncStream { _ in } }
    }

    var isShared: Bool { store.isShared }

    func send(_ event: NodeEvent) {
        guard store.isShared else { return }
        store.broadcast(Self.encode(event))
    }

    /// Batches just stored on this node; their latest values go out with the next `flushReadings`.
    func stored(_ batches: [ReadingBatch]) {
        guard store.isShared, !batches.isEmpty else { return }
        pending.withLock { latest in
            for batch in batches {
                for r in batch.readings where (latest[batch.source]?[r.metric]?.time ?? .min) <= r.time {
                    latest[batch.source, default: [:]][r.metric] = r
                }
            }
        }
    }

    func flushReadings() {
        let latest = pending.withLock { p in
            defer { p = [:] }
            return p
        }
        guard !latest.isEmpty else { return }
        let batches = latest.keys.sorted().map { source in
            ReadingBatch(source: source, sequence: 0, readings: latest[source]!.values.sorted { $0.metric < $1.metric })
        }
        send(.readings(batches))
    }

    static func encode(_ event: NodeEvent) -> String {
        // Every case holds only strings, numbers, dates and arrays of them.
        String(decoding: (try? Channel.encoder().encode(event)) ?? Data(), as: UTF8.self)
    }

    static func decode(_ text: String) -> NodeEvent? {
        try? Channel.decoder().decode(NodeEvent.self, from: Data(text.utf8))
    }
}
