public import Foundation
import TentacleCore
public import TentacleStore

/// A city of identical small displays for the channel benchmark, written straight into a store
/// before the server under test opens it.
public enum ChannelBenchSeed {
    public struct Seeded: Sendable {
        /// Display id and device token of every display.
        public var devices: [(id: String, token: String)]
        public var publisherToken: String
        public var approverToken: String
        public var alerterToken: String
    }

    public static let district = "bench"
    public static let layout = "bench-layout"

    public static func seed(store: any Storage, displays count: Int, now: Date = Date()) async throws -> Seeded {
        let system = { (action: String, type: String, id: String) in
            AuditEvent(actor: "bench", action: action, objectType: type, objectId: id, summary: "channel benchmark")
        }
        try await store.createDistrict(District(code: district, name: "Bench"), audit: system("district.create", "district", district))
        let rows = (0..<count).map { i in
            let input = DisplayInput(
                name: "Bench \(i)", width: 64, height: 32, lat: 31.2 + Double(i % 100) * 0.001, lon: 121.4 + Double(i / 100) * 0.001,
                district: district, timezone: "Asia/Shanghai")
            return (row: i + 1, display: Display(creating: input, id: String(format: "bench-%05d", i), at: now))
        }
        try await store.importDisplays(rows, audit: system("display.import", "display", "*"))
        var devices: [(id: String, token: String)] = []
        devices.reserveCapacity(count)
        for (_, display) in rows {
            let token = Secret.generate(prefix: Secret.deviceTokenPrefix)
            try await store.issueCredential(
                DeviceCredential(id: "crd-\(display.id)", displayId: display.id, createdAt: now, revokedAt: nil),
                secretHash: Secret.hash(token), replacingExisting: true, audit: system("credential.issue", "display", display.id))
            devices.append((display.id, token))
        }
        var tokens: [Role: String] = [:]
        for role in [Role.publisher, .approver, .alerter] {
            let user = User(id: "usr-bench-\(role.rawValue)", username: "bench-\(role.rawValue)", role: role, districts: [], createdAt: now)
            try await store.createUser(user, passwordHash: "!", audit: system("user.create", "user", user.id))
            let secret = Secret.generate(prefix: Secret.userTokenPrefix)
            try await store.createToken(
                APIToken(id: "tok-\(user.id)", userId: user.id, name: "bench", kind: .api, createdAt: now, expiresAt: nil, revokedAt: nil),
                secretHash: Secret.hash(secret), audit: nil)
            tokens[role] = secret
        }
        let document = LayoutTemplates.all.first { $0.id == "light-pole-64x32" }?.document ?? ""
        try await store.createLayout(
            LayoutRecord(id: layout, name: "Bench", width: 64, height: 32, document: document, createdBy: "bench", createdAt: now, updatedAt: now),
            audit: system("layout.create", "layout", layout))
        try await store.setDefaultLayouts(DefaultLayouts(global: layout), audit: system("defaults.set", "defaults", "global"))
        return Seeded(
            devices: devices, publisherToken: tokens[.publisher] ?? "", approverToken: tokens[.approver] ?? "", alerterToken: tokens[.alerter] ?? "")
    }
}

/// One HTTP/1.1 request to a loopback port, for benchmarks and tests that drive a server over a
/// real socket. The blocking socket calls run on a Dispatch thread, never on the cooperative
/// pool that the server and the simulated displays share.
public enum LoopbackRequest {
    public static func send(
        port: Int, _ method: String, _ path: String, token: String?, json: String? = nil, body: [UInt8]? = nil, contentType: String? = nil,
        headers extra: [String: String] = [:]
    ) async throws -> (status: Int, body: [UInt8]) {
        var headers = extra
        if let token { headers["Authorization"] = "Bearer \(token)" }
        if json != nil { headers["Content-Type"] = "application/json" }
        if let contentType { headers["Content-Type"] = contentType }
        let request = headers
        let payload = body ?? Array((json ?? "").utf8)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let reply = try LoopbackHTTPClient(port: port).request(method, path, headers: request, body: payload)
                    return (reply.status, reply.body)
                })
            }
        }
    }
}
