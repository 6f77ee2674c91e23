#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// NGSI-LD against the real `tentacle serve` process: a client library written by others, and
/// subscription notifications across a receiver outage and a SIGKILL of the server.
extension HeavyServerTests {
@Suite("NGSI-LD against a live server", .serialized)
struct NGSIProcessTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("NGSIClient")

    /// Tests/NGSIClient/ngsi_client_test.py drives Orange's ngsildclient (PyPI) against the server:
    /// entities by type, a geo-query, a temporal series, a subscription and its notification.
    @Test(.timeLimit(.minutes(3))) func ngsildclientReadsTentacle() async throws {
        let probe = try await PythonScript.run(["-c", "import ngsildclient"], limit: .seconds(30))
        try #require(probe.status == 0, "ngsildclient is missing (python3 -m pip install ngsildclient==0.5.2): \(probe.output)")
        let folder = try Self.folder("ngsi-client")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try ServerProcess(executable: try ServerProcess.executable(), data: folder.appendingPathComponent("data"), log: folder.appendingPathComponent("server.log"))
        defer { server.sigkill() }
        let (host, port) = try await server.address()
        let result = try await PythonScript.run(
            [Self.scripts.appendingPathComponent("ngsi_client_test.py").path, "--url", "http://\(host):\(port)", "--password", ServerProcess.password],
            limit: .seconds(120))
        #expect(result.status == 0, "the ngsildclient checks failed:\n\(result.output)\nserver log:\n\(server.logText)")
        #expect(result.output.contains("all NGSI-LD client checks passed"), "\(result.output)")
    }

