public import TentacleCore
public import TentacleRender

/// Server messages that agents side by side in one process receive byte for byte alike, decoded
/// once for all of them. A real player has no one to share with and decodes its own.
public protocol MessageSharing: Sendable {
    /// `text` decoded as a server message, or as another agent decoded the same text.
    func decode(_ text: String) throws(ChannelError) -> ServerMessage
    /// A layout document decoded, or as another agent decoded the same document.
    func layout(_ document: String) throws(LayoutError) -> Layout
}
