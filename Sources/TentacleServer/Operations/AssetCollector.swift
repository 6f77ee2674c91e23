import Foundation
import Logging
import ServiceLifecycle
import TentacleCore
import TentacleStore

/// Deletes uploaded images no layout references once they are older than the grace period,
/// so an upload has time to be used before it is collected.
struct AssetCollector: Service {
    let store: any Storage
    let gracePeriod: TimeInterval
    let interval: Duration
    let clock: @Sendable () -> Date
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let collected = try await collectOnce()
                if !collected.isEmpty { logger.info("collected unreferenced assets", metadata: ["count": "\(collected.count)"]) }
            } catch {
                logger.failure("asset collection failed", error)
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One pass; returns the hashes it deleted (none when another node sharing the database is collecting).
    func collectOnce() async throws -> [String] {
        let cutoff = clock().addingTimeInterval(-gracePeriod)
        return try await store.exclusively("asset-collection") { [store] in try await store.deleteUnreferencedAssets(uploadedBefore: cutoff) } ?? []
    }
}
