import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import TentacleServer
import Testing

@Suite("Login and sessions")
struct LoginTests {
    static func login(_ username: String, _ password: String) -> String {
        #"{"username": "\#(username)", "password": "\#(password)"}"#
    }

    /// The `name=value` part of the session cookie a response sets.
    static func sessionCookie(_ response: TestResponse) throws -> String {
        let header = try #require(response.headers[.setCookie])
        let pair = String(header.split(separator: ";")[0])
        #expect(pair.hasPrefix("tentacle_session="))
        #expect(header.contains("HttpOnly"))
        return pair
    }

    @Test func sessionCookieSignsInUntilLogout() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let response = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("publisher", Fixture.password))
                #expect(response.status == .ok)
                let cookie = try Self.sessionCookie(response)

                let me = try await api.send(.get, "/v1/me", as: .anonymous, headers: [.cookie: cookie])
                #expect(me.status == .ok)
                #expect(try me.decode(User.self).role == .publisher)
                // The session carries the user's role.
                #expect(try await api.send(.get, "/v1/users", as: .anonymous, headers: [.cookie: cookie]).status == .forbidden)

                #expect(try await api.send(.post, "/v1/auth/logout", as: .anonymous, headers: [.cookie: cookie]).status == .noContent)
                let after = try await api.send(.get, "/v1/me", as: .anonymous, headers: [.cookie: cookie])
                #expect(after.status == .unauthorized)
            }
        }
    }

    @Test func sessionsExpire() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let response = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("viewer", Fixture.password))
                let cookie = try Self.sessionCookie(response)
                fx.clock.advance(by: fx.configuration.sessionLifetime + 1)
                #expect(try await api.send(.get, "/v1/me", as: .anonymous, headers: [.cookie: cookie]).status == .unauthorized)
            }
        }
    }

    @Test func wrongPasswordOrUnknownUserIsUnauthorized() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let wrong = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("viewer", "not the password"))
                #expect(wrong.status == .unauthorized)
                #expect(wrong.apiError?.code == "unauthorized")
                #expect(wrong.headers[.setCookie] == nil)
                let unknown = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("nobody", Fixture.password))
                #expect(unknown.status == .unauthorized)
                #expect(unknown.apiError?.message == wrong.apiError?.message)
            }
        }
    }

    @Test func repeatedFailuresAreRateLimitedUntilTheWindowPasses() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                for _ in 0..<5 {
                    let r = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("approver", "guess-guess-guess"))
                    #expect(r.status == .unauthorized)
                }
                // Even the right password waits now.
                let limited = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("approver", Fixture.password))
                #expect(limited.status == .tooManyRequests)
                #expect(limited.apiError?.code == "rate_limited")
                let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
                #expect(retryAfter > 0 && retryAfter <= Int(fx.configuration.loginWindow))

                // Other usernames are not affected.
                #expect(try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("viewer", Fixture.password)).status == .ok)

                fx.clock.advance(by: TimeInterval(retryAfter))
                let again = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("approver", Fixture.password))
                #expect(again.status == .ok)
            }
        }
    }
}
