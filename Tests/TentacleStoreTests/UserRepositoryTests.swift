import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("User and token repository contract")
struct UserRepositoryTests {
    static let kim = User(id: "usr-kim", username: "kim", role: .publisher, districts: ["north"], createdAt: StoreHarness.time)

    static func token(_ id: String, user: String = "usr-kim", kind: APIToken.Kind = .api, expiresIn: TimeInterval? = nil) -> APIToken {
        APIToken(
            id: id, userId: user, name: "token \(id)", kind: kind, createdAt: StoreHarness.time,
            expiresAt: expiresIn.map { StoreHarness.time.addingTimeInterval($0) }, revokedAt: nil)
    }

    @Test(arguments: Backend.all)
    func userLifecycle(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            #expect(try await store.userCount() == 0)
            try await store.createUser(Self.kim, passwordHash: "hash-1", audit: nil)
            #expect(try await store.userCount() == 1)
            #expect(try await store.user(id: "usr-kim") == Self.kim)
            let found = try #require(try await store.credentials(username: "kim"))
            #expect(found.user == Self.kim)
            #expect(found.passwordHash == "hash-1")
            #expect(try await store.credentials(username: "nobody") == nil)

            let duplicate = await #expect(throws: StoreError.self) {
                try await store.createUser(
                    User(id: "usr-other", username: "kim", role: .viewer, districts: [], createdAt: StoreHarness.time),
                    passwordHash: "x", audit: audit("user.create", "user", "usr-other"))
            }
            #expect(duplicate?.code == .conflict)
            #expect(duplicate?.field == "username")

            var changed = Self.kim
            changed.role = .operator
            changed.districts = ["north", "south"]
            try await store.updateUser(changed, passwordHash: nil, revokingTokensAt: nil, audit: audit("user.update", "user", "usr-kim"))
            #expect(try await store.credentials(username: "kim")?.passwordHash == "hash-1")
            #expect(try await store.user(id: "usr-kim") == changed)
            try await store.updateUser(changed, passwordHash: "hash-2", revokingTokensAt: nil, audit: audit("user.update", "user", "usr-kim"))
            #expect(try await store.credentials(username: "kim")?.passwordHash == "hash-2")

            try await store.createUser(
                User(id: "usr-ana", username: "ana", role: .admin, districts: [], createdAt: StoreHarness.time),
                passwordHash: "h", audit: audit("user.create", "user", "usr-ana"))
            #expect(try await store.users().map(\.username) == ["ana", "kim"])

            try await store.createToken(Self.token("tok-1"), secretHash: "secret-1", audit: nil)
            try await store.deleteUser(id: "usr-kim", audit: audit("user.delete", "user", "usr-kim"))
            #expect(try await store.user(id: "usr-kim") == nil)
            #expect(try await store.activeToken(secretHash: "secret-1", at: StoreHarness.time) == nil)
            let missing = await #expect(throws: StoreError.self) {
                try await store.deleteUser(id: "usr-kim", audit: audit("user.delete", "user", "usr-kim"))
            }
            #expect(missing?.code == .notFound)
            let missingUpdate = await #expect(throws: StoreError.self) {
                try await store.updateUser(changed, passwordHash: nil, revokingTokensAt: nil, audit: audit("user.update", "user", "usr-kim"))
            }
            #expect(missingUpdate?.code == .notFound)
        }
    }

    @Test(arguments: Backend.all)
    func activeTokenIgnoresRevokedAndExpiredTokens(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            let now = StoreHarness.time
            try await store.createUser(Self.kim, passwordHash: "h", audit: nil)
            try await store.createToken(Self.token("tok-forever"), secretHash: "s-forever", audit: audit("token.create", "token", "tok-forever"))
            try await store.createToken(Self.token("tok-hour", expiresIn: 3600), secretHash: "s-hour", audit: nil)
            try await store.createToken(Self.token("ses-1", kind: .session, expiresIn: 600), secretHash: "s-session", audit: nil)

            let live = try #require(try await store.activeToken(secretHash: "s-forever", at: now))
            #expect(live.token == Self.token("tok-forever"))
            #expect(live.user == Self.kim)
            #expect(try await store.activeToken(secretHash: "s-hour", at: now.addingTimeInterval(3599))?.token.id == "tok-hour")
            #expect(try await store.activeToken(secretHash: "s-hour", at: now.addingTimeInterval(3600)) == nil)
            #expect(try await store.activeToken(secretHash: "s-session", at: now)?.token.kind == .session)
            #expect(try await store.activeToken(secretHash: "unknown", at: now) == nil)

            // Sessions are not listed as API tokens.
            #expect(try await store.tokens(userId: "usr-kim").map(\.id) == ["tok-forever", "tok-hour"])

            try await store.revokeToken(id: "tok-forever", userId: "usr-kim", at: now.addingTimeInterval(5), audit: audit("token.revoke", "token", "tok-forever"))
            #expect(try await store.activeToken(secretHash: "s-forever", at: now.addingTimeInterval(10)) == nil)
            let revoked = try await store.tokens(userId: "usr-kim").first { $0.id == "tok-forever" }
            #expect(revoked?.revokedAt == now.addingTimeInterval(5))
        }
    }

    @Test(arguments: Backend.all)
    func tokensCanOnlyBeRevokedByTheirOwner(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let store = h.store
            try await store.createUser(Self.kim, passwordHash: "h", audit: nil)
            try await store.createToken(Self.token("tok-1"), secretHash: "s-1", audit: nil)
            let error = await #expect(throws: StoreError.self) {
                try await store.revokeToken(id: "tok-1", userId: "usr-someone-else", at: StoreHarness.time, audit: nil)
            }
            #expect(error?.code == .notFound)
            #expect(try await store.activeToken(secretHash: "s-1", at: StoreHarness.time) != nil)
        }
    }
}
