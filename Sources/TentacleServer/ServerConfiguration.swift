public import Foundation
public import Logging
public import TentacleCore
public import TentacleStore

/// Everything `tentacle serve` can be told; the defaults run a local server.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Folder for the SQLite file and other server data; created on first start.
    public var dataDirectory: String = "./tentacle-data"
    /// `sqlite:PATH`, `sqlite://PATH`, a plain file path, or `postgres://user:password@host:port/database`;
    /// nil means `<data>/tentacle.sqlite`.
    public var databaseURL: String?
    /// Connections each server node keeps to PostgreSQL at most.
    public var databasePoolSize: Int = 20
    /// The largest request body accepted, in bytes (413 above it).
    public var maxBodyBytes: Int = 1 << 20
    /// The largest bulk import file accepted (CSV or GeoJSON), in bytes.
    public var maxImportBytes: Int = 32 << 20
    /// The largest body of readings accepted on `POST /v1/readings` and `POST /v1/write`, in bytes.
    public var maxIngestBytes: Int = 16 << 20
    /// The largest CAP document accepted on `POST /v1/alerts`, in bytes: real warnings exceed 1 MiB.
    public var maxAlertBytes: Int = 8 << 20
    /// Seconds a warning feed (or a CAP document it links to) may take to answer.
    public var feedTimeoutSeconds: TimeInterval = 15
    /// How long each tier of readings is kept.
    public var retention: RetentionPolicy = .standard
    /// How often the retention job deletes expired readings.
    public var retentionInterval: TimeInterval = 3600
    /// The largest PNG asset accepted, in bytes.
    public var maxAssetBytes: Int = 8 << 20
    /// How long an uploaded asset may stay unreferenced before it is collected.
    public var assetGracePeriod: TimeInterval = 24 * 3600
    /// bcrypt cost for new password hashes (each step doubles the work).
    public var bcryptCost: UInt8 = 12
    /// The first admin's password on an empty database; random when nil.
    public var initialAdminPassword: String?
    /// Failed logins allowed per username within `loginWindow` before 429.
    public var loginFailureLimit: Int = 5
    /// Failed logins allowed per client address within `loginWindow`, over all usernames, before 429.
    public var loginAddressFailureLimit: Int = 20
    public var loginWindow: TimeInterval = 15 * 60
    /// Lifetime of a dashboard session cookie.
    public var sessionLifetime: TimeInterval = 12 * 3600
    /// Marks the session cookie `Secure` (sent over https only); for servers reached over TLS.
    public var secureCookies = false
    public var logLevel: Logger.Level = .info
    /// Seconds between the server's pings on each display channel; three missed ones close it.
    public var heartbeatSeconds: Int = 20

    public init() {}

    /// The PostgreSQL database this configuration selects, or nil for SQLite.
    public func postgresLocation() throws(ConfigurationError) -> PostgresLocation? {
        guard let url = databaseURL, url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else { return nil }
        do {
            return try PostgresLocation(url: url)
        } catch {
            throw ConfigurationError(error.message)
        }
    }

    /// The SQLite file path this configuration selects.
    public func sqlitePath() throws(ConfigurationError) -> String {
        guard let url = databaseURL, !url.isEmpty else {
            return (dataDirectory as NSString).appendingPathComponent("tentacle.sqlite")
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            throw ConfigurationError("--database: '\(url.prefix(11))…' is a PostgreSQL URL, not a SQLite file")
        }
        for prefix in ["sqlite://", "sqlite:"] where url.hasPrefix(prefix) {
            let path = String(url.dropFirst(prefix.count))
            guard !path.isEmpty else { throw ConfigurationError("--database: '\(url)' names no file") }
            return path
        }
        if url.contains("://") {
            throw ConfigurationError("--database: unknown scheme in '\(url)'; use sqlite:PATH or a file path")
        }
        return url
    }
}

/// A setting that cannot work, named so the user can fix it.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
