import Synchronization
public import TentacleRender

/// Frames that many simulated displays in one process would draw alike, drawn once: an alert
/// banner of one size at one instant is the same on every panel. Real players draw their own.
public final class SharedFrames: Sendable {
    private let frames = Mutex<[String: Frame]>([:])
    private let capacity: Int

    public init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// The frame stored under `key`, or `draw`'s result, stored for the next display that asks.
    func frame(_ key: String, draw: () -> Frame) -> Frame {
        if let frame = frames.withLock({ $0[key] }) { return frame }
        let frame = draw()
        frames.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = frame
        }
        return frame
    }
}
