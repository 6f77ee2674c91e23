import ArgumentParser
import Foundation
import Logging
import TentacleCore
import TentacleServer

/// Options shared by `serve` and `demo`.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (use 0.0.0.0 or :: to accept other machines).")
    var host: String = "127.0.0.1"

    @Option(help: "TCP port to listen on (0 picks a free port).")
    var port: Int = 8080

    @Option(name: .customLong("database"), help: "Database: a SQLite file path or sqlite:PATH (default <data>/tentacle.sqlite), or postgres://user:password@host:5432/database[?sslmode=disable|prefer|require].")
    var database: String?

    @Option(name: .customLong("database-pool"), help: "Connections to PostgreSQL this node keeps at most (1-1000).")
    var databasePool: Int = 20

    @Option(help: "Password for the first admin on an empty database (or set TENTACLE_ADMIN_PASSWORD); random and printed once when absent.")
    var adminPassword: String?

    @Option(help: "Largest accepted request body in bytes.")
    var maxBodyBytes: Int = 1 << 20

    @Option(help: "Largest accepted CAP alert document in bytes (real weather warnings reach 1.6 MB).")
    var maxAlertBytes: Int = 8 << 20

    @Option(help: "bcrypt cost for password hashes (4-31).")
    var bcryptCost: Int = 12

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Days to keep raw sensor readings.")
    var retentionRawDays: Double = 7

    @Option(help: "Days to keep 1-minute rollups.")
    var retentionMinuteDays: Double = 90

    @Option(help: "Days to keep 1-hour rollups (default: forever).")
    var retentionHourDays: Double?

    @Option(help: "Days to keep proof of play (what each display showed when).")
    var retentionPlaysDays: Double = 90

    @Option(help: "Seconds between the server's pings on each display channel (1-300); three missed pings close it.")
    var heartbeatSeconds: Int = 20

    @Flag(help: "Mark the session cookie Secure (sent over https only); use when the server is reached over TLS.")
    var secureCookies = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        guard (1024...(256 << 20)).contains(maxAlertBytes) else { throw ValidationError("--max-alert-bytes must be 1024...268435456") }
        guard (4...31).contains(bcryptCost) else { throw ValidationError("--bcrypt-cost must be 4...31") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a level") }
        guard (1...300).contains(heartbeatSeconds) else { throw ValidationError("--heartbeat-seconds must be 1...300") }
        guard (1...1000).contains(databasePool) else { throw ValidationError("--database-pool must be 1...1000") }
        do {
            _ = try retention.validated()
        } catch {
            throw ValidationError("retention: \(error.summary)")
        }
    }

    var retention: RetentionPolicy {
        RetentionPolicy(raw: retentionRawDays * 86_400, minute: retentionMinuteDays * 86_400, hour: retentionHourDays.map { $0 * 86_400 },
            plays: retentionPlaysDays * 86_400)
    }

    func configuration(dataDirectory: String) -> ServerConfiguration {
        var c = ServerConfiguration()
        c.host = host
        c.port = port
        c.dataDirectory = dataDirectory
        c.databaseURL = database
        c.databasePoolSize = databasePool
        c.maxBodyBytes = maxBodyBytes
        c.maxAlertBytes = maxAlertBytes
        c.bcryptCost = UInt8(bcryptCost)
        c.initialAdminPassword = adminPassword ?? ProcessInfo.processInfo.environment["TENTACLE_ADMIN_PASSWORD"]
        c.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        c.retention = retention
        c.heartbeatSeconds = heartbeatSeconds
        c.secureCookies = secureCookies
        return c
    }
}

/// Starts logging once per process: one line per event with key=value metadata on stderr.
func bootstrapLogging(level: Logger.Level) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    return Logger(label: "tentacle")
}

/// Prints a line to standard output at once, even when stdout is a pipe.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
