#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import TentacleCore
import Testing

/// The ingest acceptance test: batches streamed to the real `tentacle` executable while it is
/// killed with SIGKILL again and again; what was acknowledged survives and nothing is stored twice.
extension HeavyServerTests {
@Suite("Ingest survives SIGKILL")
struct IngestCrashTests {
    static let source = "crash-pole"
    static let readingsPerBatch = 50
    /// Keeps the stored total under the raw query's point limit, so one query reads it all back.
    static let maxBatches = 1_800

    /// One batch as the client keeps it until the server acknowledges it.
    struct Batch {
        var sequence: Int64
        var body: String
        var times: [Int64]
    }

    /// What the client sent and what the server acknowledged.
    struct Client {
        let start: Int64
        var sent: [Batch] = []
        var unacknowledged: [Int64: Batch] = [:]
        var acknowledged: [Batch] = []
        var duplicatesConfirmed = 0

        /// The next new batch: readings a millisecond apart, each with a time of its own.
        mutating func makeBatch() -> Batch {
            let sequence = Int64(sent.count)
            let first = start + sequence * Int64(IngestCrashTests.readingsPerBatch)
            let times = (0..<Int64(IngestCrashTests.readingsPerBatch)).map { first + $0 }
            let readings = times.map { #"{"metric":"pm25","time":\#($0),"value":\#(Double($0 % 997) / 4)}"# }
            let body = #"{"source":"\#(IngestCrashTests.source)","sequence":\#(sequence),"readings":[\#(readings.joined(separator: ","))]}"#
            let batch = Batch(sequence: sequence, body: body, times: times)
            sent.append(batch)
            unacknowledged[sequence] = batch
            return batch
        }
    }

    struct IngestReply: Decodable {
        struct Outcome: Decodable {
            var sequence: Int64
            var result: String
        }
        var batches: [Outcome]
    }

    struct SeriesReply: Decodable {
        struct Point: Decodable {
            var time: String
        }
        var points: [Point]
    }

    /// Set once the child process has been sent SIGKILL.
    final class KillSwitch: Sendable {
        private let killed = Atomic(false)
        var fired: Bool { killed.load(ordering: .acquiring) }
        func fire() { killed.store(true, ordering: .releasing) }
    }

    @Test(.timeLimit(.minutes(2)))
    func acknowledgedBatchesSurviveTwentyKillsAndNoneIsStoredTwice() async throws {
        let executable = try ServerProcess.executable()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var random = SplitMix64(seed: 0x7E47_AC1E)
        // Times from ten minutes ago on: never too old, and 90,000 readings a millisecond apart
        // stay well behind the server's clock.
        var client = Client(start: Reading.milliseconds(Date()) - 600_000)
        var headers: HTTPFields = [.contentType: "application/json"]
        let kills = 20

        for round in 0...kills {
            let server = try ServerProcess(executable: executable, data: folder, log: folder.appendingPathComponent("server-\(round).log"))
            defer { server.sigkill() }
            let (host, port) = try await server.address()
            if round == 0 {
                headers[.authorization] = "Bearer \(try await Self.setUp(host: host, port: port))"
            }
            // Each restart begins with every batch still unacknowledged and two acknowledged ones,
            // which must come back as duplicates.
            var resends = client.unacknowledged.values.sorted { $0.sequence < $1.sequence }
            for _ in 0..<min(2, client.acknowledged.count) {
                resends.append(client.acknowledged[random.int(below: client.acknowledged.count)])
            }
            if round == kills {
                try await Self.stream(&client, resends: resends, host: host, port: port, headers: headers, killSwitch: nil)
                try await Self.expectStoredOnce(client, host: host, port: port, headers: headers)
            } else {
                let killSwitch = KillSwitch()
                let pid = server.pid
                let delay = Duration.milliseconds(40 + random.int(below: 400))
                let killer = Task {
                    try? await Task.sleep(for: delay)
                    kill(pid, SIGKILL)
                    killSwitch.fire()
                }
                try await Self.stream(&client, resends: resends, host: host, port: port, headers: headers, killSwitch: killSwitch)
                await killer.value
                server.sigkill()
            }
        }
        #expect(client.duplicatesConfirmed >= 2)
    }

