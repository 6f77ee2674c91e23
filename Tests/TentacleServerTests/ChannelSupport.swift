import Foundation
import Hummingbird
import Logging
import Synchronization
import TentacleAgent
import TentacleBench
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

/// Waits until `condition` holds, checking every 20 ms; false when `timeout` passes first.
func eventually(timeout: Duration = .seconds(30), _ condition: @Sendable () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// What agents reported, for tests to wait on.
final class AgentEvents: Sendable {
    private let events = Mutex<[(display: String, event: AgentEvent)]>([])

    func record(_ display: String) -> @Sendable (AgentEvent) -> Void {
        { event in self.events.withLock { $0.append((display, event)) } }
    }

    func all(_ display: String? = nil) -> [AgentEvent] {
        events.withLock { $0.filter { display == nil || $0.display == display }.map(\.event) }
    }

    func displays(where predicate: (AgentEvent) -> Bool) -> Set<String> {
        events.withLock { Set($0.filter { predicate($0.event) }.map(\.display)) }
    }
}

/// A server on a real port for the channel tests, stopped when `body` returns. Pass the port of
/// an earlier run to come back on the same address, as after a restart.
func withLiveServer(_ fixture: Fixture, port: Int = 0, _ body: @Sendable (Int) async throws -> Void) async throws {
    var configuration = fixture.configuration
    configuration.port = port
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let clock = fixture.clock
    let app = buildApplication(
        store: fixture.store, configuration: configuration, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        clock: { clock.now },
        onServerRunning: { url in
            continuation.yield(Int(url.split(separator: ":").last ?? "") ?? 0)
            continuation.finish()
        })
    let server = Task { try await app.runService() }
    var iterator = ports.makeAsyncIterator()
    guard let actual = await iterator.next() else {
        server.cancel()
        throw AgentError("server did not start")
    }
    do {
        try await body(actual)
    } catch {
        server.cancel()
        _ = await server.result
        throw error
    }
    server.cancel()
    _ = await server.result
}

/// An agent for display `id` with a memory cache (or `cacheDirectory`), run until the returned task is cancelled.
func startAgent(
    port: Int, token: String, id: String, events: AgentEvents, clock: TestClock, fps: Double = 0,
    cacheDirectory: URL? = nil, configure: (inout AgentConfiguration) -> Void = { _ in }
) throws -> (Agent, Task<Void, Never>) {
    var configuration = AgentConfiguration(server: "http://127.0.0.1:\(port)", token: token)
    configuration.fps = fps
    configuration.cacheDirectory = cacheDirectory
    configuration.initialBackoff = .milliseconds(100)
    configuration.maximumBackoff = .seconds(1)
    configure(&configuration)
    let agent = Agent(
        configuration: configuration, logger: Logger(label: "agent", factory: { _ in SwiftLogNoOpLogHandler() }),
        cache: try AgentCache(directory: cacheDirectory), clock: { clock.now }, events: events.record(id))
    let task = Task { _ = try? await agent.run() }
    return (agent, task)
}

/// HTTP calls to a live server as the fixture's users, for tests that also hold real sockets.
struct LoopbackClient: Sendable {
    struct Reply {
        var status: Int
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let port: Int

    func send(_ method: String, _ path: String, json: String? = nil, token: String? = Fixture.token(for: "admin")) async throws -> Reply {
        let reply = try await LoopbackRequest.send(port: port, method, path, token: token, json: json)
        return Reply(status: reply.status, body: reply.body)
    }

    func as_(_ role: Role, _ method: String, _ path: String, json: String? = nil) async throws -> Reply {
        try await send(method, path, json: json, token: Fixture.token(for: role.rawValue))
    }

    func createLayout(_ id: String, template: String = "pole-128x64") async throws {
        let reply = try await as_(.publisher, "POST", "/v1/layouts", json: Content.layoutBody(id, document: Content.template(template)))
        #expect(reply.status == 201, "layout \(id): \(reply.text.prefix(300))")
    }

    /// Creates a campaign as the publisher and approves revision 1 as the approver.
    func publish(_ campaign: String) async throws {
        let created = try await as_(.publisher, "POST", "/v1/campaigns", json: campaign)
        #expect(created.status == 201, "\(created.text.prefix(300))")
        let id = try JSONDecoder().decode(CampaignId.self, from: Data(created.body)).id
        let approved = try await as_(.approver, "POST", "/v1/campaigns/\(id)/revisions/1/approve")
        #expect(approved.status == 200, "\(approved.text.prefix(300))")
    }

    private struct CampaignId: Decodable { var id: String }
}

extension Fixture {
    /// `count` displays in district `east` on a grid 40 wide, 0.004° apart from (52.50 N, 13.30 E),
    /// each with a device token; returns (id, token) in grid order.
    func addGrid(_ count: Int, tags: (Int) -> [String] = { _ in [] }) async throws -> [(id: String, token: String)] {
        let rows = (0..<count).map { i in
            let input = DisplayInput(
                name: "Grid \(i)", width: 64, height: 32, lat: 52.50 + Double(i / 40) * 0.004, lon: 13.30 + Double(i % 40) * 0.004,
                district: "east", tags: tags(i), timezone: "Europe/Berlin")
            return (row: i + 1, display: Display(creating: input, id: String(format: "grid-%04d", i), at: Self.start))
        }
        try await store.importDisplays(rows, audit: Self.event("display.import", "display", "*"))
        var issued: [(id: String, token: String)] = []
        for (_, display) in rows {
            let token = "tdv_grid-\(display.id)"
            try await store.issueCredential(
                DeviceCredential(id: "crd-\(display.id)", displayId: display.id, createdAt: Self.start, revokedAt: nil),
                secretHash: Secret.hash(token), replacingExisting: true, audit: Self.event("credential.issue", "display", display.id))
            issued.append((display.id, token))
        }
        return issued
    }
}
