import Synchronization
import TentacleCore

/// Every source's latest values in memory, for NGSI-LD answers and subscriptions.
///
/// Seeded from the store when the subscription service starts, then kept by it inside each
/// ingest transaction, so it is never behind what is stored. Nil until seeded: readers then ask
/// the store.
final class LatestValues: Sendable {
    private let values = Mutex<[String: [String: ObservedValue]]?>(nil)

    var snapshot: [String: [String: ObservedValue]]? { values.withLock { $0 } }

    func of(_ source: String) -> [String: ObservedValue]? {
        values.withLock { $0.map { $0[source] ?? [:] } }
    }

    /// Takes the stored values; any newer value already here is kept.
    func seed(_ stored: [String: [String: ObservedValue]]) {
        values.withLock { current in
            current = stored.merging(current ?? [:]) { seed, live in seed.merging(live) { a, b in a.time > b.time ? a : b } }
        }
    }

    /// Records readings; a reading older than the value held is ignored. Returns the source's
    /// values after, and which metrics changed.
    func record(_ readings: some Sequence<Reading>, of source: String) -> (values: [String: ObservedValue], changed: [String]) {
        values.withLock { all in
            var latest = all?[source] ?? [:]
            var changed: [String] = []
            for r in readings where (latest[r.metric]?.time ?? .min) <= r.time {
                latest[r.metric] = ObservedValue(time: r.time, value: r.value)
                changed.append(r.metric)
            }
            if !changed.isEmpty { all?[source] = latest }
            return (latest, changed)
        }
    }
}
