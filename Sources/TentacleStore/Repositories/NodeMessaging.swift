/// What reaches a node from the other `tentacle serve` nodes that share its database.
public enum NodeDelivery: Sendable, Hashable {
    /// One message another node broadcast.
    case message(String)
    /// The link to the other nodes (re)started: messages sent while it was down are lost, so the
    /// node reads again from the store what it keeps in memory (active alerts, schedules).
    case resync
}

/// Live events between the nodes of one city: an alert posted on one node reaches the displays
/// connected to the others, a command reaches the node that holds the display's channel, and so on.
/// What the events change is already stored when they are sent; they only tell the other nodes
/// to act on it now rather than at their next look at the store.
public protocol NodeMessaging: Sendable {
    /// Whether other nodes can share this store; false where one process owns the database.
    var isShared: Bool { get }
    /// Queues `message` for every other node and returns at once; messages of one node arrive in
    /// the order it broadcast them. A message that cannot be sent (the database is down) is
    /// dropped and logged: the other nodes' link breaks too, and they resync when it is back.
    func broadcast(_ message: String)
    /// What the other nodes broadcast, starting with `.resync`, until the caller stops reading.
    func nodeMessages() -> AsyncStream<NodeDelivery>
}
