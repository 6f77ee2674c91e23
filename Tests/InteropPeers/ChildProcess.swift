public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Child processes for tests, waited on with a deadline.
///
/// `Process.waitUntilExit()` and reading a pipe to its end can block a thread for good (a
/// grandchild may hold the pipe open; on Linux the exit may be noticed before the wait starts),
/// and a blocked thread is one of the few the whole test run shares. Here output goes to files
/// and waits poll, so the worst case is a failure after the deadline.
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `arguments` (the first is looked up on PATH) and returns its status and output, or
    /// kills it and throws once `limit` has passed.
    public static func run(_ arguments: [String], limit: Duration = .seconds(60)) throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = try outputFile(out)
        process.standardError = try outputFile(err)
        try process.run()
        let finished = waitForExit(process, limit: limit)
        let result = Result(
            status: finished ? process.terminationStatus : -1, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        guard finished else {
            reap(process)
            throw Failure(description: "\(arguments.first ?? "the process") did not finish within \(limit); stderr: \(result.stderr)")
        }
        return result
    }

    /// A file handle writing to a new file at `url`, for a child's output.
    public static func outputFile(_ url: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw Failure(description: "cannot create \(url.path)")
        }
        return try FileHandle(forWritingTo: url)
    }

    /// Polls until `process` has exited or `limit` passed; true if it exited.
    @discardableResult
    public static func waitForExit(_ process: Process, limit: Duration) -> Bool {
        let end = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < end { usleep(5_000) }
        return !process.isRunning
    }

    /// Ends `process`: SIGTERM, then SIGKILL if it is still there after `grace`.
    public static func reap(_ process: Process, grace: Duration = .seconds(2)) {
        guard process.isRunning else { return }
        process.terminate()
        if !waitForExit(process, limit: grace) {
            kill(process.processIdentifier, SIGKILL)
            waitForExit(process, limit: .seconds(5))
        }
    }
}
