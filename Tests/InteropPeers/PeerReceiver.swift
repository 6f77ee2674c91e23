import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A receiver others wrote (PyPI `sacn` 1.11, `stupidArtnet` 1.6), run by python3 on loopback;
/// shared by the renderer's packet interop tests and the agent's sink interop tests.
/// The script gets the seconds it may wait, the universes joined by commas, then `arguments`;
/// it prints "ready PORT", then one JSON report per line.
public final class PeerReceiver {
    /// The longest a whole exchange may take, from launch to the last report.
    public static let deadline = Duration.seconds(10)

    public let port: UInt16
    private let process = Process()
    /// The receiver's stderr, in a file rather than a pipe (see `ChildProcess`).
    private let errors = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-peer-\(UUID().uuidString).err")
    private var lines: LineReader
    private let end = ContinuousClock.now + deadline

    public init(script: String, universes: [Int], arguments: [String] = []) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, "8", universes.map(String.init).joined(separator: ",")] + arguments
        process.standardOutput = output
        process.standardError = try ChildProcess.outputFile(errors)
        do {
            try process.run()
        } catch {
            Issue.record("python3 could not be started (\(error)); install python3, then pip install sacn==1.11.0 stupidArtnet==1.6.0")
            throw error
        }
        var lines = LineReader(fd: output.fileHandleForReading.fileDescriptor)
        guard let ready = lines.next(until: end), ready.hasPrefix("ready "),
              let port = UInt16(ready.dropFirst("ready ".count)) else {
            throw Self.failure("the receiver never said it was ready", process, errors)
        }
        self.lines = lines
        self.port = port
    }

    deinit {
        ChildProcess.reap(process)
        try? FileManager.default.removeItem(at: errors)
    }

    /// The next report. Until it comes, `send(round)` runs every 50 ms (round 0, 1, ...), since
    /// UDP may drop any packet; pass nothing to only wait.
    public func report(sending send: (Int) throws -> Void = { _ in }) throws -> [String: Any] {
        var round = 0
        while ContinuousClock.now < end {
            try send(round)
            round += 1
            if let line = lines.next(until: min(end, .now + .milliseconds(50))) {
                guard let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw failure("the receiver's report is not JSON: \(line.prefix(200))")
                }
                return json
            }
            if lines.isClosed { break }
        }
        throw failure("no report from the receiver within \(Self.deadline)")
    }

    private func failure(_ what: String) -> any Error {
        Self.failure(what, process, errors)
    }

    /// Records what went wrong with the receiver's own words from stderr.
    private static func failure(_ what: String, _ process: Process, _ errors: URL) -> any Error {
        ChildProcess.reap(process)
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        Issue.record("\(what) (receiver exit \(process.terminationStatus)): \(stderr)")
        return CancellationError()
    }

    /// Listens with `stupidArtnet`'s server on an ephemeral port, one listener per
    /// net:sub-net:universe; prints "ready PORT", then one JSON line keyed by 15-bit port-address.
    public static let artNetScript = """
        import json, os, sys, threading, time
        try:
            from stupidArtnet import StupidArtnetServer
        except ImportError:
            sys.exit("the stupidArtnet package is not installed: pip install stupidArtnet==1.6.0")
        timeout, wanted = float(sys.argv[1]), sys.argv[3:]
        received, lock, complete = {}, threading.Lock(), threading.Event()
        server = StupidArtnetServer(port=0)
        def listener():
            def on_data(data, address):
                with lock:
                    received[str(address)] = bytes(data).hex()
                    if len(received) == len(wanted):
                        complete.set()
            return on_data
        for key in wanted:
            net, sub, universe = (int(part) for part in key.split(":"))
            server.register_listener(universe=universe, sub=sub, net=net, is_simplified=False,
                                     callback_function=listener())
        # The server binds on its own thread; wait until it holds a port.
        deadline = time.monotonic() + timeout
        while server.socket_server is None or server.socket_server.getsockname()[1] == 0:
            if time.monotonic() > deadline:
                sys.exit("stupidArtnet never bound its socket")
            time.sleep(0.01)
        print("ready", server.socket_server.getsockname()[1], flush=True)
        complete.wait(timeout)
        with lock:
            print(json.dumps({"universes": received}), flush=True)
        # Its receive thread blocks in recvfrom for good; leave without waiting for it.
        os._exit(0)
        """

    public static func bytes(hex: Any?) -> [UInt8]? {
        guard let hex = hex as? String, hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// Lines from a pipe, waiting with poll(2) so a silent child never hangs the test.
private struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var closed = false

    init(fd: Int32) {
        self.fd = fd
    }

    /// Whether the writer has gone; lines already read may still be waiting.
    var isClosed: Bool { closed }

    /// The next whole line, or nil once `deadline` passes or the pipe closes without one.
    mutating func next(until deadline: ContinuousClock.Instant) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let left = ContinuousClock.now.duration(to: deadline)
            guard !closed, left > .zero else { return nil }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&descriptor, 1, milliseconds) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 {
                closed = true
            } else {
                buffer += chunk.prefix(count)
            }
        }
    }
}
