import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("District and group repository contract")
struct DistrictRepositoryTests {
    static let square = GeoGeometry(polygon: [[
        .init(lon: 13.0, lat: 52.0), .init(lon: 13.5, lat: 52.0), .init(lon: 13.5, lat: 52.5), .init(lon: 13.0, lat: 52.0),
    ]])

    @Test(arguments: Backend.all)
    func districtLifecycle(backend: Backend) async throws {
        try await StoreHarness.with(backend, seeded: false) { h in
            let store = h.store
            var district = District(code: "harbour", name: "Harbour", boundary: Self.square)
            try await store.createDistrict(district, audit: audit("district.create", "district", "harbour"))
            #expect(try await store.district(code: "harbour") == district)

            let duplicate = await #expect(throws: StoreError.self) {
                try await store.createDistrict(District(code: "harbour", name: "Again"), audit: audit("district.create", "district", "harbour"))
            }
            #expect(duplicate?.code == .conflict)

            district.name = "Old Harbour"
            district.boundary = nil
            try await store.updateDistrict(district, audit: audit("district.update", "district", "harbour"))
            #expect(try await store.district(code: "harbour") == district)
            #expect(try await store.districts() == [district])

            try await store.deleteDistrict(code: "harbour", audit: audit("district.delete", "district", "harbour"))
            #expect(try await store.district(code: "harbour") == nil)
            let missing = await #expect(throws: StoreError.self) {
                try await store.deleteDistrict(code: "harbour", audit: audit("district.delete", "district", "harbour"))
            }
            #expect(missing?.code == .notFound)
            let missingUpdate = await #expect(throws: StoreError.self) {
                try await store.updateDistrict(district, audit: audit("district.update", "district", "harbour"))
            }
            #expect(missingUpdate?.code == .notFound)
        }
    }

    @Test(arguments: Backend.all)
    func groupLifecycle(backend: Backend) async throws {
        try await StoreHarness.with(backend, seeded: false) { h in
            let store = h.store
            var group = DisplayGroup(code: "kiosks", name: "Kiosks", description: "Info kiosks")
            try await store.createGroup(group, audit: audit("group.create", "group", "kiosks"))
            #expect(try await store.group(code: "kiosks") == group)
            let duplicate = await #expect(throws: StoreError.self) {
                try await store.createGroup(group, audit: audit("group.create", "group", "kiosks"))
            }
            #expect(duplicate?.code == .conflict)

            group.name = "Kiosk screens"
            group.description = ""
            try await store.updateGroup(group, audit: audit("group.update", "group", "kiosks"))
            #expect(try await store.groups() == [group])

            try await store.deleteGroup(code: "kiosks", audit: audit("group.delete", "group", "kiosks"))
            #expect(try await store.groups().isEmpty)
            let missing = await #expect(throws: StoreError.self) {
                try await store.deleteGroup(code: "kiosks", audit: audit("group.delete", "group", "kiosks"))
            }
            #expect(missing?.code == .notFound)
        }
    }

    @Test(arguments: Backend.all)
    func deletingWhileInUseIsAConflict(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            try await store.createDisplay(makeDisplay("d-1", district: "south", groups: ["light-poles"]), audit: audit("display.create", "d-1"))

            let district = await #expect(throws: StoreError.self) {
                try await store.deleteDistrict(code: "south", audit: audit("district.delete", "district", "south"))
            }
            #expect(district?.code == .conflict)
            let group = await #expect(throws: StoreError.self) {
                try await store.deleteGroup(code: "light-poles", audit: audit("group.delete", "group", "light-poles"))
            }
            #expect(group?.code == .conflict)
            #expect(try await store.district(code: "south") != nil)
            #expect(try await store.group(code: "light-poles") != nil)
            #expect(try await store.auditEntries(AuditQuery(action: "district.delete")).isEmpty)
            #expect(try await store.auditEntries(AuditQuery(action: "group.delete")).isEmpty)

            try await store.deleteDisplay(id: "d-1", audit: audit("display.delete", "d-1"))
            try await store.deleteDistrict(code: "south", audit: audit("district.delete", "district", "south"))
            try await store.deleteGroup(code: "light-poles", audit: audit("group.delete", "group", "light-poles"))
            #expect(try await store.districts().map(\.code) == ["east", "north"])
        }
    }
}
