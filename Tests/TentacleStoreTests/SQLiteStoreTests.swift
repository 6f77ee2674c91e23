import Foundation
import GRDB
import TentacleCore
@testable import TentacleStore
import Testing

/// What is particular to the SQLite backend, beyond the shared contract.
@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test func auditLogIsAppendOnlyEvenForRawSQL() async throws {
        try await StoreHarness.with(.sqlite) { h in
            let store = try #require(h.store as? SQLiteStore)
            try await store.createDisplay(makeDisplay("d-1"), audit: audit("display.create", "d-1"))
            let before = try await store.auditEntries(AuditQuery(limit: 1000))
            #expect(!before.isEmpty)

            await #expect(throws: DatabaseError.self) {
                try await store.pool.write { db in try db.execute(sql: "UPDATE audit_log SET actor = 'someone else'") }
            }
            await #expect(throws: DatabaseError.self) {
                try await store.pool.write { db in try db.execute(sql: "DELETE FROM audit_log") }
            }
            await #expect(throws: DatabaseError.self) {
                try await store.pool.write { db in try db.execute(sql: "DELETE FROM audit_log WHERE object_id = 'd-1'") }
            }
            #expect(try await store.auditEntries(AuditQuery(limit: 1000)) == before)
        }
    }

    @Test func auditTimesComeFromTheStoreClock() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let moment = Date(timeIntervalSince1970: 1_800_000_000)
        let store = try SQLiteStore(path: folder.appendingPathComponent("t.sqlite").path, clock: { moment })
        try await store.createDistrict(District(code: "north", name: "North"), audit: audit("district.create", "district", "north"))
        #expect(try await store.auditEntries(AuditQuery()).map(\.time) == [moment])
    }

    @Test func theFileIsInWALModeWithForeignKeys() async throws {
        try await StoreHarness.with(.sqlite, seeded: false) { h in
            let store = try #require(h.store as? SQLiteStore)
            let (mode, foreignKeys) = try await store.pool.read { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
            }
            #expect(mode == "wal")
            #expect(foreignKeys == 1)
        }
    }

    /// The kill -9 tests prove durability only as long as every connection commits with a sync:
    /// `synchronous = FULL` (2) on the writer and on readers (which can also checkpoint).
    @Test func everyConnectionSyncsEachCommit() async throws {
        try await StoreHarness.with(.sqlite, seeded: false) { h in
            let store = try #require(h.store as? SQLiteStore)
            let writer = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(writer == 2)
            let readers = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<4 { group.addTask { try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } } }
                return try await group.reduce(into: [Int?]()) { $0.append($1) }
            }
            #expect(readers == [2, 2, 2, 2])
        }
    }
}
