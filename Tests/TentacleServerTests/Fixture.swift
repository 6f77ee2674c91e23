import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

/// A clock the tests move by hand, so time windows pass without sleeping.
final class TestClock: Sendable {
    private let value: Mutex<Date>

    init(_ start: Date) {
        value = Mutex(start)
    }

    var now: Date { value.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        value.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// Who sends a request: nobody, the device of display `north-1`, or the user holding a role.
enum Caller: Hashable, Sendable, CustomStringConvertible {
    case anonymous
    case device
    case role(Role)
    case user(String)

    static let roles = Role.allCases.map(Caller.role)
    static let all = roles + [.anonymous, .device]

    var description: String {
        switch self {
        case .anonymous: "no token"
        case .device: "device token"
        case .role(let role): role.rawValue
        case .user(let name): name
        }
    }

    /// The username behind the caller's bearer token, if the caller is a user.
    var username: String? {
        switch self {
        case .anonymous, .device: nil
        case .role(let role): role.rawValue
        case .user(let name): name
        }
    }
}

/// A server on a fresh SQLite file in a temporary folder, seeded with three districts, three
/// groups, three displays and a user with a known API token for every role (plus a publisher and
/// an operator scoped to `north`).
struct Fixture: Sendable {
    static let password = "correct horse battery"
    static let start = Date(timeIntervalSince1970: 1_767_225_600)
    static let deviceToken = "tdv_fixture-north-1"
    static let users: [(username: String, role: Role, districts: [String])] =
        Role.allCases.map { ($0.rawValue, $0, []) } + [("publisher-north", .publisher, ["north"]), ("operator-north", .operator, ["north"])]

    let folder: URL
    let store: SQLiteStore
    let clock: TestClock
    let configuration: ServerConfiguration

    static func token(for username: String) -> String { "tnt_fixture-\(username)" }

    /// Runs `body` on a seeded fixture; the folder is removed afterwards.
    static func with(
        configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: (Fixture) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = folder.path
        configuration.bcryptCost = 4
        configure(&configuration)
        let clock = TestClock(start)
        let fixture = Fixture(folder: folder, store: try openStore(configuration, clock: { clock.now }), clock: clock, configuration: configuration)
        try await fixture.seed()
        try await body(fixture)
    }

    /// The same data folder served by a freshly opened store, as after a restart.
    func restarted() throws -> Fixture {
        Fixture(folder: folder, store: try openStore(configuration, clock: { clock.now }), clock: clock, configuration: configuration)
    }

    func makeApplication() -> some ApplicationProtocol {
        let clock = self.clock
        return buildApplication(
            store: store, configuration: configuration, logger: Logger(label: "tentacle-test", factory: { _ in SwiftLogNoOpLogHandler() }),
            clock: { clock.now })
    }

    /// Runs `body` against the in-process application.
    func test(_ body: @escaping @Sendable (API) async throws -> Void) async throws {
        try await makeApplication().test(.router) { client in try await body(API(client: client)) }
    }

    static func event(_ action: String, _ type: String, _ id: String) -> AuditEvent {
        AuditEvent(actor: "fixture", action: action, objectType: type, objectId: id, summary: "fixture")
    }

    private func seed() async throws {
        for (code, name) in [("north", "North"), ("south", "South"), ("east", "East")] {
            try await store.createDistrict(District(code: code, name: name), audit: Self.event("district.create", "district", code))
        }
        for code in ["bus-stops", "light-poles", "roadside-boards"] {
            try await store.createGroup(DisplayGroup(code: code, name: code), audit: Self.event("group.create", "group", code))
        }
        try await addDisplay("north-1", district: "north", groups: ["bus-stops"])
        try await addDisplay("north-2", district: "north")
        try await addDisplay("south-1", district: "south", groups: ["light-poles"])
        let hash = try await PasswordHasher(cost: 4).hash(Self.password)
        for u in Self.users {
            let user = User(id: "usr-\(u.username)", username: u.username, role: u.role, districts: u.districts, createdAt: Self.start)
            try await store.createUser(user, passwordHash: hash, audit: Self.event("user.create", "user", user.id))
            try await addToken(for: user.id, secret: Self.token(for: u.username), id: "tok-fixture-\(u.username)")
        }
        try await store.issueCredential(
            DeviceCredential(id: "crd-fixture", displayId: "north-1", createdAt: Self.start, revokedAt: nil),
            secretHash: Secret.hash(Self.deviceToken), replacingExisting: true, audit: Self.event("credential.issue", "display", "north-1"))
    }

    func addDisplay(
        _ id: String, district: String, groups: [String] = [], tags: [String] = ["fixture"], lat: Double = 52.5, lon: Double = 13.4,
        width: Int = 128, height: Int = 64, timezone: String = "Europe/Berlin"
    ) async throws {
        let input = DisplayInput(
            name: "Display \(id)", width: width, height: height, lat: lat, lon: lon, district: district, poleId: "pole-\(id)",
            groups: groups, tags: tags, timezone: timezone)
        try await store.createDisplay(Display(creating: input, id: id, at: Self.start), audit: Self.event("display.create", "display", id))
    }

    func addToken(for userId: String, secret: String, id: String) async throws {
        let token = APIToken(id: id, userId: userId, name: id, kind: .api, createdAt: Self.start, expiresAt: nil, revokedAt: nil)
        try await store.createToken(token, secretHash: Secret.hash(secret), audit: nil)
    }

    func displayCount() async throws -> Int {
        try await store.displayCountsByStatus().values.reduce(0, +)
    }

    func auditCount() async throws -> Int {
        try await store.auditEntries(AuditQuery(limit: 1000)).count
    }
}

/// Requests as a caller, with JSON or other bodies.
struct API: Sendable {
    let client: any TestClientProtocol

    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, as caller: Caller = .role(.admin), json: String? = nil,
        body: String? = nil, bytes: [UInt8]? = nil, contentType: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        switch caller {
        case .anonymous: break
        case .device: headers[.authorization] = "Bearer \(Fixture.deviceToken)"
        default: headers[.authorization] = "Bearer \(Fixture.token(for: caller.username ?? ""))"
        }
        if json != nil { headers[.contentType] = "application/json" }
        if let contentType { headers[.contentType] = contentType }
        let payload = bytes.map { ByteBuffer(bytes: $0) } ?? (json ?? body).map { ByteBuffer(string: $0) }
        return try await client.execute(uri: uri, method: method, headers: headers, body: payload)
    }

    /// Waits until `count` event streams are sending (the server's own gauge), so a test makes its
    /// changes only once a stream opened in parallel is certain to hear them.
    func waitForEventStreams(_ count: Int, within limit: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let metrics = try await send(.get, "/metrics", as: .anonymous).text
            let open = metrics.split(separator: "\n").first { $0.hasPrefix("tentacle_event_streams_open ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
            if open == Double(count) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("\(count) event streams were not open within \(limit)")
        throw CancellationError()
    }
}

/// The API's error body.
struct ErrorBody: Decodable {
    struct Inner: Decodable {
        var code: String
        var message: String
        var field: String?
        var issues: [FieldIssue]?
    }
    var error: Inner
}

struct Items<Item: Decodable>: Decodable {
    var items: [Item]
    var nextCursor: String?
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(text.utf8))
    }

    /// The error body, or nil when the response is not one.
    var apiError: ErrorBody.Inner? { try? decode(ErrorBody.self).error }
}
