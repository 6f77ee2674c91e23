import Foundation
import Synchronization
import Testing
@testable import TentacleAgent
@testable import TentacleRender

@Suite struct TerminalSinkTests {
    /// A clock the test moves by hand.
    final class ManualClock: Sendable {
        private let instant = Mutex(ContinuousClock.now)

        var now: ContinuousClock.Instant { instant.withLock { $0 } }

        func advance(by duration: Duration) {
            instant.withLock { $0 += duration }
        }
    }

    @Test func drawsInPlaceAtMostFPSTimesASecond() throws {
        let file = FileManager.default.temporaryDirectory.appending(path: "tentacle-terminal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data().write(to: file)
        let handle = try FileHandle(forWritingTo: file)
        let clock = ManualClock()
        let sink = TerminalSink(fps: 10, handle: handle, now: { clock.now })
        #expect(sink.description == "terminal at most 10 fps")
        let frames = (0..<4).map { TestFrames.pattern(width: 4, height: 2, seed: $0) }

        try sink.send(frames[0])
        clock.advance(by: .milliseconds(40))
        try sink.send(frames[1])  // too soon: dropped
        clock.advance(by: .milliseconds(60))
        try sink.send(frames[2])
        sink.close()
        clock.advance(by: .seconds(1))
        try sink.send(frames[3])
        try handle.close()

        let written = try String(contentsOf: file, encoding: .utf8)
        let home = "\u{1B}[H", clear = "\u{1B}[2J"
        #expect(written == clear + home + ANSITerminal.render(frames[0]) + home + ANSITerminal.render(frames[2]))
    }

    @Test func fpsIsClamped() {
        #expect(TerminalSink(fps: 0).fps == 1)
        #expect(TerminalSink(fps: 1000).fps == 60)
    }
}
