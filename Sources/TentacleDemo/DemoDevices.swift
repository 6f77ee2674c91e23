public import Foundation
import TentacleCore
import TentacleServer
public import TentacleStore

/// Device tokens for the demo city's simulated displays, kept in the demo's data folder so a
/// restarted demo reconnects the same displays without issuing new tokens.
public enum DemoDevices {
    public static let fileName = "device-tokens.csv"

    /// A token for every display: those in `folder`'s tokens file that still work, new ones for the rest.
    public static func provision(store: any Storage, folder: String, clock: @Sendable () -> Date = { Date() }) async throws -> [(id: String, token: String)] {
        let path = (folder as NSString).appendingPathComponent(fileName)
        var known: [String: String] = [:]
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in text.split(separator: "\n").dropFirst() {
                let parts = line.split(separator: ",")
                if parts.count == 2 { known[String(parts[0])] = String(parts[1]) }
            }
        }
        var devices: [(id: String, token: String)] = []
        var issued = 0
        for display in try await store.everyDisplay() {
            if let token = known[display.id], try await store.displayForCredential(secretHash: Secret.hash(token))?.id == display.id {
                devices.append((display.id, token))
                continue
            }
            let token = Secret.generate(prefix: Secret.deviceTokenPrefix)
            let credential = DeviceCredential(id: Identifier.generate(prefix: "crd"), displayId: display.id, createdAt: clock(), revokedAt: nil)
            try await store.issueCredential(
                credential, secretHash: Secret.hash(token), replacingExisting: true,
                audit: AuditEvent(actor: "system", action: "credential.issue", objectType: "display", objectId: display.id, summary: "demo display token"))
            devices.append((display.id, token))
            issued += 1
        }
        if issued > 0 {
            let text = "display_id,token\n" + devices.map { "\($0.id),\($0.token)\n" }.joined()
            // Without the file the next start simply issues fresh tokens, so a failed write costs nothing else.
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        }
        return devices
    }
}
