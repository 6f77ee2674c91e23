import Foundation
import Synchronization
@testable import TentacleServer
import Testing

/// What an operator reads in a display's command history.
struct CommandHistoryTests {
    static let issued = Date(timeIntervalSince1970: 1_000)

    static func record(_ id: String, at time: Date = issued) -> CommandRecord {
        CommandRecord(id: id, command: "screenshot", issuedBy: "tech", issuedAt: time, state: "sent")
    }

    /// A command to a display that looked online but never answered does not stay "sent": after
    /// a minute it is failed, saying so; one answered in time, or answered late, is done.
    @Test func aCommandNobodyAnswersFailsAfterAMinute() {
        let now = Mutex(Self.issued)
        let hub = ChannelHub(heartbeat: .seconds(20), clock: { now.withLock { $0 } })
        hub.recordCommand(Self.record("cmd-1"), for: "d-1")
        hub.recordCommand(Self.record("cmd-2"), for: "d-1")
        hub.recordCommand(Self.record("cmd-3", at: Self.issued + 30), for: "d-1")
        now.withLock { $0 = Self.issued + 10 }
        hub.finishCommand("cmd-1", displayId: "d-1", ok: true, message: nil)
        now.withLock { $0 = Self.issued + 59 }
        #expect(hub.commands(of: "d-1").map(\.state) == ["sent", "sent", "done"])
        now.withLock { $0 = Self.issued + 60 }
        let history = hub.commands(of: "d-1")
        #expect(history.map(\.state) == ["sent", "failed", "done"])
        #expect(history[1].message == "no answer from the display within 60 s")
        #expect(history[1].finishedAt == Self.issued + 60)
        #expect(history[2].finishedAt == Self.issued + 10)
        // An answer that still comes counts.
        hub.finishCommand("cmd-2", displayId: "d-1", ok: true, message: nil)
        now.withLock { $0 = Self.issued + 120 }
        #expect(hub.commands(of: "d-1").map(\.state) == ["failed", "done", "done"])
        #expect(hub.commands(of: "nobody").isEmpty)
    }
}
