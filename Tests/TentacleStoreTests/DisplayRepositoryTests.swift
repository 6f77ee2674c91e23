import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("Display repository contract")
struct DisplayRepositoryTests {
    @Test(arguments: Backend.all)
    func createReadUpdateDeleteKeepsGroupsAndTagsInOrder(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            var display = makeDisplay("d-1", groups: ["roadside-boards", "bus-stops"], tags: ["zeta", "alpha", "mid"])
            try await store.createDisplay(display, audit: audit("display.create", display.id))
            #expect(try await store.display(id: "d-1") == display)

            display.name = "Renamed"
            display.groups = ["light-poles", "roadside-boards"]
            display.tags = ["new", "alpha"]
            display.district = "south"
            display.poleId = nil
            display.notes = "moved"
            display.updatedAt = StoreHarness.time.addingTimeInterval(60)
            try await store.updateDisplay(display, audit: audit("display.update", display.id))
            let read = try #require(try await store.display(id: "d-1"))
            #expect(read == display)
            #expect(read.groups == ["light-poles", "roadside-boards"])
            #expect(read.tags == ["new", "alpha"])

            try await store.deleteDisplay(id: "d-1", audit: audit("display.delete", "d-1"))
            #expect(try await store.display(id: "d-1") == nil)
            #expect(try await store.allDisplays().isEmpty)
        }
    }

    @Test(arguments: Backend.all)
    func missingDisplaysAreNotFound(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h async throws in
            let store = h.store
            #expect(try await store.display(id: "nope") == nil)
            let update = await #expect(throws: StoreError.self) {
                try await store.updateDisplay(makeDisplay("nope"), audit: audit("display.update", "nope"))
            }
            #expect(update?.code == .notFound)
            let delete = await #expect(throws: StoreError.self) {
                try await store.deleteDisplay(id: "nope", audit: audit("display.delete", "nope"))
            }
            #expect(delete?.code == .notFound)
        }
    }

    @Test(arguments: Backend.all)
    func duplicateIdIsAConflict(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            try await store.createDisplay(makeDisplay("d-1"), audit: audit("display.create", "d-1"))
            let error = await #expect(throws: StoreError.self) {
                try await store.createDisplay(makeDisplay("d-1", district: "south"), audit: audit("display.create", "d-1"))
            }
            #expect(error?.code == .conflict)
            #expect(error?.field == "id")
            #expect(try await store.display(id: "d-1")?.district == "north")
        }
    }

    @Test(arguments: Backend.all)
    func unknownDistrictOrGroupIsAnInvalidReference(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            let district = await #expect(throws: StoreError.self) {
                try await store.createDisplay(makeDisplay("d-1", district: "west"), audit: audit("display.create", "d-1"))
            }
            #expect(district?.code == .invalidReference)
            #expect(district?.field == "district")

            let group = await #expect(throws: StoreError.self) {
                try await store.createDisplay(makeDisplay("d-1", groups: ["bus-stops", "ferries"]), audit: audit("display.create", "d-1"))
            }
            #expect(group?.code == .invalidReference)
            #expect(group?.field == "groups[1]")
            #expect(try await store.display(id: "d-1") == nil)

            try await store.createDisplay(makeDisplay("d-2"), audit: audit("display.create", "d-2"))
            let update = await #expect(throws: StoreError.self) {
                try await store.updateDisplay(makeDisplay("d-2", district: "west"), audit: audit("display.update", "d-2"))
            }
            #expect(update?.code == .invalidReference)
            #expect(try await store.display(id: "d-2")?.district == "north")
        }
    }

    @Test(arguments: Backend.all)
    func listFilters(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            let displays = [
                makeDisplay("a", district: "north", groups: ["bus-stops"], tags: ["solar"], lat: 52.50, lon: 13.40, status: .online),
                makeDisplay("b", district: "north", groups: ["light-poles"], tags: ["solar", "wifi"], lat: 52.60, lon: 13.50),
                makeDisplay("c", district: "south", groups: ["bus-stops", "light-poles"], lat: 52.40, lon: 13.30, status: .degraded),
                makeDisplay("d", district: "east", tags: ["wifi"], lat: 52.52, lon: 13.60, status: .online),
            ]
            for d in displays { try await store.createDisplay(d, audit: audit("display.create", d.id)) }

            func ids(_ query: DisplayQuery) async throws -> [String] { try await store.allDisplays(query).map(\.id) }
            #expect(try await ids(DisplayQuery()) == ["a", "b", "c", "d"])
            #expect(try await ids(DisplayQuery(district: "north")) == ["a", "b"])
            #expect(try await ids(DisplayQuery(group: "bus-stops")) == ["a", "c"])
            #expect(try await ids(DisplayQuery(group: "roadside-boards")) == [])
            #expect(try await ids(DisplayQuery(tag: "wifi")) == ["b", "d"])
            #expect(try await ids(DisplayQuery(status: .online)) == ["a", "d"])
            #expect(try await ids(DisplayQuery(status: .offline)) == ["b"])
            let box = BoundingBox(minLat: 52.45, minLon: 13.35, maxLat: 52.55, maxLon: 13.65)
            #expect(try await ids(DisplayQuery(bbox: box)) == ["a", "d"])
            #expect(try await ids(DisplayQuery(district: "north", tag: "solar", status: .online)) == ["a"])
            #expect(try await ids(DisplayQuery(scope: .only(["north", "east"]))) == ["a", "b", "d"])
            #expect(try await ids(DisplayQuery(district: "south", scope: .only(["north"]))) == [])
            #expect(try await ids(DisplayQuery(scope: .only([]))) == [])
            #expect(try await store.displayCountsByStatus() == [.online: 2, .offline: 1, .degraded: 1])
        }
    }

    @Test(arguments: Backend.all)
    func cursorPaginationReturnsEveryDisplayOnceInIdOrder(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            // Ids deliberately inserted out of order, across districts.
            let ids = (0..<23).map { String(format: "p-%02d", ($0 * 7) % 23) }
            for (i, id) in ids.enumerated() {
                try await store.createDisplay(makeDisplay(id, district: ["north", "south", "east"][i % 3]), audit: audit("display.create", id))
            }
            var query = DisplayQuery(limit: 5)
            var seen: [String] = []
            var pages = 0
            while true {
                let page = try await store.listDisplays(query)
                #expect(page.items.count <= 5)
                seen += page.items.map(\.id)
                pages += 1
                guard let next = page.nextCursor else { break }
                query.after = next
            }
            #expect(pages == 5)
            #expect(seen == ids.sorted())

            // A page that ends exactly at the last display has no next cursor.
            let exact = try await store.listDisplays(DisplayQuery(limit: 23))
            #expect(exact.items.count == 23)
            #expect(exact.nextCursor == nil)

            let northOnly = try await store.allDisplays(DisplayQuery(limit: 2, scope: .only(["north"])))
            #expect(northOnly.map(\.id) == northOnly.map(\.id).sorted())
            #expect(northOnly.count == 8)
            #expect(northOnly.allSatisfy { $0.district == "north" })
        }
    }

    @Test(arguments: Backend.all)
    func importStoresEveryRow(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            let rows = [
                (row: 2, display: makeDisplay("i-1", groups: ["bus-stops"], tags: ["x"])),
                (row: 3, display: makeDisplay("i-2", district: "south")),
            ]
            try await store.importDisplays(rows, audit: audit("display.import", "*"))
            #expect(try await store.allDisplays() == rows.map(\.display))
            #expect(try await store.auditEntries(AuditQuery(action: "display.import")).count == 1)
        }
    }

    @Test(arguments: Backend.all)
    func importIsAllOrNothing(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            try await store.createDisplay(makeDisplay("taken"), audit: audit("display.create", "taken"))
            let rows = [
                (row: 2, display: makeDisplay("i-1")),
                (row: 3, display: makeDisplay("i-2", district: "west")),
                (row: 4, display: makeDisplay("i-3", groups: ["bus-stops", "ferries"])),
                (row: 5, display: makeDisplay("taken")),
                (row: 6, display: makeDisplay("i-4")),
            ]
            let error = await #expect(throws: ImportError.self) {
                try await store.importDisplays(rows, audit: audit("display.import", "*"))
            }
            let problems = (error?.problems ?? []).map { "\($0.row ?? 0) \($0.code) \($0.field ?? "")" }
            #expect(problems == ["3 invalidReference district", "4 invalidReference groups[1]", "5 conflict id"])
            #expect(try await store.allDisplays().map(\.id) == ["taken"])
            #expect(try await store.auditEntries(AuditQuery(action: "display.import")).isEmpty)
        }
    }

    @Test(arguments: Backend.all)
    func importWithARepeatedIdStoresNothing(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h async throws in
            let store = h.store
            let rows = [(row: 2, display: makeDisplay("same")), (row: 3, display: makeDisplay("other")), (row: 4, display: makeDisplay("same"))]
            await #expect(throws: (any Error).self) {
                try await store.importDisplays(rows, audit: audit("display.import", "*"))
            }
            #expect(try await store.allDisplays().isEmpty)
            #expect(try await store.auditEntries(AuditQuery(action: "display.import")).isEmpty)
        }
    }

    @Test(arguments: Backend.all)
    func dataSurvivesReopening(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let display = makeDisplay("kept", groups: ["light-poles", "bus-stops"], tags: ["b", "a"])
            try await h.store.createDisplay(display, audit: audit("display.create", "kept"))
            let user = User(id: "usr-1", username: "kim", role: .operator, districts: ["north", "south"], createdAt: StoreHarness.time)
            try await h.store.createUser(user, passwordHash: "hash", audit: audit("user.create", "user", "usr-1"))
            try await h.reopen()
            #expect(try await h.store.display(id: "kept") == display)
            #expect(try await h.store.user(id: "usr-1") == user)
            #expect(try await h.store.districts().map(\.code) == ["east", "north", "south"])
            #expect(try await h.store.auditEntries(AuditQuery(objectId: "kept")).map(\.action) == ["display.create"])
        }
    }
}
