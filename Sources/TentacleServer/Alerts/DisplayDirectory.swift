import Synchronization
import TentacleCore
import TentacleStore

/// Every display's record held in memory for alert targeting, so an alert for the whole city
/// does not page through the registry while the city waits.
///
/// The copy is keyed by the newest audit row about displays: every create, change, import and
/// delete writes one, so a changed registry is read again on the next alert, also when another
/// server process on the same database changed it. Presence (status, last seen) in the copy may
/// be old; targeting uses only location, district and tags.
final class DisplayDirectory: Sendable {
    private let store: any Storage
    private let cached = Mutex<(auditId: Int64, displays: [Display])?>(nil)

    init(store: any Storage) {
        self.store = store
    }

    /// Every display the caller may see.
    func displays(scope: DistrictScope) async throws -> [Display] {
        let version = try await store.latestAuditId(objectType: "display")
        let all: [Display]
        if let hit = cached.withLock({ $0 }), hit.auditId == version {
            all = hit.displays
        } else {
            all = try await store.everyDisplay()
            cached.withLock { $0 = (version, all) }
        }
        return all.filter { scope.contains($0.district) }
    }
}
