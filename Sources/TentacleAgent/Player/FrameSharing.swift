public import TentacleRender

/// Frames that agents side by side in one process draw alike, drawn once for all of them. A real
/// player has no one to share with and draws its own.
public protocol FrameSharing: Sendable {
    /// The frame stored under `key`, or `draw`'s result, stored for the next agent that asks.
    func frame(_ key: String, draw: () -> Frame) -> Frame
}
