import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("Sensor repository contract")
struct SensorRepositoryTests {
    static func sensor(_ id: String, district: String = "north", display: String? = nil, kind: Sensor.Kind = .airQuality) -> Sensor {
        Sensor(
            id: id, kind: kind, metrics: ["pm25", "no2"], displayId: display, poleId: "pole-\(id)", lat: 52.51, lon: 13.41,
            district: district, createdAt: StoreHarness.time.addingTimeInterval(0.25))
    }

    @Test(arguments: Backend.all)
    func createReadAndDelete(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            try await store.createDisplay(makeDisplay("d-1"), audit: audit("display.create", "d-1"))
            let mounted = Self.sensor("s-1", display: "d-1")
            let free = Sensor(
                id: "s-2", kind: .noise, metrics: ["laeq"], displayId: nil, poleId: nil, lat: 52.4, lon: 13.3, district: "south",
                createdAt: StoreHarness.time)
            try await store.createSensor(mounted, audit: audit("sensor.create", "sensor", "s-1"))
            try await store.createSensor(free, audit: audit("sensor.create", "sensor", "s-2"))
            #expect(try await store.sensor(id: "s-1") == mounted)
            #expect(try await store.sensor(id: "s-2") == free)
            #expect(try await store.sensor(id: "nope") == nil)

            try await store.deleteSensor(id: "s-1", audit: audit("sensor.delete", "sensor", "s-1"))
            #expect(try await store.sensor(id: "s-1") == nil)
            let missing = await #expect(throws: StoreError.self) {
                try await store.deleteSensor(id: "s-1", audit: audit("sensor.delete", "sensor", "s-1"))
            }
            #expect(missing?.code == .notFound)
            #expect(missing?.message == "sensor 's-1' not found")
            #expect(try await store.sensors(scope: .all) == [free])
        }
    }

    @Test(arguments: Backend.all)
    func duplicatesAndUnknownReferencesAreConflicts(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            try await store.createSensor(Self.sensor("s-1"), audit: audit("sensor.create", "sensor", "s-1"))
            let duplicate = await #expect(throws: StoreError.self) {
                try await store.createSensor(Self.sensor("s-1", kind: .weather), audit: audit("sensor.create", "sensor", "s-1", actor: "failed"))
            }
            #expect(duplicate?.code == .conflict)
            #expect(try await store.sensor(id: "s-1")?.kind == .airQuality)

            let district = await #expect(throws: StoreError.self) {
                try await store.createSensor(Self.sensor("s-2", district: "west"), audit: audit("sensor.create", "sensor", "s-2", actor: "failed"))
            }
            #expect(district?.code == .conflict)
            let display = await #expect(throws: StoreError.self) {
                try await store.createSensor(Self.sensor("s-3", display: "nope"), audit: audit("sensor.create", "sensor", "s-3", actor: "failed"))
            }
            #expect(display?.code == .conflict)
            #expect(try await store.sensors(scope: .all).map(\.id) == ["s-1"])
            #expect(try await store.auditEntries(AuditQuery(actor: "failed")).isEmpty)
        }
    }

    @Test(arguments: Backend.all)
    func listingIsSortedByIdAndScopedByDistrict(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            let placed = [("s-b", "north"), ("S-z", "east"), ("s-a", "south"), ("s-10", "north"), ("s-9", "east"), ("s-_", "south")]
            for (id, district) in placed {
                try await store.createSensor(Self.sensor(id, district: district), audit: audit("sensor.create", "sensor", id))
            }
            // Bytewise order, as SQLite compares TEXT: capitals before lowercase, digits before '_'.
            #expect(try await store.sensors(scope: .all).map(\.id) == ["S-z", "s-10", "s-9", "s-_", "s-a", "s-b"])
            #expect(try await store.sensors(scope: .only(["north", "east"])).map(\.id) == ["S-z", "s-10", "s-9", "s-b"])
            #expect(try await store.sensors(scope: .only(["south"])).map(\.id) == ["s-_", "s-a"])
            #expect(try await store.sensors(scope: .only(["west"])).isEmpty)
            #expect(try await store.sensors(scope: .only([])).isEmpty)
        }
    }

    @Test(arguments: Backend.all)
    func sensorsGoWithTheirDisplay(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            try await store.createDisplay(makeDisplay("d-1"), audit: audit("display.create", "d-1"))
            try await store.createSensor(Self.sensor("s-1", display: "d-1"), audit: audit("sensor.create", "sensor", "s-1"))
            try await store.createSensor(Self.sensor("s-2"), audit: audit("sensor.create", "sensor", "s-2"))
            try await store.deleteDisplay(id: "d-1", audit: audit("display.delete", "d-1"))
            #expect(try await store.sensors(scope: .all).map(\.id) == ["s-2"])
        }
    }

    @Test(arguments: Backend.all)
    func changesWriteTheirAuditRows(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            let before = try await store.latestAuditId(objectType: "sensor")
            #expect(before == 0)
            try await store.createSensor(Self.sensor("s-1"), audit: audit("sensor.create", "sensor", "s-1"))
            try await store.deleteSensor(id: "s-1", audit: audit("sensor.delete", "sensor", "s-1"))
            _ = try? await store.deleteSensor(id: "s-1", audit: audit("sensor.delete", "sensor", "s-1", actor: "failed"))

            let entries = try await store.auditEntries(AuditQuery(objectType: "sensor"))
            #expect(entries.map(\.action) == ["sensor.delete", "sensor.create"])
            #expect(entries.allSatisfy { $0.objectId == "s-1" && $0.actor == "tester" && $0.time == StoreHarness.time })
            #expect(try await store.latestAuditId(objectType: "sensor") == entries.first?.id)
            #expect(try await store.latestAuditId() == entries.first?.id)
        }
    }
}
