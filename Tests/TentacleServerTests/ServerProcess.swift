#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

struct LaunchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A `tentacle serve` child process on a free port.
final class ServerProcess {
    /// The first admin's password on every data folder these processes create.
    static let password = "kill-restart-password"

    /// The `tentacle` executable built beside this test bundle.
    static func executable() throws -> URL {
        var folders: [URL] = []
        // Linux runs the .xctest file itself; macOS loads the .xctest bundle into a runner.
        folders += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map { $0.bundleURL.deletingLastPathComponent() }
        if let first = CommandLine.arguments.first {
            let runner = URL(fileURLWithPath: first).resolvingSymlinksInPath()
            folders.append(runner.deletingLastPathComponent())
            if let bundle = runner.pathComponents.lastIndex(where: { $0.hasSuffix(".xctest") }) {
                folders.append(URL(fileURLWithPath: NSString.path(withComponents: Array(runner.pathComponents[..<bundle]))))
            }
        }
        folders.append(Bundle.main.bundleURL)
        for folder in folders {
            let candidate = folder.appendingPathComponent("tentacle")
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isFolder), !isFolder.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path)
            {
                return candidate
            }
        }
        let looked = Set(folders.map(\.path)).sorted().joined(separator: ", ")
        throw LaunchError("the tentacle executable is not next to the test bundle (looked in \(looked)); build it with `swift build --build-tests`")
    }

    let process = Process()
    let log: URL
    private let lines: AsyncStream<Data>

    /// `tentacle serve`, or with `demo` the seeded demo city with its simulated displays; `extra`
    /// arguments follow the defaults (a later option wins).
    init(executable: URL, data: URL, log: URL, demo: Bool = false, extra: [String] = []) throws {
        self.log = log
        process.executableURL = executable
        process.arguments = demo
            ? ["demo", "--port", "0", "--data", data.path, "--bcrypt-cost", "4"]
            : ["serve", "--port", "0", "--data", data.path, "--admin-password", Self.password, "--bcrypt-cost", "4"]
        process.arguments! += extra
        let stdout = Pipe()
        process.standardOutput = stdout
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw LaunchError("cannot create \(log.path)") }
        let stderr = try FileHandle(forWritingTo: log)
        defer { try? stderr.close() }
        process.standardError = stderr
        let (stream, continuation) = AsyncStream.makeStream(of: Data.self)
        lines = stream
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
            } else {
                continuation.yield(chunk)
            }
        }
        try process.run()
    }

    /// Waits for the `Tentacle http://HOST:PORT` line the server prints once it listens.
    func address(timeout: Duration = .seconds(20)) async throws -> (host: String, port: Int) {
        let lines = self.lines
        let log = self.log
        @Sendable func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        let url = try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                var text = ""
                for await chunk in lines {
                    text += String(decoding: chunk, as: UTF8.self)
                    // `serve` prints "Tentacle http://HOST:PORT", `demo` "Tentacle demo is running: open http://HOST:PORT/".
                    if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Tentacle http://") || $0.contains("is running: open http://") }),
                       let url = line.split(separator: " ").last(where: { $0.hasPrefix("http://") })
                    {
                        return String(url)
                    }
                }
                throw LaunchError("the server exited before listening; stdout: \(text) stderr: \(logText())")
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw LaunchError("the server did not report its address within \(timeout); stderr: \(logText())")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port else {
            throw LaunchError("cannot read the server address from '\(url)'")
        }
        return (host, port)
    }

    var pid: Int32 { process.processIdentifier }

    /// What the server wrote to stderr so far.
    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Waits for the process to end by itself; nil if it still runs after `limit`.
    func exitStatus(within limit: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Kills the process at once (SIGKILL), as a power cut or OOM kill would.
    func sigkill() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        // `waitUntilExit()` can block for good on Linux when the exit was noticed before it was
        // called, and a blocked test cannot be stopped by its time limit; poll instead.
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
    }
}
