#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// The dashboard in Debian's chromium through Selenium, against a real `tentacle demo` on loopback:
/// Tests/Browser/dashboard_test.py signs in, checks the map, a display, a command, content approval,
/// an alert's coverage, the districts and a refused cross-site request, and saves screenshots.
@Suite("Dashboard in a browser", .serialized)
struct DashboardBrowserTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Browser/dashboard_test.py")

    @Test(.timeLimit(.minutes(10))) func theDashboardWorksInChromium() async throws {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/python3"] {
            try #require(FileManager.default.isExecutableFile(atPath: tool), "\(tool) is missing: apt-get install chromium chromium-driver python3-selenium")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-dashboard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let screenshots = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-dashboard-screenshots")
        let server = try ServerProcess(
            executable: try ServerProcess.executable(), data: folder.appendingPathComponent("data"), log: folder.appendingPathComponent("server.log"),
            demo: true)
        defer {
            server.sigkill()
            try? FileManager.default.removeItem(at: folder)
        }
        let (host, port) = try await server.address()

        // The script's output goes to a file, not a pipe: chromium's helpers may outlive the script
        // and hold a pipe open. The wait sleeps instead of blocking, so the time limit can stop it.
        let transcript = folder.appendingPathComponent("browser.log")
        guard FileManager.default.createFile(atPath: transcript.path, contents: nil) else { throw LaunchError("cannot create \(transcript.path)") }
        let output = try FileHandle(forWritingTo: transcript)
        defer { try? output.close() }
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        browser.arguments = [Self.script.path, "--url", "http://\(host):\(port)", "--screenshots", screenshots.path]
        browser.standardOutput = output
        browser.standardError = output
        try browser.run()
        defer { if browser.isRunning { kill(browser.processIdentifier, SIGKILL) } }
        let deadline = ContinuousClock.now + .seconds(480)
        while browser.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        let text = (try? String(contentsOf: transcript, encoding: .utf8)) ?? ""
        try #require(!browser.isRunning, "the browser test did not finish within 480 s:\n\(text)")
        #expect(browser.terminationStatus == 0, "the browser test failed (screenshots in \(screenshots.path)):\n\(text)")
    }
}
