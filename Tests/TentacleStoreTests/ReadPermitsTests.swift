import Foundation
import Synchronization
@testable import TentacleStore
import Testing

/// Counts of work running at once, the most seen, and finished.
private final class Tally: Sendable {
    let counts = Mutex((running: 0, most: 0, done: 0))
}

@Suite struct ReadPermitsTests {
    @Test func neverMoreThanTheLimitRunAtOnceAndEveryoneGetsATurn() async {
        let permits = ReadPermits(limit: 3)
        let tally = Tally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    await permits.with {
                        tally.counts.withLock { c in
                            c.running += 1
                            c.most = max(c.most, c.running)
                        }
                        await Task.yield()
                        tally.counts.withLock { c in
                            c.running -= 1
                            c.done += 1
                        }
                    }
                }
            }
        }
        let counts = tally.counts.withLock { $0 }
        #expect(counts.done == 200)
        #expect(counts.most <= 3)
    }

    @Test func aThousandConcurrentReadsOfOneStoreAllFinish() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-permits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("db.sqlite").path)
        let answered = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<1000 { group.addTask { try await store.rules().count } }
            return try await group.reduce(0) { $0 + 1 + $1 }
        }
        #expect(answered == 1000)
    }
}
