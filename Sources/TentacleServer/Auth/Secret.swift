import Foundation

/// Random bearer secrets and the hashes stored in their place.
package enum Secret {
    /// A new secret: a readable prefix and 256 random bits in base64url.
    package static func generate(prefix: String) -> String {
        var g = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = g.next() }
        return prefix + TextEncoding.base64URL(bytes)
    }

    /// SHA-256 hex: the secrets carry 256 random bits, so a fast hash is enough (no bcrypt needed).
    package static func hash(_ secret: String) -> String {
        TextEncoding.sha256Hex(secret.utf8)
    }

    /// The bearer token in an `Authorization: Bearer ...` header.
    static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    package static let userTokenPrefix = "tnt_"
    static let sessionPrefix = "tss_"
    package static let deviceTokenPrefix = "tdv_"
    static let sessionCookie = "tentacle_session"
}
