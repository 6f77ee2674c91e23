public import TentacleAgent
public import TentacleRender

/// Frames that many simulated displays in one process would draw alike, drawn once: an alert
/// banner of one size at one instant is the same on every panel. Real players draw their own.
public final class SharedFrames: FrameSharing {
    private let frames: BoundedCache<Frame>

    public init(capacity: Int = 64) {
        frames = BoundedCache(capacity: capacity)
    }

    /// The frame stored under `key`, or `draw`'s result, stored for the next display that asks.
    public func frame(_ key: String, draw: () -> Frame) -> Frame {
        frames.value(key, make: draw)
    }
}