    /// Readings while the receiver is up, while it is down, across a SIGKILL of the server, and
    /// after a restart: once the receiver is back every change arrives exactly once, in order, and
    /// the subscription's delivery record survived the kill.
    @Test(.timeLimit(.minutes(4))) func notificationsSurviveAnOutageAndASIGKILLExactlyOnceInOrder() async throws {
        let folder = try Self.folder("ngsi-reliability")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        let received = folder.appendingPathComponent("notifications.jsonl")
        var receiver = try Receiver(folder: folder, port: 0, out: received)
        defer { receiver.stop() }
        let receiverPort = try await receiver.port()

        let first = try ServerProcess(executable: try ServerProcess.executable(), data: data, log: folder.appendingPathComponent("first.log"))
        defer { first.sigkill() }
        var api = try await Session(first)
        try await api.expect(.created, .post, "/v1/districts", #"{"code": "centre", "name": "Centre"}"#)
        try await api.expect(.created, .post, "/v1/sensors", #"{"id": "aq-1", "kind": "air-quality", "metrics": ["pm25"], "poleId": "P-1", "lat": 52.52, "lon": 13.40, "district": "centre"}"#)
        let subscription = "urn:ngsi-ld:Subscription:reliability"
        try await api.expect(.created, .post, "/ngsi-ld/v1/subscriptions", #"""
            {"id": "\#(subscription)", "type": "Subscription", "entities": [{"type": "AirQualityObserved"}], "watchedAttributes": ["pm25"],
             "notification": {"format": "keyValues", "endpoint": {"uri": "http://127.0.0.1:\#(receiverPort)/notify"}}}
            """#)

        // One batch per value, a minute apart, each a new latest pm25.
        let start = Int(Date().timeIntervalSince1970 / 60) * 60 - 3600
        func post(_ n: Int) async throws {
            let time = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(start + 60 * n)))
            try await api.expect(.created, .post, "/v1/readings", #"{"source": "aq-1", "sequence": \#(n), "readings": [{"metric": "pm25", "time": "\#(time)", "value": \#(n)}]}"#)
        }
        for n in 1...3 { try await post(n) }
        try await Self.wait("the first three notifications", within: .seconds(20)) { try Self.values(received).count == 3 }

        // The receiver goes away; the changes meanwhile are queued and retried.
        receiver.stop()
        for n in 4...6 { try await post(n) }
        try await Self.wait("two failed deliveries with the three changes queued", within: .seconds(20)) {
            let status = try await api.subscriptionStatus(subscription)
            return status["timesFailed"] as? Int ?? 0 >= 2 && status["queued"] as? Int == 3
        }
        first.sigkill()

        let second = try ServerProcess(executable: try ServerProcess.executable(), data: data, log: folder.appendingPathComponent("second.log"))
        defer { second.sigkill() }
        api = try await Session(second)
        for n in 7...9 { try await post(n) }
        receiver = try Receiver(folder: folder, port: receiverPort, out: received)
        _ = try await receiver.port()
        // The backoff doubles from 1 s; after a few seconds' outage the next try is at most a few seconds later.
        try await Self.wait("all nine notifications", within: .seconds(90)) { try Self.values(received).count >= 9 }
        try await Task.sleep(for: .seconds(2))  // a duplicate would be here by now

        #expect(try Self.values(received) == Array(1...9).map(Double.init), "every change exactly once and in order")
        let status = try await api.subscriptionStatus(subscription)
        #expect(status["queued"] as? Int == 0, "\(status)")
        #expect(status["timesSent"] as? Int ?? 0 >= 10, "attempts, failed ones included, survive the kill: \(status)")
        #expect(status["timesFailed"] as? Int ?? 0 >= 1 && status["lastFailure"] != nil && status["lastSuccess"] != nil, "\(status)")
        #expect(status["status"] as? String == "ok", "\(status)")
    }

    // MARK: - Helpers

    static func folder(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The pm25 values the receiver stored, in arrival order.
    static func values(_ file: URL) throws -> [Double] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").flatMap { line -> [Double] in
            let notification = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let entities = try #require(notification["data"] as? [[String: Any]])
            return entities.compactMap { $0["pm25"] as? Double }
        }
    }

    static func wait(_ what: String, within limit: Duration, until condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(what) did not happen within \(limit)")
        throw CancellationError()
    }

    /// Signed in as the first admin with a session cookie, which outlives a restart.
    struct Session {
        let host: String
        let port: Int
        let cookie: String

        init(_ server: ServerProcess) async throws {
            (host, port) = try await server.address()
            let login = try await TestClient.withClient(host: host, port: port) { client in
                try await client.execute(
                    .init("/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                          body: ByteBuffer(string: #"{"username": "admin", "password": "\#(ServerProcess.password)"}"#)))
            }
            cookie = try #require(login.headers[.setCookie]?.split(separator: ";").first.map(String.init), "login answered \(login.status)")
        }

        func send(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil) async throws -> (HTTPResponse.Status, String) {
            try await TestClient.withClient(host: host, port: port) { client in
                let r = try await client.execute(
                    .init(uri, method: method, headers: [.contentType: "application/json", .cookie: cookie], body: body.map { ByteBuffer(string: $0) }))
                return (r.status, r.body.map { String(buffer: $0) } ?? "")
            }
        }

        func expect(_ status: HTTPResponse.Status, _ method: HTTPRequest.Method, _ uri: String, _ body: String) async throws {
            let (answered, text) = try await send(method, uri, body)
            try #require(answered == status, "\(method) \(uri) answered \(answered): \(text)")
        }

        /// The subscription's `notification` member, where NGSI-LD keeps the delivery record.
        func subscriptionStatus(_ id: String) async throws -> [String: Any] {
            let (status, text) = try await send(.get, "/ngsi-ld/v1/subscriptions/\(id)")
            try #require(status == .ok, "GET subscription answered \(status): \(text)")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            return try #require(body["notification"] as? [String: Any])
        }
    }

    /// Tests/NGSIClient/notification_receiver.py as a child process that can be stopped and started again on its port.
    struct Receiver {
        let process = Process()
        let ready: URL

        init(folder: URL, port: Int, out: URL) throws {
            ready = folder.appendingPathComponent("receiver-port-\(UUID().uuidString)")
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", NGSIProcessTests.scripts.appendingPathComponent("notification_receiver.py").path, "--port", String(port), "--out", out.path, "--ready", ready.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        func port() async throws -> Int {
            var port: Int?
            try await NGSIProcessTests.wait("the receiver listening", within: .seconds(20)) {
                port = (try? String(contentsOf: ready, encoding: .utf8)).flatMap { Int($0) }
                return port != nil
            }
            return port!
        }

        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(10_000) }
        }
    }
}
}

/// `python3` from PATH with its output in a file, waited on without blocking a thread.
enum PythonScript {
    struct Result {
        var status: Int32
        var output: String
    }

    static func run(_ arguments: [String], limit: Duration) async throws -> Result {
        let transcript = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-python-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: transcript.path, contents: nil) else { throw LaunchError("cannot create \(transcript.path)") }
        defer { try? FileManager.default.removeItem(at: transcript) }
        let output = try FileHandle(forWritingTo: transcript)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let text = (try? String(contentsOf: transcript, encoding: .utf8)) ?? ""
        guard !process.isRunning else { throw LaunchError("python3 \(arguments.first ?? "") did not finish within \(limit):\n\(text)") }
        return Result(status: process.terminationStatus, output: text)
    }
}
