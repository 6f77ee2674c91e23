import Foundation
import TentacleCore
import TentacleStore
import Testing

/// A storage backend the contract tests run against.
///
/// Every test body takes `any Storage`, so each backend runs the same test bodies: SQLite always,
/// PostgreSQL when `TENTACLE_TEST_POSTGRES_URL` names a server (`.ci/run` starts one).
struct Backend: Sendable, CustomTestStringConvertible {
    let name: String
    /// Opens the store kept for `folder`; opening the same folder again finds the same data.
    let open: @Sendable (_ folder: URL, _ clock: @escaping @Sendable () -> Date) async throws -> any Storage
    /// Removes what `open` created outside the folder.
    let discard: @Sendable (_ folder: URL) async -> Void

    var testDescription: String { name }

    static let sqlite = Backend(name: "SQLite", open: { folder, clock in
        try SQLiteStore(path: folder.appendingPathComponent("tentacle.sqlite").path, clock: clock)
    }, discard: { _ in })

    /// A database of its own per folder on the server `TENTACLE_TEST_POSTGRES_URL` names.
    static let postgres: Backend? = postgresServer.map { server in
        @Sendable func database(_ folder: URL) -> String { postgresDatabase(folder) }
        return Backend(name: "PostgreSQL", open: { folder, clock in
            let name = database(folder)
            let admin = try await PostgresStore.Admin(server)
            try await admin.createDatabase(name)
            await admin.close()
            return try await PostgresStore(location: server.with(database: name), poolSize: 4, clock: clock)
        }, discard: { folder in
            guard let admin = try? await PostgresStore.Admin(server) else { return }
            try? await admin.dropDatabase(database(folder))
            await admin.close()
        })
    }

    /// The server `TENTACLE_TEST_POSTGRES_URL` names, if any.
    static let postgresServer = ProcessInfo.processInfo.environment["TENTACLE_TEST_POSTGRES_URL"].flatMap { try? PostgresLocation(url: $0) }

    /// The database the PostgreSQL backend keeps for `folder`.
    static func postgresDatabase(_ folder: URL) -> String {
        "tentacle_test_" + folder.lastPathComponent.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    static let all: [Backend] = [.sqlite] + (postgres.map { [$0] } ?? [])
}

/// A store in a fresh temporary folder, seeded with districts and groups, removed afterwards.
struct StoreHarness {
    let backend: Backend
    let folder: URL
    var store: any Storage

    static let time = Date(timeIntervalSince1970: 1_767_225_600)

    /// Runs `body` on a freshly opened store; the folder is deleted whatever happens.
    static func with(
        _ backend: Backend, seeded: Bool = true, _ body: (inout StoreHarness) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var harness = StoreHarness(backend: backend, folder: folder, store: try await backend.open(folder) { time })
        do {
            if seeded { try await harness.seed() }
            try await body(&harness)
        } catch {
            await harness.close()
            await backend.discard(folder)
            throw error
        }
        await harness.close()
        await backend.discard(folder)
    }

    /// Closes the store and opens the same data again.
    mutating func reopen() async throws {
        await close()
        store = try await backend.open(folder) { Self.time }
    }

    /// Lets go of the store's connections (PostgreSQL's pool; SQLite closes with its last reference).
    func close() async {
        if let postgres = store as? PostgresStore { await postgres.close() }
    }

    private func seed() async throws {
        for code in ["north", "south", "east"] {
            try await store.createDistrict(District(code: code, name: code.capitalized), audit: audit("district.create", "district", code))
        }
        for code in ["bus-stops", "light-poles", "roadside-boards"] {
            try await store.createGroup(DisplayGroup(code: code, name: code), audit: audit("group.create", "group", code))
        }
    }
}

func audit(_ action: String, _ type: String, _ id: String, actor: String = "tester") -> AuditEvent {
    AuditEvent(actor: actor, action: action, objectType: type, objectId: id, summary: "\(action) \(id)")
}

/// An audit event about a display.
func audit(_ action: String, _ displayId: String, actor: String = "tester") -> AuditEvent {
    audit(action, "display", displayId, actor: actor)
}

/// A valid display; tests change what they look at.
func makeDisplay(
    _ id: String, district: String = "north", groups: [String] = [], tags: [String] = [],
    lat: Double = 52.5, lon: Double = 13.4, status: DisplayStatus = .offline
) -> Display {
    Display(
        id: id, name: "Display \(id)", width: 128, height: 64, lat: lat, lon: lon, district: district,
        poleId: "pole-\(id)", groups: groups, tags: tags, timezone: "Europe/Berlin", notes: "",
        status: status, createdAt: StoreHarness.time, updatedAt: StoreHarness.time)
}

extension DisplayRepository {
    /// Every display the query finds, following cursors to the end.
    func allDisplays(_ query: DisplayQuery = DisplayQuery()) async throws -> [Display] {
        var query = query
        var result: [Display] = []
        while true {
            let page = try await listDisplays(query)
            result += page.items
            guard let next = page.nextCursor else { return result }
            query.after = next
        }
    }
}
