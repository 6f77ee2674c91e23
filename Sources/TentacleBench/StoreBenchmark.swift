public import Foundation
import GRDB
public import TentacleCore
import TentacleStore

/// Baselines for `tentacle bench ingest` that need SQLite itself rather than the store.
public enum StoreBenchmark {
    /// Inserts the readings of `batches` into a fresh SQLite file at `path` the plainest way:
    /// one table `(source, metric, time, value)` without indexes, WAL with `synchronous = FULL`
    /// and the store's checkpoint interval, one prepared statement with values bound through
    /// SQLite's C API, one transaction per batch. Stops after the batch that passes `deadline`;
    /// returns the readings inserted and the seconds taken.
    public static func plainInserts(_ batches: [ReadingBatch], path: String, deadline: Date) throws -> (readings: Int, seconds: Double) {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(SQLiteStore.walCheckpointPages)")
        }
        let pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE readings (source TEXT NOT NULL, metric TEXT NOT NULL, time INTEGER NOT NULL, value REAL NOT NULL)")
        }
        let started = Date()
        var inserted = 0
        for batch in batches {
            try pool.write { db in
                // Bound through SQLite's C API, as the store's own ingest binds them.
                let insert = try BoundStatement(db, sql: "INSERT INTO readings (source, metric, time, value) VALUES (?, ?, ?, ?)")
                for r in batch.readings {
                    insert.bind(1, r.source)
                    insert.bind(2, r.metric)
                    insert.bind(3, r.time)
                    insert.bind(4, r.value)
                    try insert.run()
                }
            }
            inserted += batch.readings.count
            if Date() >= deadline { break }
        }
        return (inserted, Date().timeIntervalSince(started))
    }
}
