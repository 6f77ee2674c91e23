import Foundation
import Hummingbird
import TentacleCore
import TentacleStore

/// Resolves a bearer token or session cookie to a user; answers 401 without one.
struct UserAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: any Storage
    let clock: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let bearer = Secret.bearer(request.headers[.authorization])
        guard let secret = bearer ?? request.cookies[Secret.sessionCookie]?.value else {
            throw APIError.unauthorized("sign in (POST /v1/auth/login) or send Authorization: Bearer <token>")
        }
        if bearer == nil { try SameOrigin.check(request) }
        guard let (_, user) = try await store.activeToken(secretHash: Secret.hash(secret), at: clock()) else {
            throw APIError.unauthorized("the token or session is unknown, expired or revoked")
        }
        var context = context
        context.principal = user.principal
        context.caller.name = user.username
        return try await next(request, context)
    }
}

/// Resolves a device token to its display; the display channel authenticates with it.
struct DeviceAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: any Storage

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let secret = Secret.bearer(request.headers[.authorization]) else {
            throw APIError.unauthorized("send the display's device token as Authorization: Bearer <token>")
        }
        guard let display = try await store.displayForCredential(secretHash: Secret.hash(secret)) else {
            throw APIError.unauthorized("the device token is unknown or revoked")
        }
        var context = context
        context.device = display
        context.caller.name = "device:\(display.id)"
        return try await next(request, context)
    }
}
