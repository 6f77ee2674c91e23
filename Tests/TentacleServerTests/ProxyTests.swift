#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTypes
import Logging
import Synchronization
import TentacleAgent
import TentacleBench
import TentacleCore
import TentacleStore
import Testing

/// The city as docs/deploy.md sets it up: two `tentacle serve` nodes on one PostgreSQL database
/// behind Debian's nginx running deploy/nginx/tentacle.conf, a thousand real agents and HTTP
/// ingest clients going through the proxy, and one node killed with SIGKILL.
extension HeavyServerTests {
@Suite("Nodes behind nginx", .serialized)
struct ProxyTests {
    static let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let configuration = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/nginx/tentacle.conf")
    static let displays = 1000

    @Test(.enabled(if: PostgresServerTests.server != nil && nginx != nil), .timeLimit(.minutes(4)))
    func aThousandDisplaysOverTwoNodesLoseNothingWhenOneIsKilled() async throws {
        try await PostgresServerTests.withDatabase("proxy") { url, folder in
            let seeded = try await NodeEventsTests.seed(url: url, displays: Self.displays)
            // Every child process starts before the thousand channels open (see HeavyServerTests).
            let a = try ServerProcess(executable: try ServerProcess.executable(), data: folder.appendingPathComponent("a"),
                                      log: folder.appendingPathComponent("a.log"), extra: ["--database", url, "--database-pool", "8"])
            defer { a.sigkill() }
            let b = try ServerProcess(executable: try ServerProcess.executable(), data: folder.appendingPathComponent("b"),
                                      log: folder.appendingPathComponent("b.log"), extra: ["--database", url, "--database-pool", "8"])
            defer { b.sigkill() }
            let onA = try await NGSIProcessTests.Session(a), onB = try await NGSIProcessTests.Session(b)
            let proxy = try Proxy(folder: folder, nodes: [onA.port, onB.port])
            defer { proxy.stop() }
            try await NGSIProcessTests.wait("nginx answering", within: .seconds(20)) {
                (try? await LoopbackRequest.send(port: proxy.port, "GET", "/healthz", token: nil).status) == 200
            }

            // A thousand displays connect through the proxy, which spreads them over both nodes.
            let events = AgentEvents()
            let book = AgentLogBook()
            var agentLogger = Logger(label: "agents", factory: book.handler)
            agentLogger.logLevel = .debug
            let fleet = try NodeEventsTests.Fleet(
                servers: [-1: "http://127.0.0.1:\(proxy.port)"], seeded: seeded, events: events, logger: agentLogger)
            defer { fleet.stop() }
            try await NGSIProcessTests.wait("every display connected", within: .seconds(60)) { await fleet.connected() == Self.displays }
            let spread = (try await Self.channels(onA.port), try await Self.channels(onB.port))
            #expect(spread.0 + spread.1 == Self.displays && spread.0 > 0 && spread.1 > 0, "channels on A and B: \(spread)")

            // HTTP ingest through the proxy, from before the kill until after it.
            let ingest = Ingest(port: proxy.port, cookie: onA.cookie, sources: seeded.devices.prefix(4).map(\.id))
            let writing = ingest.start()

            // An alert posted on A is shown and acknowledged by every display, on both nodes.
            let posted = try await LoopbackRequest.send(
                port: onA.port, "POST", "/v1/alerts", token: seeded.alerterToken, body: Array(BenchAlertDocuments.alert("proxy-1").utf8),
                contentType: "application/cap+xml")
            #expect(posted.status == 201, "\(String(decoding: posted.body.prefix(300), as: UTF8.self))")
            try await NGSIProcessTests.wait("every display showing the alert", within: .seconds(30)) {
                events.displays { $0 == .alertShown("proxy-1") }.count == Self.displays
            }
            for session in [onA, onB] {
                try await NGSIProcessTests.wait("every acknowledgement seen from port \(session.port)", within: .seconds(20)) {
                    let (status, body) = try await session.send(.get, "/v1/alerts/proxy-1")
                    return status == .ok && body.contains(#""shown":\#(Self.displays)"#)
                }
            }

            // Node B dies; its displays come back through the proxy to A, and ingest goes on.
            let beforeKill = ingest.acknowledgedBatches
            #expect(ingest.refusal == nil, "\(ingest.refusal ?? "")")
            b.sigkill()
            try await NGSIProcessTests.wait("B's displays disconnected", within: .seconds(30)) { await fleet.connected() < Self.displays }
            let seen = Mutex((agents: 0, channels: 0))
            do {
                try await NGSIProcessTests.wait("every display back, on A", within: .seconds(90)) {
                    let now = (await fleet.connected(), try await Self.channels(onA.port))
                    seen.withLock { $0 = now }
                    return now == (Self.displays, Self.displays)
                }
            } catch {
                var stuck: [String] = []
                for (i, agent) in fleet.agents.enumerated() where await !agent.isConnected { stuck.append(seeded.devices[i].id) }
                let story = stuck.prefix(1).map { id in
                    "\(id):\n" + book.lines(of: id).joined(separator: "\n") + "\nA about it:\n"
                        + a.logText.split(separator: "\n").filter { $0.contains(id) }.suffix(10).joined(separator: "\n")
                }
                let channelLines = a.logText.split(separator: "\n").filter { $0.contains("channel") || $0.contains("error") }.suffix(15)
                let nginxLog = (try? String(contentsOf: folder.appendingPathComponent("nginx-error.log"), encoding: .utf8)) ?? ""
                let nginxLines: [Substring] = nginxLog.split(separator: "\n").filter { !$0.contains("readings") }.suffix(12)
                var report = "agents connected and channels on A at the end: \(seen.withLock { $0 }); not connected: "
                report += story.joined(separator: "\n\n")
                report += "\nA's channel lines:\n" + channelLines.joined(separator: "\n")
                report += "\nnginx:\n" + nginxLines.joined(separator: "\n")
                Issue.record(Comment(rawValue: report))
                throw error
            }
            try await NGSIProcessTests.wait("ingest going on after the kill", within: .seconds(30)) {
                ingest.acknowledgedBatches >= beforeKill + 20
            }
            ingest.stop()
            _ = await writing.value

            // Exactly what the clients were told was stored is stored: nothing lost, nothing twice.
            let acknowledged = ingest.acknowledgedReadings
            let stored = try await Self.storedReadings(url: url, sources: ingest.sources)
            #expect(acknowledged > 0)
            #expect(stored == acknowledged, "stored \(stored), acknowledged \(acknowledged), requests sent again \(ingest.retried)")
        }
    }

    // MARK: - Helpers

    /// The display channels a node holds, from its /metrics.
    static func channels(_ port: Int) async throws -> Int {
        let reply = try await LoopbackRequest.send(port: port, "GET", "/metrics", token: nil)
        let line = String(decoding: reply.body, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("tentacle_channel_open ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
    }

    static func storedReadings(url: String, sources: [String]) async throws -> Int {
        let store = try await PostgresStore(location: try PostgresLocation(url: url), poolSize: 2, logger: NodeEventsTests.quiet)
        defer { Task { await store.close() } }
        var count = 0
        for source in sources {
            var after: ReadingCursor?
            repeat {
                let page = try await store.rawReadings(source: source, metric: "pm25", from: 0, to: .max, after: after, limit: 10_000)
                count += page.readings.count
                after = page.next
            } while after != nil
        }
        return count
    }

    /// Debian's nginx on a free loopback port, running the repository's configuration with the
    /// nodes' ports put in; paths, logs and the pid file in the test's folder.
    final class Proxy {
        let process = Process()
        let port: Int

        init(folder: URL, nodes: [Int]) throws {
            port = try Self.freePort()
            var site = try String(contentsOf: ProxyTests.configuration, encoding: .utf8)
            // Both upstreams list the two example nodes; the test's nodes take their places.
            let servers = nodes.map { "    server 127.0.0.1:\($0) max_fails=1 fail_timeout=5s;\n" }.joined()
            var replaced = 0
            while let upstream = site.range(
                of: #"(?m)^\s*server 127\.0\.0\.1:8081[^\n]*\n\s*server 127\.0\.0\.1:8082[^\n]*\n"#, options: .regularExpression) {
                site.replaceSubrange(upstream, with: servers)
                replaced += 1
            }
            guard replaced == 2 else { throw LaunchError("deploy/nginx/tentacle.conf no longer lists the two example nodes in both upstreams") }
            site = site.replacingOccurrences(of: "listen 8080;", with: "listen 127.0.0.1:\(port);")
            try site.write(to: folder.appendingPathComponent("tentacle.conf"), atomically: true, encoding: .utf8)
            let temp = folder.appendingPathComponent("nginx-temp").path
            try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
            let main = """
                \(getuid() == 0 ? "user root;" : "")
                daemon off;
                worker_processes 1;
                worker_rlimit_nofile 16384;
                pid \(folder.path)/nginx.pid;
                error_log \(folder.path)/nginx-error.log warn;
                events { worker_connections 8192; }
                http {
                    access_log off;
                    client_body_temp_path \(temp)/body;
                    proxy_temp_path \(temp)/proxy;
                    fastcgi_temp_path \(temp)/fastcgi;
                    uwsgi_temp_path \(temp)/uwsgi;
                    scgi_temp_path \(temp)/scgi;
                    include \(folder.path)/tentacle.conf;
                }
                """
            let file = folder.appendingPathComponent("nginx.conf")
            try main.write(to: file, atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: try #require(ProxyTests.nginx))
            process.arguments = ["-p", folder.path, "-c", file.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        /// A port the kernel just handed out on loopback, released for nginx to take.
        static func freePort() throws -> Int {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw LaunchError("no socket") }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard bound else { throw LaunchError("cannot bind a loopback port") }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }

    /// Clients posting numbered batches of readings through the proxy, one source each. A batch
    /// counts once it is answered 201 (stored) or 200 (stored before); anything else, or no
    /// answer, sends the same batch again, as a gateway that keeps its readings until stored would.
    final class Ingest: Sendable {
        static let perBatch = 20
        let port: Int
        let cookie: String
        let sources: [String]
        private struct Counts {
            var batches = 0
            var readings = 0
            var retried = 0
            var stopped = false
            var refusal: String?
        }
        private let counts = Mutex(Counts())
        /// The readings' times start an hour ago, a tenth of a second apart.
        private let origin = Reading.milliseconds(Date()) - 3_600_000

        init(port: Int, cookie: String, sources: [String]) {
            self.port = port
            self.cookie = cookie
            self.sources = sources
        }

        var acknowledgedBatches: Int { counts.withLock { $0.batches } }
        var acknowledgedReadings: Int { counts.withLock { $0.readings } }
        var retried: Int { counts.withLock { $0.retried } }
        /// The last 422 answer, if any: a batch the test got wrong.
        var refusal: String? { counts.withLock { $0.refusal } }
        func stop() { counts.withLock { $0.stopped = true } }

        func start() -> Task<Void, Never> {
            Task {
                await withDiscardingTaskGroup { group in
                    for source in sources { group.addTask { await self.write(source) } }
                }
            }
        }

        private func write(_ source: String) async {
            var sequence = 1
            while !counts.withLock({ $0.stopped }) {
                let readings = (0..<Self.perBatch).map { i in
                    let time = origin + Int64((sequence * Self.perBatch + i) * 100)
                    return #"{"metric": "pm25", "time": "\#(ReadingTime.format(time) ?? "")", "value": \#(Double(i) + 0.5)}"#
                }
                let body = #"{"source": "\#(source)", "sequence": \#(sequence), "readings": [\#(readings.joined(separator: ","))]}"#
                let reply = try? await LoopbackRequest.send(port: port, "POST", "/v1/readings", token: nil, json: body, headers: ["Cookie": cookie])
                let status = reply?.status
                if let reply, reply.status == 422 { counts.withLock { $0.refusal = String(decoding: reply.body.prefix(400), as: UTF8.self) } }
                if status == 201 || status == 200 {
                    counts.withLock { c in
                        c.batches += 1
                        c.readings += Self.perBatch
                    }
                    sequence += 1
                } else {
                    counts.withLock { $0.retried += 1 }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
}

extension HeavyServerTests.NodeEventsTests.Fleet {
    /// How many agents hold a welcomed channel now.
    func connected() async -> Int {
        var count = 0
        for agent in agents where await agent.isConnected { count += 1 }
        return count
    }
}

/// Keeps the last lines each agent logged, for a failing test to show what one display went through.
final class AgentLogBook: Sendable {
    private let lines = Mutex<[String: [String]]>([:])

    func handler(label: String) -> any LogHandler { Handler(book: self) }

    func lines(of display: String) -> [String] { lines.withLock { $0[display] ?? [] } }

    fileprivate func add(_ display: String, _ line: String) {
        lines.withLock { all in
            all[display, default: []].append(line)
            if all[display]!.count > 30 { all[display]!.removeFirst() }
        }
    }

    struct Handler: LogHandler {
        let book: AgentLogBook
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let display = metadata["display"].map { "\($0)" } ?? "?"
            let extra = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            book.add(display, "\(Date()) \(event.level) \(event.message) \(extra)")
        }
    }
}
