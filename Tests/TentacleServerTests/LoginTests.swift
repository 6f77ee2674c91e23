import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
@testable import TentacleServer
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

    @Test func changingPasswordRoleOrDistrictsRevokesTheUsersSessionsAndTokens() async throws {
        let changes: [(username: String, change: String)] = [
            ("publisher", #"{"password": "a brand new password"}"#), ("viewer", #"{"role": "approver"}"#),
            ("operator", #"{"districts": ["south"]}"#),
        ]
        try await Fixture.with { fx in
            try await fx.test { api in
                for (username, change) in changes {
                    let login = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login(username, Fixture.password))
                    let cookie = try Self.sessionCookie(login)
                    #expect(try await api.send(.patch, "/v1/users/usr-\(username)", json: change).status == .ok, "\(change)")
                    #expect(try await api.send(.get, "/v1/me", as: .anonymous, headers: [.cookie: cookie]).status == .unauthorized, "\(change)")
                    #expect(try await api.send(.get, "/v1/me", as: .user(username)).status == .unauthorized, "\(change)")
                }
                // A change that changes nothing keeps the user signed in; the admin's own session is untouched.
                let login = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("alerter", Fixture.password))
                let cookie = try Self.sessionCookie(login)
                #expect(try await api.send(.patch, "/v1/users/usr-alerter", json: #"{"role": "alerter"}"#).status == .ok)
                #expect(try await api.send(.get, "/v1/me", as: .anonymous, headers: [.cookie: cookie]).status == .ok)
                #expect(try await api.send(.get, "/v1/me", as: .role(.alerter)).status == .ok)
                #expect(try await api.send(.get, "/v1/me").status == .ok)
                // The new password signs in.
                let again = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("publisher", "a brand new password"))
                #expect(again.status == .ok)
            }
        }
    }

    @Test func sessionCookieIsSecureWhenConfiguredOrForwardedFromHTTPS() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let plain = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("viewer", Fixture.password))
                #expect(try #require(plain.headers[.setCookie]).contains("Secure") == false)
                let proxied = try await api.send(
                    .post, "/v1/auth/login", as: .anonymous, json: Self.login("viewer", Fixture.password),
                    headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
                #expect(try #require(proxied.headers[.setCookie]).contains("; Secure"))
            }
        }
        try await Fixture.with(configure: { $0.secureCookies = true }) { fx in
            try await fx.test { api in
                let login = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("viewer", Fixture.password))
                #expect(try #require(login.headers[.setCookie]).contains("; Secure"))
                let cookie = try Self.sessionCookie(login)
                let logout = try await api.send(.post, "/v1/auth/logout", as: .anonymous, headers: [.cookie: cookie])
                #expect(try #require(logout.headers[.setCookie]).contains("; Secure"))
            }
        }
    }

    @Test func oneClientGuessingAcrossManyUsernamesIsRateLimited() async throws {
        try await Fixture.with(configure: { $0.loginAddressFailureLimit = 3 }) { fx in
            // Over a real socket, so the request has a client address.
            try await fx.makeApplication().test(.live) { client in
                let api = API(client: client)
                for username in ["viewer", "approver", "alerter"] {
                    let r = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login(username, "guess-guess-guess"))
                    #expect(r.status == .unauthorized)
                }
                // A fourth username, never guessed before, waits: the client used up its guesses.
                let limited = try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("publisher", Fixture.password))
                #expect(limited.status == .tooManyRequests)
                #expect(limited.apiError?.message.contains("address") == true)
                fx.clock.advance(by: fx.configuration.loginWindow)
                #expect(try await api.send(.post, "/v1/auth/login", as: .anonymous, json: Self.login("publisher", Fixture.password)).status == .ok)
            }
        }
    }

    @Test func theThrottleCountsPerAddressAndForgetsTheStalestKeysWhenFull() {
        let throttle = LoginThrottle(limit: 2, addressLimit: 3, window: 60, capacity: 100)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        for i in 0..<3 { throttle.recordFailure(username: "user-\(i)", address: "10.0.0.1", now: t0) }
        #expect(throttle.retryAfter(username: "someone-else", address: "10.0.0.1", now: t0) == .address(60))
        #expect(throttle.retryAfter(username: "someone-else", address: "10.0.0.2", now: t0) == nil)
        throttle.recordFailure(username: "user-0", address: "10.0.0.2", now: t0)
        #expect(throttle.retryAfter(username: "user-0", address: "10.0.0.9", now: t0) == .username(60))
        // A success clears the username's count, not the address's.
        throttle.reset(username: "user-0")
        #expect(throttle.retryAfter(username: "user-0", address: "10.0.0.9", now: t0) == nil)
        #expect(throttle.retryAfter(username: "user-0", address: "10.0.0.1", now: t0) == .address(60))

        // A flood of made-up usernames from many addresses stays within the capacity.
        for i in 0..<10_000 {
            throttle.recordFailure(username: "made-up-\(i)", address: "10.1.\(i / 256).\(i % 256)", now: t0.addingTimeInterval(Double(i) / 1000))
        }
        let count = throttle.keyCount
        #expect(count.usernames <= 100 && count.addresses <= 100)
        // The newest keys are the ones kept.
        #expect(throttle.retryAfter(username: "made-up-9999", address: nil, now: t0.addingTimeInterval(10)) == nil)
        throttle.recordFailure(username: "made-up-9999", address: nil, now: t0.addingTimeInterval(10))
        #expect(throttle.retryAfter(username: "made-up-9999", address: nil, now: t0.addingTimeInterval(10)) != nil)
    }
}
