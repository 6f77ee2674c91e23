import Foundation
import Hummingbird
import TentacleCore
import TentacleStore

/// Device tokens: issued once per display, rotated by issuing again, revoked on demand.
struct CredentialController {
    let env: ServerEnvironment
    let displays: DisplayController

    struct Issued: Encodable {
        var credential: DeviceCredential
        /// Shown once; the server keeps only its hash.
        var token: String
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("displays/:id/credentials") { _, context in
            _ = try context.user(.manageCredentials)
            let display = try await displays.visibleDisplay(context)
            return try JSONBody.response(["items": try await env.store.credentials(displayId: display.id)])
        }
        group.post("displays/:id/credentials") { _, context in
            let p = try context.user(.manageCredentials)
            let display = try await displays.visibleDisplay(context)
            let now = env.clock()
            let credential = DeviceCredential(id: Identifier.generate(prefix: "crd"), displayId: display.id, createdAt: now, revokedAt: nil)
            let token = Secret.generate(prefix: Secret.deviceTokenPrefix)
            try await env.store.issueCredential(
                credential, secretHash: Secret.hash(token), replacingExisting: true,
                audit: env.audit(p, "credential.issue", "display", display.id, "issued device token \(credential.id); earlier tokens revoked"))
            env.channel.disconnect(display.id, reason: "device token replaced")
            return try JSONBody.response(Issued(credential: credential, token: token), status: .created)
        }
        group.delete("displays/:id/credentials") { _, context in
            let p = try context.user(.manageCredentials)
            let display = try await displays.visibleDisplay(context)
            try await env.store.revokeCredentials(
                displayId: display.id, at: env.clock(),
                audit: env.audit(p, "credential.revoke", "display", display.id, "revoked every device token"))
            env.channel.disconnect(display.id, reason: "device token revoked")
            return Response(status: .noContent)
        }
    }
}

/// Routes a display calls with its own device token.
struct DeviceController {
    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("devices/me") { _, context in
            guard let display = context.device else { throw APIError.unauthorized("device token required") }
            return try JSONBody.response(display)
        }
        // A WebSocket upgrade never reaches this router; a plain request gets told what to do.
        group.get("devices/channel") { _, _ -> Response in
            throw APIError(.upgradeRequired, "the display channel is a WebSocket: connect with an Upgrade: websocket request")
        }
    }
}
