import Synchronization
@testable import TentacleServer
import Testing

struct GroupCommitTests {
    struct Refused: Error {}

    /// Records every transaction; negative items make a transaction fail.
    final class Log: Sendable {
        let transactions = Mutex<[[Int]]>([])

        func commit(_ items: [Int]) async throws -> [Int] {
            try await Task.sleep(for: .milliseconds(5))
            transactions.withLock { $0.append(items) }
            if items.contains(where: { $0 < 0 }) { throw Refused() }
            return items.map { $0 * 2 }
        }
    }

    @Test func aLoneWriteGoesOutAtOnceAndWritesUnderLoadShareTransactions() async throws {
        let log = Log()
        let group = GroupCommit<Int, Int>(maxBatch: 50) { try await log.commit($0) }
        #expect(try await group.write(1) == 2)
        let results = try await withThrowingTaskGroup(of: (Int, Int).self) { tasks in
            for i in 1...200 { tasks.addTask { (i, try await group.write(i)) } }
            return try await tasks.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 200)
        #expect(results.allSatisfy { $0.value == $0.key * 2 })
        let transactions = log.transactions.withLock { $0 }
        #expect(transactions.first == [1])
        #expect(transactions.dropFirst().allSatisfy { $0.count <= 50 })
        #expect(transactions.dropFirst().flatMap { $0 }.sorted() == Array(1...200))
        // 200 writes that arrived together needed far fewer than 200 syncs.
        #expect(transactions.count < 40, "\(transactions.map(\.count))")
    }

    @Test func oneBadWriteDoesNotFailTheOthers() async throws {
        let log = Log()
        let group = GroupCommit<Int, Int>(maxBatch: 50) { try await log.commit($0) }
        let outcomes = Mutex<[Int: Bool]>([:])
        let (done, finished) = AsyncStream.makeStream(of: Void.self)
        // Submitted together, they share a transaction (at most the first goes alone).
        for i in [0, 1, 2, -5, 3] {
            group.submit(i) { result in
                let count = outcomes.withLock { o in
                    o[i] = (try? result.get()) != nil
                    return o.count
                }
                if count == 5 { finished.finish() }
            }
        }
        for await _ in done {}
        #expect(outcomes.withLock { $0 } == [0: true, 1: true, 2: true, 3: true, -5: false])
        let transactions = log.transactions.withLock { $0 }
        let shared = try #require(transactions.firstIndex { $0.contains(-5) })
        #expect(transactions[shared].count > 1)
        #expect(transactions[(shared + 1)...].map { $0 } == transactions[shared].map { [$0] })
    }
}
