public import TentacleRender
import Synchronization

/// Drops every frame, counting them: for benchmarks and for players with no panel attached.
public final class NullSink: FrameSink {
    private let count = Mutex(0)

    public init() {}

    public var description: String { "null" }

    /// Frames sent so far.
    public var frameCount: Int {
        count.withLock { $0 }
    }

    public func send(_ frame: Frame) throws {
        count.withLock { $0 += 1 }
    }

    public func close() {}
}