    /// Signs in, adds the display the readings come from and returns an API token.
    static func setUp(host: String, port: Int) async throws -> String {
        try await TestClient.withClient(host: host, port: port) { client in
            let login = try await client.post(
                "/v1/auth/login", headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"username": "admin", "password": "\#(ServerProcess.password)"}"#))
            let cookie = try #require(login.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            let headers: HTTPFields = [.contentType: "application/json", .cookie: cookie]
            let district = try await client.post("/v1/districts", headers: headers, body: ByteBuffer(string: #"{"code": "central", "name": "Central"}"#))
            #expect(district.status == .created)
            let display = try await client.post(
                "/v1/displays", headers: headers,
                body: ByteBuffer(string: #"{"id": "\#(source)", "name": "Crash pole", "width": 96, "height": 48, "lat": 0, "lon": 0, "district": "central", "timezone": "UTC"}"#))
            #expect(display.status == .created)
            let token = try await client.post("/v1/tokens", headers: headers, body: ByteBuffer(string: #"{"name": "crash test"}"#))
            let object = try JSONSerialization.jsonObject(with: Data(try #require(token.body).readableBytesView)) as? [String: Any]
            return try #require(object?["secret"] as? String)
        }
    }

    /// Sends the resends, then the oldest unacknowledged or new batches, until the kill switch
    /// fires; without one, until nothing is left unacknowledged. A failed request leaves its batch
    /// unacknowledged and the client reconnects after a short pause (the server may be restarting).
    static func stream(
        _ client: inout Client, resends: [Batch], host: String, port: Int, headers: HTTPFields, killSwitch: KillSwitch?
    ) async throws {
        var queue = resends[...]
        var connection: TestClient?
        var pause = Duration.milliseconds(5)
        while killSwitch.map({ !$0.fired }) ?? !(queue.isEmpty && client.unacknowledged.isEmpty) {
            let batch: Batch
            if let next = queue.first {
                batch = next
            } else if let oldest = client.unacknowledged.values.min(by: { $0.sequence < $1.sequence }) {
                batch = oldest
            } else if client.sent.count < maxBatches {
                batch = client.makeBatch()
            } else {
                try await Task.sleep(for: .milliseconds(10))
                continue
            }
            let http = connection ?? TestClient(host: host, port: port, configuration: .init(timeout: .seconds(5)))
            if connection == nil {
                http.connect()
                connection = http
            }
            let response: TestClient.Response
            do {
                response = try await http.post("/v1/readings", headers: headers, body: ByteBuffer(string: batch.body))
            } catch {
                try? await http.shutdown()
                connection = nil
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(200))
                continue
            }
            pause = .milliseconds(5)
            try #require(
                response.status == .created || response.status == .ok,
                "batch \(batch.sequence) answered \(response.status): \(response.body.map { String(buffer: $0) } ?? "")")
            let reply = try JSONDecoder().decode(IngestReply.self, from: Data(try #require(response.body).readableBytesView))
            let result = try #require(reply.batches.first { $0.sequence == batch.sequence }).result
            if client.unacknowledged.removeValue(forKey: batch.sequence) == nil {
                #expect(result == "duplicate", "batch \(batch.sequence) was acknowledged before and is stored again")
                client.duplicatesConfirmed += 1
            } else {
                client.acknowledged.append(batch)
            }
            if !queue.isEmpty { queue.removeFirst() }
        }
        try? await connection?.shutdown()
    }

    /// Reads every stored reading back: exactly the distinct readings sent, each once.
    static func expectStoredOnce(_ client: Client, host: String, port: Int, headers: HTTPFields) async throws {
        // Whole seconds: the query takes times without a fraction.
        let from = try #require(ReadingTime.format((client.start / 1000 - 60) * 1000))
        let to = try #require(ReadingTime.format((Reading.milliseconds(Date()) / 1000 + 600) * 1000))
        let path = "/v1/readings?source=\(source)&metric=pm25&step=raw&from=\(from)&to=\(to)"
        let response = try await TestClient.withClient(host: host, port: port) { http in
            try await http.get(path, headers: headers)
        }
        try #require(response.status == .ok, "query answered \(response.status): \(response.body.map { String(buffer: $0) } ?? "")")
        let stored = try JSONDecoder().decode(SeriesReply.self, from: Data(try #require(response.body).readableBytesView)).points.map(\.time)
        let sent = client.sent.flatMap(\.times).compactMap(ReadingTime.format)
        #expect(client.unacknowledged.isEmpty)
        #expect(stored.count == sent.count, "stored \(stored.count) readings, sent \(sent.count) distinct ones")
        #expect(Set(stored).count == stored.count, "some readings are stored twice")
        #expect(Set(stored) == Set(sent))
    }
}
}
