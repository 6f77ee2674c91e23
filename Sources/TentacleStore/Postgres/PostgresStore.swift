public import Foundation
public import Logging
import NIOCore
import PostgresNIO
import Synchronization
import TentacleCore

/// Where a PostgreSQL database is, read from `postgres://user:password@host:port/database?sslmode=…`.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Parses and checks a URL; the error names what is wrong and never echoes the password.
    public init(url text: String) throws(StoreError) {
        func bad(_ why: String) -> StoreError { StoreError(.invalidReference, field: "database", "--database: \(why)") }
        guard let url = URLComponents(string: text) else { throw bad("not a URL; write postgres://user:password@host:5432/database") }
        guard url.scheme == "postgres" || url.scheme == "postgresql" else {
            throw bad("the scheme must be postgres:// or postgresql://, not '\(url.scheme ?? "")'")
        }
        guard let host = url.host, !host.isEmpty else { throw bad("the URL names no host") }
        guard let user = url.user, !user.isEmpty else { throw bad("the URL names no user (postgres://USER:password@host/database)") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw bad("the URL names no database (postgres://user@host:5432/DATABASE)") }
        if let port = url.port, !(1...65_535).contains(port) { throw bad("the port must be 1...65535") }
        var tls = TLSMode.prefer
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                switch item.value {
                case "disable": tls = .disable
                case "allow", "prefer": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                default: throw bad("sslmode must be disable, prefer or require, not '\(item.value ?? "")'")
                }
            default:
                throw bad("unknown parameter '\(item.name)' (only sslmode is read)")
            }
        }
        self.host = host
        self.port = url.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = url.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        self.tls = tls
    }

    /// The same server, another database.
    public func with(database: String) -> PostgresLocation {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL without its password, for messages and logs.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}

/// The store for a city that outgrows one process: PostgreSQL through a postgres-nio connection
/// pool, shared by every `tentacle serve` node that points at the same database.
///
/// Durability: every change runs in one transaction that has committed when the call returns,
/// so anything a node acknowledged is in PostgreSQL's WAL (with the server's `fsync` on).
public final class PostgresStore: Sendable {
    let client: PostgresClient
    /// Connections that hold the jobs' advisory locks, apart from `client`: a job holds its lock
    /// while its body uses `client`, so sharing one pool could starve it (every connection a lock
    /// holder waiting for a connection to work on).
    let locks: PostgresClient
    let runner: Task<Void, Never>
    let clock: @Sendable () -> Date
    let logger: Logger
    public let location: PostgresLocation
    /// Plans notifications from the batches `ingest` stores, in its transaction (see `follow(with:)`).
    let ingestFollower = Mutex<(any IngestFollower)?>(nil)
    /// Series ids ingest has seen committed.
    let seriesCache = SeriesCache()
    /// Live messages to and from the other nodes on this database.
    let nodes: NodeLink

