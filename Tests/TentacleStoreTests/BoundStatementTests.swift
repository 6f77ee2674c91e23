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
        let pm25 = try await second.pool.read { db in
            try Double.fetchAll(db, sql: """
                SELECT value FROM readings JOIN series ON series.id = readings.series
                WHERE source = 'pole-1' AND metric = 'pm25' ORDER BY time
                """)
        }
        #expect(pm25 == [0, 1, 2])
    }
}
