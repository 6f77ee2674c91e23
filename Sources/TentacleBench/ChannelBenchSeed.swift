public import Foundation
import TentacleCore
import TentacleServer
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