    /// Connects (retrying while the server is not reachable, up to `patience`), then runs pending migrations.
    public init(
        location: PostgresLocation, poolSize: Int = 20, clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "tentacle.postgres"), patience: Duration = .seconds(30)
    ) async throws {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password, database: location.database,
            tls: Self.tls(location.tls))
        configuration.options.maximumConnections = max(1, poolSize)
        configuration.options.connectTimeout = .seconds(5)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        var lockConfiguration = configuration
        lockConfiguration.options.maximumConnections = Self.lockConnections
        lockConfiguration.options.minimumConnections = 0
        let locks = PostgresClient(configuration: lockConfiguration, backgroundLogger: logger)
        self.client = client
        self.locks = locks
        self.nodes = NodeLink(client: client, locks: locks, logger: logger)
        // Each pool says it is running as `run()` begins; waiting for both to start keeps the
        // first query from finding a pool not yet started (postgres-nio warns of that).
        let (started, ready) = AsyncStream.makeStream(of: Void.self)
        self.runner = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { ready.yield(); await client.run() }
                group.addTask { ready.yield(); await locks.run() }
            }
        }
        self.clock = clock
        self.logger = logger
        self.location = location
        var count = 0
        for await _ in started {
            count += 1
            if count == 2 { break }
        }
        do {
            try await Self.waitForServer(client, location: location, logger: logger, patience: patience)
            try await migrate()
        } catch {
            nodes.close()
            runner.cancel()
            throw error
        }
    }

    /// Stops the pool; queries after this fail.
    public func close() async {
        nodes.close()
        runner.cancel()
        _ = await runner.value
    }

    deinit {
        nodes.close()
        runner.cancel()
    }

    private static func tls(_ mode: PostgresLocation.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    /// `SELECT 1` until it answers: a database that is still starting is waited for, one that
    /// refuses the login or does not exist fails at once with the server's reason.
    private static func waitForServer(_ client: PostgresClient, location: PostgresLocation, logger: Logger, patience: Duration) async throws {
        let deadline = ContinuousClock.now + patience
        var delay = Duration.milliseconds(200)
        while true {
            do {
                try await client.query("SELECT 1")
                return
            } catch let error as PSQLError where error.serverInfo != nil {
                let reason = error.serverInfo?[.message] ?? "\(error.code)"
                throw StoreError(.invalidReference, field: "database", "PostgreSQL at \(location) refused: \(reason)")
            } catch {
                if ContinuousClock.now + delay > deadline {
                    throw StoreError(.invalidReference, field: "database", "PostgreSQL at \(location) is not reachable: \(Self.reason(error))")
                }
                logger.warning("PostgreSQL at \(location) is not reachable yet (\(Self.reason(error))); retrying in \(delay)")
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    static func reason(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            if let underlying = e.underlying { return "\(underlying)" }
            return "\(e.code)"
        }
        return "\(error)"
    }

    // MARK: - Reads and writes

    /// Runs `body` on a pooled connection outside a transaction.
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await Self.leased(client, within: leaseWait) { connection in try await body(connection) }
        } catch {
            throw Self.translate(error)
        }
    }

    /// Runs `body` in one transaction, translating constraint failures into `StoreError`;
    /// it has committed when this returns.
    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await Self.leased(client, within: leaseWait) { connection in
                try await connection.withTransaction(logger: logger) { tx in try await body(tx) }
            }
        } catch {
            throw Self.translate(error)
        }
    }

    /// How long a call waits for a pooled connection before it is told the database is
    /// unavailable. The pool itself keeps requests waiting while it cannot connect (until its
    /// circuit breaker trips, a minute later), which would hold HTTP requests open that long.
    var leaseWait: Duration { .seconds(5) }

    /// `pool.withConnection`, failing with `.unavailable` when no connection is handed over
    /// within `wait`. Only the wait for a connection is bounded: once `body` has a connection it
    /// runs to its end, so a transaction is never cut off between its COMMIT and the answer.
    static func leased<T: Sendable>(
        _ pool: PostgresClient, within wait: Duration, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        return try await withoutActuallyEscaping(body) { body in
            // The task group is joined before this returns, so `body` never outlives this call.
            let work = UncheckedSendable(body)
            let turn = LeaseTurn()
            return try await withThrowingTaskGroup(of: LeaseOutcome<T>.self) { group in
                group.addTask {
                    .done(try await pool.withConnection { connection in
                        guard turn.take(.leased) else { throw LeaseTimedOut() }
                        return try await work.value(connection)
                    })
                }
                group.addTask {
                    try await Task.sleep(for: wait)
                    if turn.take(.timedOut) { throw LeaseTimedOut() }
                    return .leased
                }
                defer { group.cancelAll() }
                while let outcome = try await group.next() {
                    if case .done(let value) = outcome { return value }
                }
                throw LeaseTimedOut()
            }
        }
    }

    /// The `StoreError` a failure means, or the failure itself.
    static func translate(_ error: any Error) -> any Error {
        if error is LeaseTimedOut {
            return StoreError(.unavailable, "the database is not reachable now (no connection within 5 s); try again shortly")
        }
        // The pool's own error type lives in a module postgres-nio does not export; it reaches us
        // when the pool has failed to connect for a while (its circuit breaker tripped).
        if String(describing: type(of: error)) == "ConnectionPoolError" {
            return StoreError(.unavailable, "the database is not reachable now (\(error)); try again shortly")
        }
        if let e = error as? PostgresTransactionError {
            return translate(e.closureError ?? e.commitError ?? e.beginError ?? e.rollbackError ?? error)
        }
        guard let e = error as? PSQLError else { return error }
        guard let state = e.serverInfo?[.sqlState] else {
            switch e.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed, .sslUnsupported:
                return StoreError(.unavailable, "the database is not reachable now (\(reason(e))); try again shortly")
            default:
                return error
            }
        }
        // Class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect now).
        if state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state) {
            return StoreError(.unavailable, "the database is not reachable now (\(reason(e))); try again shortly")
        }
        switch state {
        case "23505": return StoreError(.conflict, "an object with this identifier already exists")
        case "23503": return StoreError(.conflict, "the object is still referenced by other objects")
        default: return error
        }
    }

    /// Whether `error` is PostgreSQL's unique violation (for callers that turn it into a specific message).
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }

    /// Writes one audit row inside the caller's transaction.
    func append(_ event: AuditEvent, _ connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO audit_log (time, actor, action, object_type, object_id, summary)
            VALUES (\(clock()), \(event.actor), \(event.action), \(event.objectType), \(event.objectId), \(event.summary))
            """, logger: logger)
    }

    /// A value as the JSON text kept in a column (`StoredJSON`, as SQLite keeps it).
    static func json(_ value: some Encodable) throws -> String { try StoredJSON.text(value) }

    static func decode<T: Decodable>(_ type: T.Type, json text: String) throws -> T { try StoredJSON.value(type, from: text) }

    // MARK: - Migrations

    /// Runs the migrations not yet applied, in order, each in its own transaction, under an
    /// advisory lock so nodes starting together migrate once.
    func migrate() async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: logger)
            do {
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", logger: logger)
                var applied = Set<String>()
                for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                    applied.insert(name)
                }
                for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
                    try await connection.withTransaction(logger: logger) { tx in
                        for statement in migration.statements {
                            try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await migration.then?(tx, logger)
                        try await tx.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
                    }
                    logger.info("PostgreSQL migration \(migration.name) applied")
                }
                try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
                throw error
            }
        }
    }

    /// Jobs this node can run at once (each holds one lock connection), and one more connection
    /// that listens for the other nodes' messages; more jobs wait their turn.
    static let lockConnections = 9

    /// Advisory lock keys; each background job that must run on one node at a time has its own.
    static let migrationLock: Int64 = 0x7465_6e74_0001
}

/// What a leased call's child tasks report: the call's value, or that the connection came in time.
enum LeaseOutcome<T: Sendable>: Sendable {
    case done(T)
    case leased
}

/// A wait for a pooled connection that ran out of time.
struct LeaseTimedOut: Error {}

/// Who got there first: the connection (`leased`) or the deadline (`timedOut`); decided once.
final class LeaseTurn: Sendable {
    enum Winner: UInt8 {
        case leased = 1, timedOut = 2
    }

    private let winner = Mutex<Winner?>(nil)

    /// True when `claimant` is the first to claim the turn.
    func take(_ claimant: Winner) -> Bool {
        winner.withLock { current in
            guard current == nil else { return false }
            current = claimant
            return true
        }
    }
}

/// A value handed to a child task of a group that the caller joins before the value's scope ends.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// One migration: its name (never reused) and its SQL statements, run in one transaction.
struct PostgresMigration: Sendable {
    var name: String
    var statements: [String]
    /// Work after the statements, in the same transaction, for what SQL alone cannot do well
    /// (repacking rows in the store's own binary formats).
    var then: (@Sendable (PostgresConnection, Logger) async throws -> Void)? = nil
}

extension PostgresStore {
    /// A connection to a server's maintenance database, for creating and dropping databases
    /// (tests give each run its own; `tentacle` never drops one).
    public struct Admin: Sendable {
        let client: PostgresClient
        let runner: Task<Void, Never>

        public init(_ server: PostgresLocation) async throws {
            var configuration = PostgresClient.Configuration(
                host: server.host, port: server.port, username: server.user, password: server.password, database: server.database, tls: .disable)
            configuration.options.maximumConnections = 1
            let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "tentacle.postgres.admin"))
            self.client = client
            let (started, ready) = AsyncStream.makeStream(of: Void.self)
            runner = Task { ready.yield(); await client.run() }
            for await _ in started { break }
        }

        /// Creates `name` unless it exists; `name` must be a plain identifier.
        public func createDatabase(_ name: String) async throws {
            precondition(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            let exists = try await client.query("SELECT 1 FROM pg_database WHERE datname = \(name)").decode(Int.self).reduce(0) { $0 + $1 } > 0
            if !exists { try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)")) }
        }

        public func dropDatabase(_ name: String) async throws {
            precondition(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        }

        public func close() async {
            runner.cancel()
            _ = await runner.value
        }
    }
}
