public import Hummingbird
import Synchronization
public import TentacleCore

/// The per-request context: who is calling, a user or a device.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in user, set by `UserAuthMiddleware`.
    public var principal: Principal?
    /// The display whose device token authenticated the request, set by `DeviceAuthMiddleware`.
    public var device: Display?
    /// Shared with the outer request log so it can name the caller found by inner middleware.
    let caller = CallerRecord()
    /// The peer's IP address, for counting failed logins per client.
    let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The signed-in user; routes behind `UserAuthMiddleware` always have one.
    func user() throws -> Principal {
        guard let principal else { throw APIError.unauthorized("sign in or send a bearer token") }
        return principal
    }

    /// The signed-in user, if their role grants `permission`; 403 otherwise.
    func user(_ permission: Permission) throws -> Principal {
        let p = try user()
        guard p.can(permission) else {
            throw APIError(.forbidden, "role '\(p.role.rawValue)' may not do this (needs \(permission.rawValue))")
        }
        return p
    }
}

/// Who made a request, written by the auth middleware and read by the request log.
final class CallerRecord: Sendable {
    private let value = Mutex<String?>(nil)

    var name: String? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
