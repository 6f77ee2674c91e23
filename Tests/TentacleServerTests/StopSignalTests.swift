import Foundation
import Testing

/// An operator stops the server (systemd sends SIGTERM; Ctrl-C in a terminal is SIGINT): it
/// shuts down cleanly and says so with exit status 0, not an error.
extension HeavyServerTests {
@Suite("Server stopped by a signal")
struct StopSignalTests {
    @Test(.timeLimit(.minutes(1)), arguments: [(false, SIGTERM), (false, SIGINT), (true, SIGINT)])
    func aStopSignalEndsTheServerWithStatusZero(demo: Bool, signal: Int32) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-stop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try ServerProcess(
            executable: try ServerProcess.executable(), data: folder.appendingPathComponent("data"), log: folder.appendingPathComponent("server.log"),
            demo: demo)
        defer { server.sigkill() }
        _ = try await server.address()
        // Let the background services start their first rounds.
        try await Task.sleep(for: .seconds(1))
        kill(server.pid, signal)
        let status = try await server.exitStatus(within: .seconds(30))
        #expect(status == 0, "stderr: \(server.logText.suffix(2000))")
        #expect(!server.logText.contains("Error:"), "stderr: \(server.logText.suffix(2000))")
    }
}
}
