#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TentacleStore
import Testing

/// `tentacle serve --database postgres://…` as a real process: nodes sharing one database, a
/// SIGKILL, a database that goes away and comes back, and URLs that are wrong. The PostgreSQL
/// tests run when `TENTACLE_TEST_POSTGRES_URL` names a server (`.ci/run` starts one).
extension HeavyServerTests {
@Suite("Server on PostgreSQL", .serialized)
struct PostgresServerTests {
    static let server = ProcessInfo.processInfo.environment["TENTACLE_TEST_POSTGRES_URL"].flatMap { try? PostgresLocation(url: $0) }
    static let gate = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("PostgresGate/tcp_gate.py")

    /// Two nodes on one database see each other's changes; a node killed with SIGKILL loses
    /// nothing it acknowledged, and the other node keeps serving meanwhile.
    @Test(.enabled(if: server != nil), .timeLimit(.minutes(2)))
    func twoNodesShareOneDatabaseAndASIGKILLLosesNothingAcknowledged() async throws {
        try await Self.withDatabase("nodes") { url, folder in
            let a = try ServerProcess(executable: try ServerProcess.executable(), data: folder.appendingPathComponent("a"),
                                      log: folder.appendingPathComponent("a.log"), extra: ["--database", url, "--database-pool", "4"])
            defer { a.sigkill() }
            let onA = try await NGSIProcessTests.Session(a)
            try await onA.expect(.created, .post, "/v1/districts", #"{"code": "central", "name": "Central"}"#)
            try await onA.expect(.created, .post, "/v1/displays", Self.display("from-a"))

            // Node B starts on the same database: the first admin exists, so B makes none.
            let b = try ServerProcess(executable: try ServerProcess.executable(), data: folder.appendingPathComponent("b"),
                                      log: folder.appendingPathComponent("b.log"), extra: ["--database", url, "--database-pool", "4"])
            defer { b.sigkill() }
            let onB = try await NGSIProcessTests.Session(b)
            let (seen, body) = try await onB.send(.get, "/v1/displays/from-a")
            #expect(seen == .ok && body.contains(#""name":"Display from-a""#), "node B sees node A's display: \(seen) \(body)")

            a.sigkill()
            try await onB.expect(.created, .post, "/v1/displays", Self.display("from-b"))
            let again = try ServerProcess(executable: try ServerProcess.executable(), data: folder.appendingPathComponent("a"),
                                          log: folder.appendingPathComponent("a2.log"), extra: ["--database", url])
            defer { again.sigkill() }
            let onA2 = try await NGSIProcessTests.Session(again)
            let (status, list) = try await onA2.send(.get, "/v1/displays")
            #expect(status == .ok)
            #expect(list.contains(#""id":"from-a""#) && list.contains(#""id":"from-b""#), "both displays after the kill: \(list)")
            #expect(!again.logText.contains("migration"), "a restarted node finds the schema migrated: \(again.logText)")
        }
    }

    /// The database goes away under a running node: requests answer 503 with Retry-After and
    /// change nothing, the process stays up, and once the database is back it serves again.
    @Test(.enabled(if: server != nil), .timeLimit(.minutes(2)))
    func aDatabaseThatGoesAwayAnswers503AndTheNodeRecovers() async throws {
        let server = try #require(Self.server)
        try await Self.withDatabase("outage") { _, folder in
            let gate = try Gate(to: server, folder: folder)
            defer { gate.stop() }
            let port = try await gate.port()
            let database = try Self.databaseName(folder)
            let url = "postgres://\(server.user):\(server.password ?? "")@127.0.0.1:\(port)/\(database)?sslmode=disable"
            let node = try ServerProcess(executable: try ServerProcess.executable(), data: folder.appendingPathComponent("data"),
                                         log: folder.appendingPathComponent("node.log"), extra: ["--database", url, "--database-pool", "4"])
            defer { node.sigkill() }
            let api = try await NGSIProcessTests.Session(node)
            try await api.expect(.created, .post, "/v1/districts", #"{"code": "central", "name": "Central"}"#)
            try await api.expect(.created, .post, "/v1/displays", Self.display("before"))

            gate.cut()
            try await NGSIProcessTests.wait("the gate closing", within: .seconds(10)) { gate.output.contains("gate closed") }
            let (down, body) = try await api.send(.post, "/v1/displays", Self.display("during"))
            #expect(down == .serviceUnavailable, "a write while the database is away: \(down) \(body)")
            #expect(body.contains("database"), "the error says what is wrong: \(body)")
            let retry = try await TestClient.withClient(host: api.host, port: api.port) { client in
                try await client.execute(.init("/v1/displays", method: .get, headers: [.cookie: api.cookie]))
            }
            #expect(retry.status == .serviceUnavailable)
            #expect(retry.headers[.retryAfter] == "5", "503 says when to try again")
            #expect(try await node.exitStatus(within: .milliseconds(100)) == nil, "the node stays up while the database is away")

            gate.open()
            try await NGSIProcessTests.wait("the node serving again", within: .seconds(30)) {
                (try? await api.send(.get, "/v1/displays").0) == .ok
            }
            let (status, list) = try await api.send(.get, "/v1/displays")
            #expect(status == .ok)
            #expect(list.contains(#""id":"before""#), "\(list)")
            #expect(!list.contains(#""id":"during""#), "the refused write changed nothing: \(list)")
            try await api.expect(.created, .post, "/v1/displays", Self.display("after"))
            #expect(!node.logText.contains("password"), "the log never carries the password")
        }
    }

    /// A wrong URL stops `serve` at once with a message naming what is wrong, never the password.
    @Test(.timeLimit(.minutes(1)), arguments: [
        ("postgres://tentacle:s3cret@127.0.0.1:5432/", "names no database"),
        ("postgres://:s3cret@127.0.0.1/tentacle", "names no user"),
        ("postgres://tentacle:s3cret@127.0.0.1:5432/tentacle?sslmode=sometimes", "sslmode must be"),
        ("postgres://tentacle:s3cret@127.0.0.1:5432/tentacle?pool=9", "unknown parameter 'pool'"),
    ])
    func aWrongURLStopsServeWithAClearMessage(url: String, message: String) async throws {
        let folder = try NGSIProcessTests.folder("pg-url")
        defer { try? FileManager.default.removeItem(at: folder) }
        let node = try ServerProcess(executable: try ServerProcess.executable(), data: folder.appendingPathComponent("data"),
                                     log: folder.appendingPathComponent("node.log"), extra: ["--database", url])
        defer { node.sigkill() }
        let status = try await node.exitStatus(within: .seconds(20))
        #expect(status != nil && status != 0, "serve exits with an error")
        #expect(node.logText.contains(message), "\(node.logText)")
        #expect(!node.logText.contains("s3cret"), "the password is never echoed: \(node.logText)")
    }

    // MARK: - Helpers

    static func display(_ id: String) -> String {
        #"{"id": "\#(id)", "name": "Display \#(id)", "width": 96, "height": 48, "lat": 0, "lon": 0, "district": "central", "timezone": "UTC"}"#
    }

    static func databaseName(_ folder: URL) throws -> String {
        "tentacle_test_" + folder.lastPathComponent.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// A fresh database for `body` (and a folder for the nodes' data), dropped afterwards.
    static func withDatabase(_ name: String, _ body: (_ url: String, _ folder: URL) async throws -> Void) async throws {
        let server = try #require(Self.server)
        let folder = try NGSIProcessTests.folder("pg-\(name)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try databaseName(folder)
        let admin = try await PostgresStore.Admin(server)
        try await admin.createDatabase(database)
        do {
            let url = "postgres://\(server.user):\(server.password ?? "")@\(server.host):\(server.port)/\(database)?sslmode=disable"
            try await body(url, folder)
        } catch {
            try? await admin.dropDatabase(database)
            await admin.close()
            throw error
        }
        try? await admin.dropDatabase(database)
        await admin.close()
    }

    /// Tests/PostgresGate/tcp_gate.py: a TCP relay to the database that can be cut and opened again.
    final class Gate {
        let process = Process()
        let out: URL

        init(to server: PostgresLocation, folder: URL) throws {
            out = folder.appendingPathComponent("gate.out")
            guard FileManager.default.createFile(atPath: out.path, contents: nil) else { throw LaunchError("cannot create \(out.path)") }
            let handle = try FileHandle(forWritingTo: out)
            defer { try? handle.close() }
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", PostgresServerTests.gate.path, "--to", "\(server.host):\(server.port)", "--lifetime", "120"]
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        var output: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }

        func port() async throws -> Int {
            var port: Int?
            try await NGSIProcessTests.wait("the gate listening", within: .seconds(20)) {
                port = output.split(separator: "\n").first { $0.hasPrefix("gate ") && Int($0.dropFirst(5)) != nil }.flatMap { Int($0.dropFirst(5)) }
                return port != nil
            }
            return port!
        }

        func cut() { kill(process.processIdentifier, SIGUSR1) }
        func open() { kill(process.processIdentifier, SIGUSR2) }

        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && deadline > Date() { usleep(10_000) }
        }
    }
}
}
