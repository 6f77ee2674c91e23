import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import TentacleDemo
import TentacleServer
import TentacleStore

/// A server on a fresh data folder and a free loopback port, with an admin API token, for the
/// HTTP benchmarks; `stop()` shuts it down and deletes the folder.
struct BenchServer {
    static let password = "bench-password-1"

    let port: Int
    let token: String
    let store: SQLiteStore
    private let folder: URL
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    static func start(seedDemo: Bool = false) async throws -> BenchServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var config = ServerConfiguration()
        config.port = 0
        config.bcryptCost = 4
        config.initialAdminPassword = password
        config.dataDirectory = folder.path
        let store = try openStore(config)
        _ = try await ensureAdmin(store: store, configuration: config)
        if seedDemo { _ = try await DemoSeed.seedIfEmpty(store: store, bcryptCost: 4) }

        var logger = Logger(label: "tentacle-bench")
        logger.logLevel = .critical
        let port = Mutex<Int?>(nil)
        let app = buildApplication(store: store, configuration: config, logger: logger, onServerRunning: { url in
            port.withLock { $0 = Int(url.split(separator: ":").last ?? "") }
        })
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var waited = 0
        while port.withLock({ $0 }) == nil {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
            if waited > 1000 {
                task.cancel()
                throw LoopbackHTTPClient.ClientError(description: "server did not start")
            }
        }
        let serverPort = port.withLock { $0 }!
        return BenchServer(port: serverPort, token: try issueToken(port: serverPort), store: store, folder: folder, group: group, task: task)
    }

    /// Runs `body` against a fresh server, then shuts it down and deletes its folder, also when `body` throws.
    static func with<T>(seedDemo: Bool = false, _ body: (BenchServer) async throws -> T) async throws -> T {
        let server = try await start(seedDemo: seedDemo)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        try? FileManager.default.removeItem(at: folder)
    }

    private static func issueToken(port: Int) throws -> String {
        let client = try LoopbackHTTPClient(port: port)
        let login = try client.request(
            "POST", "/v1/auth/login", headers: ["Content-Type": "application/json"],
            body: Array(#"{"username":"admin","password":"\#(password)"}"#.utf8))
        guard login.status == 200, let cookie = login.headers["set-cookie"]?.split(separator: ";").first else {
            throw LoopbackHTTPClient.ClientError(description: "bench login failed with \(login.status)")
        }
        let issued = try client.request(
            "POST", "/v1/tokens", headers: ["Content-Type": "application/json", "Cookie": String(cookie)],
            body: Array(#"{"name":"bench"}"#.utf8))
        guard issued.status == 201,
              let object = try JSONSerialization.jsonObject(with: Data(issued.body)) as? [String: Any],
              let secret = object["secret"] as? String
        else { throw LoopbackHTTPClient.ClientError(description: "bench token failed with \(issued.status)") }
        return secret
    }
}
