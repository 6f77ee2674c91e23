import Foundation
import HTTPTypes
import Hummingbird
import TentacleCore
import TentacleStore

/// Signing in and out, the caller's own profile and their API tokens.
struct AuthController {
    let env: ServerEnvironment

    struct Login: Decodable {
        var username: String
        var password: String
    }

    struct SessionBody: Encodable {
        var user: User
        var expiresAt: Date
    }

    struct NewToken: Decodable {
        var name: String
        var expiresInDays: Int?
    }

    struct IssuedToken: Encodable {
        var token: APIToken
        /// Shown once; only its hash is stored.
        var secret: String
    }

    /// Login lives outside the authenticated group.
    func registerPublic(on group: RouterGroup<AppRequestContext>) {
        group.post("auth/login", use: login)
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("auth/logout", use: logout)
        group.get("me") { _, context in try JSONBody.response(try await me(context)) }
        group.get("tokens") { _, context in
            let p = try context.user()
            return try JSONBody.response(["items": try await env.store.tokens(userId: p.userID)])
        }
        group.post("tokens", use: createToken)
        group.delete("tokens/:id") { _, context in
            let p = try context.user()
            let id = try context.parameters.require("id")
            try await env.store.revokeToken(
                id: id, userId: p.userID, at: env.clock(), audit: env.audit(p, "token.revoke", "token", id, "revoked API token"))
            return Response(status: .noContent)
        }
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(Login.self, from: request, allowedFields: ["username", "password"], limit: env.configuration.maxBodyBytes)
        let key = body.username.lowercased()
        let now = env.clock()
        switch env.throttle.retryAfter(username: key, address: context.clientAddress, now: now) {
        case .username(let wait):
            throw APIError(
                .rateLimited, "too many failed logins for '\(body.username.prefix(64))'; try again in \(wait) s",
                headers: [.retryAfter: String(wait)])
        case .address(let wait):
            throw APIError(.rateLimited, "too many failed logins from your address; try again in \(wait) s", headers: [.retryAfter: String(wait)])
        case nil:
            break
        }
        let found = try await env.store.credentials(username: body.username)
        let ok = try await env.hasher.verify(body.password, hash: found?.passwordHash ?? env.hasher.decoy)
        guard ok, let user = found?.user else {
            env.throttle.recordFailure(username: key, address: context.clientAddress, now: now)
            throw APIError.unauthorized("wrong username or password")
        }
        env.throttle.reset(username: key)
        let secret = Secret.generate(prefix: Secret.sessionPrefix)
        let expires = now.addingTimeInterval(env.configuration.sessionLifetime)
        let token = APIToken(
            id: Identifier.generate(prefix: "ses"), userId: user.id, name: "dashboard session", kind: .session,
            createdAt: now, expiresAt: expires, revokedAt: nil)
        try await env.store.createToken(token, secretHash: Secret.hash(secret), audit: nil)
        context.caller.name = user.username
        var response = try JSONBody.response(SessionBody(user: user, expiresAt: expires))
        response.setCookie(
            Cookie(
                name: Secret.sessionCookie, value: secret, maxAge: Int(env.configuration.sessionLifetime), path: "/",
                secure: secureCookie(request), httpOnly: true, sameSite: .strict))
        return response
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user()
        if let secret = request.cookies[Secret.sessionCookie]?.value,
           let (token, _) = try await env.store.activeToken(secretHash: Secret.hash(secret), at: env.clock())
        {
            try await env.store.revokeToken(id: token.id, userId: p.userID, at: env.clock(), audit: nil)
        }
        var response = Response(status: .noContent)
        response.setCookie(
            Cookie(name: Secret.sessionCookie, value: "", maxAge: 0, path: "/", secure: secureCookie(request), httpOnly: true, sameSite: .strict))
        return response
    }

    /// Session cookies are `Secure` when the server is told it is served over https, or when a
    /// TLS-terminating proxy says the request came in over https; a browser then never sends the
    /// cookie over plain http.
    func secureCookie(_ request: Request) -> Bool {
        env.configuration.secureCookies || request.headers[Self.forwardedProto]?.lowercased() == "https"
    }

    // A constant, valid field name.
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    func me(_ context: AppRequestContext) async throws -> User {
        let p = try context.user()
        guard let user = try await env.store.user(id: p.userID) else { throw APIError.unauthorized("the user no longer exists") }
        return user
    }

    @Sendable func createToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user()
        let body = try await JSONBody.decode(NewToken.self, from: request, allowedFields: ["name", "expiresInDays"], limit: env.configuration.maxBodyBytes)
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else {
            throw ValidationError(field: "name", "must be 1-100 characters")
        }
        if let days = body.expiresInDays, !(1...3650).contains(days) {
            throw ValidationError(field: "expiresInDays", "must be 1...3650")
        }
        let now = env.clock()
        let token = APIToken(
            id: Identifier.generate(prefix: "tok"), userId: p.userID, name: name, kind: .api, createdAt: now,
            expiresAt: body.expiresInDays.map { now.addingTimeInterval(Double($0) * 86400) }, revokedAt: nil)
        let secret = Secret.generate(prefix: Secret.userTokenPrefix)
        try await env.store.createToken(
            token, secretHash: Secret.hash(secret), audit: env.audit(p, "token.create", "token", token.id, "created API token '\(name)'"))
        return try JSONBody.response(IssuedToken(token: token, secret: secret), status: .created)
    }
}
