import Foundation
import Logging
import ServiceLifecycle
import TentacleCore
import TentacleStore

/// Deletes readings, rollups and proof of play older than the retention policy allows, once per interval.
struct ReadingRetention: Service {
    let store: any Storage
    let policy: RetentionPolicy
    let interval: Duration
    let clock: @Sendable () -> Date
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let deleted = try await deleteOnce()
                if deleted != RetentionCounts() {
                    logger.info("deleted expired readings", metadata: [
                        "raw": "\(deleted.raw)", "minute": "\(deleted.minute)", "hour": "\(deleted.hour)", "plays": "\(deleted.plays)",
                    ])
                }
            } catch {
                logger.failure("reading retention failed", error)
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One pass at the clock's current time; nothing when another node sharing the database is running one.
    func deleteOnce() async throws -> RetentionCounts {
        let cutoffs = RetentionCutoffs(policy, now: clock())
        return try await store.exclusively("retention") { [store] in try await store.deleteExpired(cutoffs) } ?? RetentionCounts()
    }
}
