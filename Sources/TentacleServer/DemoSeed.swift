public import Foundation
public import TentacleCore
public import TentacleStore

/// Fills an empty store with the fictional demo city and a few demo users.
public enum DemoSeed {
    /// The password of every demo user; the demo listens on loopback only by default.
    public static let password = "tentacle-demo"

    /// Demo users beside `admin`: one per role, and a publisher scoped to one district.
    public static let users: [(username: String, role: Role, districts: [String])] = [
        ("operator", .operator, []),
        ("publisher", .publisher, []),
        ("publisher-north", .publisher, ["north"]),
        ("approver", .approver, []),
        ("alerter", .alerter, []),
        ("viewer", .viewer, []),
    ]

    /// Seeds the city unless the store already has districts; returns whether it seeded.
    @discardableResult
    public static func seedIfEmpty(store: any Storage, bcryptCost: UInt8, clock: @Sendable () -> Date = { Date() }) async throws -> Bool {
        guard try await store.districts().isEmpty else { return false }
        let city = DemoCity.make()
        let system = { (action: String, type: String, id: String, summary: String) in
            AuditEvent(actor: "system", action: action, objectType: type, objectId: id, summary: summary)
        }
        for d in city.districts {
            try await store.createDistrict(d, audit: system("district.create", "district", d.code, "demo city district '\(d.name)'"))
        }
        for g in city.groups {
            try await store.createGroup(g, audit: system("group.create", "group", g.code, "demo city group '\(g.name)'"))
        }
        let now = clock()
        let rows = city.displays.enumerated().map { i, input in
            (row: i + 1, display: Display(creating: input, id: input.id ?? Identifier.generate(prefix: "dsp"), at: now))
        }
        try await store.importDisplays(rows, audit: system("display.import", "display", "*", "demo city: \(rows.count) displays"))
        let hash = try await PasswordHasher(cost: bcryptCost).hash(password)
        for u in users where try await store.credentials(username: u.username) == nil {
            let user = User(id: Identifier.generate(prefix: "usr"), username: u.username, role: u.role, districts: u.districts, createdAt: now)
            try await store.createUser(user, passwordHash: hash, audit: system("user.create", "user", user.id, "demo user \(u.username)"))
        }
        return true
    }
}
