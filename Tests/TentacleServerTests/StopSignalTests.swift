import Foundation
import Testing

/// An operator stops the server (systemd sends SIGTERM; Ctrl-C in a terminal is SIGINT): it
/// shuts down cleanly, logs no failure for the work it stopped, and exits with status 0.
extension HeavyServerTests {
@Suite("Server stopped by a signal")
struct StopSignalTests {
    @Test(.timeLimit(.minutes(1)), arguments: [(false, SIGTERM), (false, SIGINT), (true, SIGINT)])
    func aStopSignalEndsTheServerWithStatusZero(demo: Bool, signal: Int32) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-stop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.stop(data: folder.appendingPathComponent("data"), log: folder.appendingPathComponent("server.log"), demo: demo, signal: signal)
    }

    @Test(.enabled(if: PostgresServerTests.server != nil), .timeLimit(.minutes(1)))
    func aNodeOnPostgreSQLStopsTheSameWay() async throws {
        try await PostgresServerTests.withDatabase("stop") { url, folder in
            try await Self.stop(
                data: folder.appendingPathComponent("data"), log: folder.appendingPathComponent("node.log"), signal: SIGTERM, extra: ["--database", url])
        }
    }

    static func stop(data: URL, log: URL, demo: Bool = false, signal: Int32, extra: [String] = []) async throws {
        let server = try ServerProcess(executable: try ServerProcess.executable(), data: data, log: log, demo: demo, extra: extra)
        defer { server.sigkill() }
        _ = try await server.address()
        // Let the background jobs start their first rounds, so the signal finds them at work.
        try await Task.sleep(for: .seconds(1))
        kill(server.pid, signal)
        let status = try await server.exitStatus(within: .seconds(30))
        let logged = server.logText
        #expect(status == 0, "stderr: \(logged.suffix(2000))")
        #expect(!logged.contains("Error:"), "stderr: \(logged.suffix(2000))")
        #expect(!logged.contains(" error "), "a stop is not a failure: \(logged.suffix(2000))")
    }
}
}
