public import Foundation
import GRDB
import Synchronization
import TentacleCore

/// A telemetry series: one metric of one source.
struct SeriesKey: Hashable, Sendable {
    var source: String
    var metric: String
}

/// The embedded store: one SQLite file in WAL mode, written through a GRDB `DatabasePool`.
///
/// Durability: `synchronous = FULL` in WAL mode, so a transaction is on disk when its write
/// returns and anything the server acknowledged survives `kill -9` and power loss alike.
public final class SQLiteStore: Sendable {
    let pool: DatabasePool
    let clock: @Sendable () -> Date
    public let path: String
    /// Ids of the telemetry series (source, metric) seen so far; series rows are never deleted.
    let seriesIds = Mutex<[SeriesKey: Int64]>([:])
    /// Plans notifications from the batches `ingest` stores, in its transaction (see `follow(with:)`).
    let ingestFollower = Mutex<(any IngestFollower)?>(nil)
    /// Reads in flight, kept to the number of reader connections (see `ReadPermits`).
    let readPermits: ReadPermits

    /// WAL pages between automatic checkpoints (SQLite's default is 1,000).
    package static let walCheckpointPages = 16_384

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    public init(path: String, clock: @escaping @Sendable () -> Date = { Date() }) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Checkpoint every 64 MiB of WAL rather than 4 MiB: pages that ingest rewrites again
            // and again (index ends, rollup cells) are copied into the database once per
            // checkpoint. Durability is the WAL's and does not change.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.walCheckpointPages)")
        }
        pool = try DatabasePool(path: path, configuration: config)
        readPermits = ReadPermits(limit: config.maximumReaderCount)
        // Opening the pool switches its writer to WAL with `synchronous = NORMAL` after
        // `prepareDatabase` ran; the one writer connection is set back to FULL here.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        self.clock = clock
        self.path = path
        try Self.migrator.migrate(pool)
    }

    /// A value as the JSON text kept in a column (`StoredJSON`).
    static func json(_ value: some Encodable) throws -> String { try StoredJSON.text(value) }

    /// Writes one audit row inside the caller's transaction.
    func append(_ event: AuditEvent, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO audit_log (time, actor, action, object_type, object_id, summary) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [clock(), event.actor, event.action, event.objectType, event.objectId, event.summary]
        )
    }

    /// Runs `body` in a read of the pool, with at most one read per reader connection in flight.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await readPermits.with { try await pool.read(body) }
    }

    /// Runs `body` in a write transaction, translating constraint failures into `StoreError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            switch error.extendedResultCode {
            case .SQLITE_CONSTRAINT_PRIMARYKEY, .SQLITE_CONSTRAINT_UNIQUE:
                throw StoreError(.conflict, "an object with this identifier already exists")
            case .SQLITE_CONSTRAINT_FOREIGNKEY:
                throw StoreError(.conflict, "the object is still referenced by other objects")
            default:
                throw error
            }
        }
    }
}
