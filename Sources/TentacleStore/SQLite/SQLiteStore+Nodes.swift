extension SQLiteStore: NodeMessaging {
    /// One process owns a SQLite file: there are no other nodes to tell.
    public var isShared: Bool { false }

    public func broadcast(_ message: String) {}

    /// Never yields; ends when the reading task is cancelled.
    public func nodeMessages() -> AsyncStream<NodeDelivery> {
        AsyncStream { _ in }
    }
}
