import Foundation
import GRDB
import TentacleCore
@testable import TentacleStore
import Testing

/// The ingest path binds values through SQLite's C API; what it stores and the errors it
/// reports must be what GRDB's own statements give.
struct BoundStatementTests {
    @Test func boundValuesAreStoredAndErrorsNameTheConstraint() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (i INTEGER NOT NULL, d REAL NOT NULL, s TEXT NOT NULL, UNIQUE (i))")
            let insert = try BoundStatement(db, sql: "INSERT INTO t (i, d, s) VALUES (?, ?, ?)")
            for (i, d, s) in [(Int64.min, -0.5, ""), (0, 1e300, "ümlaut ✓"), (Int64.max, .pi, String(repeating: "x", count: 10_000))] {
                insert.bind(1, i)
                insert.bind(2, d)
                insert.bind(3, s)
                try insert.run()
            }
            let rows = try Row.fetchAll(db, sql: "SELECT i, d, s FROM t ORDER BY i")
            #expect(rows.map { $0["i"] as Int64 } == [Int64.min, 0, Int64.max])
            #expect(rows.map { $0["d"] as Double } == [-0.5, 1e300, .pi])
            #expect(rows.map { ($0["s"] as String).count } == [0, 8, 10_000])
            #expect(rows[1]["s"] as String == "ümlaut ✓")

            insert.bind(1, Int64(0))
            insert.bind(2, 1.0)
            insert.bind(3, "again")
            #expect {
                try insert.run()
            } throws: { error in
                (error as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT && "\(error)".contains("UNIQUE")
            }
            // The statement was reset and is usable again.
            insert.bind(1, Int64(1))
            try insert.run()
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == 4)
        }
    }

    @Test func blobsRoundTripAndRowsAreReadInPlace() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE b (k INTEGER PRIMARY KEY, v BLOB NOT NULL)")
            let insert = try BoundStatement(db, sql: "INSERT INTO b (k, v) VALUES (?, ?)")
            for (k, bytes) in [(1, [UInt8]()), (2, [0, 255, 7]), (3, (0..<5000).map { UInt8($0 % 251) })] {
                insert.bind(1, Int64(k))
                insert.bind(2, bytes)
                try insert.run()
            }
            let find = try BoundStatement(db, sql: "SELECT k, v FROM b WHERE k = ?")
            for (k, count) in [(1, 0), (2, 3), (3, 5000)] {
                find.bind(1, Int64(k))
                let row = try find.first { ($0.int64(0), Array($0.blob(1))) }
                #expect(row?.0 == Int64(k))
                #expect(row?.1.count == count)
            }
            // An empty blob is stored as a blob, not NULL.
            #expect(try String.fetchOne(db, sql: "SELECT typeof(v) FROM b WHERE k = 1") == "blob")
            find.bind(1, Int64(9))
            #expect(try find.first { $0.int64(0) } == nil)
        }
    }

    @Test func seriesCreatedInACommittedIngestAreReusedAndStayDistinct() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bound-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("t.sqlite").path
        let first = try SQLiteStore(path: path)
        let second = try SQLiteStore(path: path)
        let t: Int64 = 1_767_225_600_000
        for (n, store) in [first, second, first].enumerated() {
            let batch = ReadingBatch(source: "pole-1", sequence: Int64(n), readings: [
                Reading(source: "pole-1", metric: "pm25", time: t + Int64(n) * 60_000, value: Double(n)),
                Reading(source: "pole-1", metric: "lux", time: t + Int64(n) * 60_000, value: 100),
                Reading(source: "pole-2", metric: "pm25", time: t + Int64(n) * 60_000, value: 7),
            ])
            _ = try await store.ingest([batch], at: Date(timeIntervalSince1970: 1_767_225_600 + 3600))
        }
        let series = try await first.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM series") }
        #expect(series == 3)
        let pm25 = try await second.rawReadings(source: "pole-1", metric: "pm25", from: 0, to: .max, after: nil, limit: 10).readings.map(\.value)
        #expect(pm25 == [0, 1, 2])
    }
}
