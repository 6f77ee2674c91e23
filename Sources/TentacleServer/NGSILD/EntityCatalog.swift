import Foundation
import Synchronization
import TentacleCore
import TentacleStore

/// Tentacle's records as NGSI-LD entities, built on demand from the registry and the latest
/// readings; nothing NGSI-LD is stored beside them.
///
/// The registry part (where each display and sensor is) is kept in memory and read again when
/// the newest audit row about displays or sensors changes, as `DisplayDirectory` does. Latest
/// values and display status are read fresh for every answer.
final class EntityCatalog: Sendable {
    private let store: any Storage
    private let latest: LatestValues
    private let cached = Mutex<(version: [Int64], registry: EntityRegistry)?>(nil)

    init(store: any Storage, latest: LatestValues) {
        self.store = store
        self.latest = latest
    }

    /// Where every display and sensor is.
    func registry() async throws -> EntityRegistry {
        let version = [try await store.latestAuditId(objectType: "display"), try await store.latestAuditId(objectType: "sensor")]
        if let hit = cached.withLock({ $0 }), hit.version == version { return hit.registry }
        let registry = EntityRegistry(displays: try await store.everyDisplay(), sensors: try await store.sensors(scope: .all))
        cached.withLock { $0 = (version, registry) }
        return registry
    }

    /// The registry with the displays' current status, for answers that show `Display` entities.
    private func freshRegistry(_ types: Set<String>?) async throws -> EntityRegistry {
        let cachedRegistry = try await registry()
        guard types?.contains("Display") ?? true else { return cachedRegistry }
        return EntityRegistry(displays: try await store.everyDisplay(), sensors: Array(cachedRegistry.sensors.values))
    }

    /// Every entity of the given types (all types when nil) that `scope` may see, in id order.
    func entities(types: Set<String>?, scope: DistrictScope) async throws -> [ContextEntity] {
        let registry = try await freshRegistry(types)
        let held = latest.snapshot
        var values = held ?? [:]
        if held == nil {
            for row in try await store.latest(LatestQuery(area: ReadingArea(scope: scope))) {
                values[row.reading.source, default: [:]][row.reading.metric] = ObservedValue(time: row.reading.time, value: row.reading.value)
            }
        }
        let showing = types?.contains("Display") ?? true ? try await self.showing() : [:]
        return registry.entities(types: types, latest: values, showing: showing).filter { entity in
            (types?.contains(entity.type) ?? true) && entity.district.map(scope.contains) ?? (scope == .all)
        }
    }

    /// One entity by id, if `scope` may see it.
    func entity(id: String, scope: DistrictScope) async throws -> ContextEntity? {
        guard let (type, key) = EntityType.parse(id) else { return nil }
        let registry = try await freshRegistry([type])
        if type == "Streetlight" { return registry.streetlight(key).flatMap { visible($0, scope) } }
        let source = type == "DeviceMeasurement" ? String(key[..<(key.lastIndex(of: ":") ?? key.endIndex)]) : key
        let held = latest.of(source)
        var values = held ?? [:]
        if held == nil {
            for row in try await store.latest(LatestQuery(sources: [source])) {
                values[row.reading.metric] = ObservedValue(time: row.reading.time, value: row.reading.value)
            }
        }
        let showing = type == "Display" ? try await self.showing()[source] : nil
        return registry.entities(source: source, latest: values, showing: showing).first { $0.id == id }.flatMap { visible($0, scope) }
    }

    /// What each display reported showing last.
    private func showing() async throws -> [String: DisplayShowing] {
        try await store.latestPlays().mapValues { p in
            DisplayShowing(kind: p.kind, layoutId: p.layoutId, campaignId: p.campaignId, alertId: p.alertId, since: p.start)
        }
    }

    private func visible(_ entity: ContextEntity, _ scope: DistrictScope) -> ContextEntity? {
        (entity.district.map(scope.contains) ?? (scope == .all)) ? entity : nil
    }
}
