import Synchronization
import TentacleCore
import TentacleStore

/// The metric catalogue held in memory, so validating a batch costs no database read.
///
/// Loaded on first use and replaced when an admin adds a metric through this server.
final class TelemetryCache: Sendable {
    private let catalogue = Mutex<MetricCatalogue?>(nil)

    func metrics(_ store: any TelemetryRepository) async throws -> MetricCatalogue {
        if let cached = catalogue.withLock({ $0 }) { return cached }
        let loaded = try await store.metrics()
        catalogue.withLock { $0 = loaded }
        return loaded
    }

    func invalidate() {
        catalogue.withLock { $0 = nil }
    }
}
