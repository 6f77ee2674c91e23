import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The real `tentacle` executable as a child process, killed without warning and started again.
extension HeavyServerTests {
@Suite("Server process killed and restarted")
struct KillRestartTests {
    @Test(.timeLimit(.minutes(1)))
    func displayAcknowledgedBeforeSIGKILLIsThereAfterRestart() async throws {
        let executable = try ServerProcess.executable()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let first = try ServerProcess(executable: executable, data: folder, log: folder.appendingPathComponent("first.log"))
        defer { first.sigkill() }
        let (host, port) = try await first.address()
        let client = TestClient(host: host, port: port)
        client.connect()
        let login = try await client.execute(
            .init("/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                  body: ByteBuffer(string: #"{"username": "admin", "password": "\#(ServerProcess.password)"}"#)))
        #expect(login.status == .ok)
        let cookie = try #require(login.headers[.setCookie]?.split(separator: ";").first.map(String.init))
        let headers: HTTPFields = [.contentType: "application/json", .cookie: cookie]
        // A fresh server has no districts.
        let district = try await client.execute(
            .init("/v1/districts", method: .post, headers: headers, body: ByteBuffer(string: #"{"code": "central", "name": "Central"}"#)))
        #expect(district.status == .created)
        let created = try await client.execute(
            .init("/v1/displays", method: .post, headers: headers,
                  body: ByteBuffer(string: #"{"id": "survivor", "name": "Survivor", "width": 96, "height": 48, "lat": 0, "lon": 0, "district": "central", "timezone": "UTC"}"#)))
        try #require(created.status == .created, "create answered \(created.status): \(created.body.map { String(buffer: $0) } ?? "")")
        first.sigkill()
        try? await client.shutdown()

        let second = try ServerProcess(executable: executable, data: folder, log: folder.appendingPathComponent("second.log"))
        defer { second.sigkill() }
        let (host2, port2) = try await second.address()
        try await TestClient.withClient(host: host2, port: port2) { client in
            let response = try await client.execute(.init("/v1/displays/survivor", method: .get, headers: [.cookie: cookie]))
            #expect(response.status == .ok)
            #expect(response.body.map { String(buffer: $0) }?.contains(#""name":"Survivor""#) == true)
        }
    }
}
}
