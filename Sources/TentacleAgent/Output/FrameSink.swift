public import TentacleRender

/// Where the player's frames go. Frames arrive already through the output stage (brightness, gamma).
public protocol FrameSink: Sendable, CustomStringConvertible {
    /// Short description for logs, e.g. "sacn multicast universes 1-109".
    var description: String { get }
    /// Sends one frame. Errors are reported to the caller, who logs them and keeps playing.
    /// Frames sent after `close()` are dropped.
    func send(_ frame: Frame) throws
    /// Stops output (sACN sends stream-terminated packets), releases sockets.
    func close()
}
