public import Foundation
public import TentacleRender
import Synchronization

/// A true-colour preview of the frames in a terminal, redrawn in place at most `fps` times a second.
public final class TerminalSink: FrameSink {
    public static let fpsRange = 1...60

    public let fps: Int
    private let handle: FileHandle
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    private struct State {
        var lastDrawn: ContinuousClock.Instant?
        var closed = false
    }

    /// `fps` is clamped to 1...60.
    public convenience init(fps: Int = 10, handle: FileHandle = .standardOutput) {
        self.init(fps: fps, handle: handle, now: { ContinuousClock.now })
    }

    /// `now` stands in for the clock in tests.
    init(fps: Int, handle: FileHandle, now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.fps = min(max(fps, Self.fpsRange.lowerBound), Self.fpsRange.upperBound)
        self.handle = handle
        self.now = now
    }

    public var description: String { "terminal at most \(fps) fps" }

    /// Draws the frame unless the last one was drawn less than 1/fps ago. The first frame clears
    /// the screen; every frame starts from the top-left corner, so the picture stays in place.
    public func send(_ frame: Frame) throws {
        let time = now()
        let first: Bool? = state.withLock { state in
            guard !state.closed else { return nil }
            if let last = state.lastDrawn, last.duration(to: time) < .seconds(1) / fps { return nil }
            defer { state.lastDrawn = time }
            return state.lastDrawn == nil
        }
        guard let first else { return }
        let home = first ? "\u{1B}[2J\u{1B}[H" : "\u{1B}[H"
        try handle.write(contentsOf: Data((home + ANSITerminal.render(frame)).utf8))
    }

    public func close() {
        state.withLock { $0.closed = true }
    }
}
