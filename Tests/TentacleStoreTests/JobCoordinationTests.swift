import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite struct JobCoordinationTests {
    @Test(arguments: Backend.all)
    func aJobRunsAndReturnsItsResultWhenNoOneElseHoldsIt(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h throws in
            #expect(try await h.store.exclusively("retention") { 42 } == 42)
            // A job that fails lets go of the job, so the next turn runs.
            struct Failure: Error {}
            await #expect(throws: Failure.self) { _ = try await h.store.exclusively("retention") { () async throws -> Int in throw Failure() } }
            #expect(try await h.store.exclusively("retention") { "again" } == "again")
        }
    }

    /// Two nodes on one PostgreSQL database: while one runs a job the other skips it, other jobs
    /// run side by side, and once the first finishes the second gets its turn.
    @Test func nodesSharingADatabaseTakeTurns() async throws {
        guard let backend = Backend.postgres else { return }
        try await StoreHarness.with(backend) { h in
            let first = h.store
            let second = try await backend.open(h.folder) { StoreHarness.time }
            let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
            let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await first.exclusively("webhooks") {
                    startedContinuation.yield()
                    for await _ in release { break }
                    return "first"
                }
            }
            for await _ in started { break }
            #expect(try await second.exclusively("webhooks") { "second" } == nil, "the other node holds the job")
            #expect(try await second.exclusively("retention") { "other job" } == "other job")
            releaseContinuation.yield()
            #expect(try await holder.value == "first")
            #expect(try await second.exclusively("webhooks") { "second" } == "second")
            if let closable = second as? PostgresStore { await closable.close() }
        }
    }

    /// A job holds its lock while its body works on the store: with a pool of one connection and
    /// more jobs than that at once, every job still finishes (locks have connections of their own).
    @Test(.timeLimit(.minutes(1))) func jobsThatUseTheStoreCannotStarveThePool() async throws {
        guard let backend = Backend.postgres, let server = Backend.postgresServer else { return }
        try await StoreHarness.with(backend) { h in
            let narrow = try await PostgresStore(location: server.with(database: Backend.postgresDatabase(h.folder)), poolSize: 1)
            let finished = try await withThrowingTaskGroup(of: Int?.self) { group in
                for n in 0..<6 {
                    group.addTask {
                        try await narrow.exclusively("job-\(n)") {
                            try await Task.sleep(for: .milliseconds(50))
                            return try await narrow.districts().count
                        }
                    }
                }
                return try await group.reduce(into: [Int?]()) { $0.append($1) }
            }
            #expect(finished.count == 6 && finished.allSatisfy { $0 != nil }, "\(finished)")
            await narrow.close()
        }
    }
}
