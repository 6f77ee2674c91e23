import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import Testing

@Suite("Device credentials and API tokens")
struct TokenTests {
    struct IssuedCredential: Decodable {
        var credential: DeviceCredential
        var token: String
    }

    struct IssuedToken: Decodable {
        var token: APIToken
        var secret: String
    }

    static func bearer(_ secret: String) -> HTTPFields { [.authorization: "Bearer \(secret)"] }

    @Test func rotatingADeviceCredentialInvalidatesTheOldToken() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let first = try await api.send(.post, "/v1/displays/south-1/credentials")
                #expect(first.status == .created)
                let one = try first.decode(IssuedCredential.self)
                #expect(one.credential.displayId == "south-1")
                // At least 128 random bits: 22 base64url characters after the prefix.
                #expect(one.token.hasPrefix("tdv_"))
                #expect(one.token.utf8.count >= 4 + 22)

                let me = try await api.send(.get, "/v1/devices/me", as: .anonymous, headers: Self.bearer(one.token))
                #expect(me.status == .ok)
                #expect(try me.decode(Display.self).id == "south-1")

                fx.clock.advance(by: 1)
                let two = try await api.send(.post, "/v1/displays/south-1/credentials").decode(IssuedCredential.self)
                #expect(two.token != one.token)
                let old = try await api.send(.get, "/v1/devices/me", as: .anonymous, headers: Self.bearer(one.token))
                #expect(old.status == .unauthorized)
                #expect(old.apiError?.code == "unauthorized")
                #expect(try await api.send(.get, "/v1/devices/me", as: .anonymous, headers: Self.bearer(two.token)).status == .ok)

                let listing = try await api.send(.get, "/v1/displays/south-1/credentials")
                let listed = try listing.decode(Items<DeviceCredential>.self)
                #expect(listed.items.map(\.id) == [one.credential.id, two.credential.id])
                #expect(listed.items.map { $0.revokedAt != nil } == [true, false])
                #expect(!listing.text.contains(two.token))

                #expect(try await api.send(.delete, "/v1/displays/south-1/credentials").status == .noContent)
                #expect(try await api.send(.get, "/v1/devices/me", as: .anonymous, headers: Self.bearer(two.token)).status == .unauthorized)

                // A device token is not a user token, and a user token is not a device token.
                let third = try await api.send(.post, "/v1/displays/south-1/credentials").decode(IssuedCredential.self)
                #expect(try await api.send(.get, "/v1/me", as: .anonymous, headers: Self.bearer(third.token)).status == .unauthorized)
                #expect(try await api.send(.get, "/v1/devices/me", as: .role(.admin)).status == .unauthorized)
            }
        }
    }

    @Test func userAPITokensCanBeCreatedUsedAndRevoked() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let created = try await api.send(.post, "/v1/tokens", as: .role(.viewer), json: #"{"name": "ci"}"#)
                #expect(created.status == .created)
                let issued = try created.decode(IssuedToken.self)
                #expect(issued.token.name == "ci")
                #expect(issued.token.userId == "usr-viewer")

                let me = try await api.send(.get, "/v1/me", as: .anonymous, headers: Self.bearer(issued.secret))
                #expect(me.status == .ok)
                #expect(try me.decode(User.self).username == "viewer")
                let mine = try await api.send(.get, "/v1/tokens", as: .role(.viewer)).decode(Items<APIToken>.self)
                #expect(mine.items.map(\.id).contains(issued.token.id))
                // Other users neither see nor revoke it.
                let theirs = try await api.send(.get, "/v1/tokens", as: .role(.admin)).decode(Items<APIToken>.self)
                #expect(!theirs.items.map(\.id).contains(issued.token.id))
                #expect(try await api.send(.delete, "/v1/tokens/\(issued.token.id)", as: .role(.admin)).status == .notFound)

                #expect(try await api.send(.delete, "/v1/tokens/\(issued.token.id)", as: .role(.viewer)).status == .noContent)
                let after = try await api.send(.get, "/v1/me", as: .anonymous, headers: Self.bearer(issued.secret))
                #expect(after.status == .unauthorized)
                #expect(after.headers[.wwwAuthenticate] != nil)
            }
        }
    }

    @Test func expiringTokensStopWorkingWhenTheyExpire() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let issued = try await api.send(.post, "/v1/tokens", as: .role(.operator), json: #"{"name": "short", "expiresInDays": 1}"#)
                    .decode(IssuedToken.self)
                #expect(try await api.send(.get, "/v1/me", as: .anonymous, headers: Self.bearer(issued.secret)).status == .ok)
                fx.clock.advance(by: 86_401)
                #expect(try await api.send(.get, "/v1/me", as: .anonymous, headers: Self.bearer(issued.secret)).status == .unauthorized)

                let bad = try await api.send(.post, "/v1/tokens", as: .role(.operator), json: #"{"name": "long", "expiresInDays": 0}"#)
                #expect(bad.status == .unprocessableContent)
                #expect(bad.apiError?.field == "expiresInDays")
            }
        }
    }

    @Test func deletingAUserRevokesTheirTokens() async throws {
        try await Fixture.with { fx in
            try await fx.test { api async throws in
                #expect(try await api.send(.get, "/v1/me", as: .role(.alerter)).status == .ok)
                #expect(try await api.send(.delete, "/v1/users/usr-alerter").status == .noContent)
                #expect(try await api.send(.get, "/v1/me", as: .role(.alerter)).status == .unauthorized)
            }
        }
    }
}
