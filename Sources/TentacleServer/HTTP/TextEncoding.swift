import Crypto
import Foundation

/// The two text forms of bytes the API hands out: hex SHA-256 digests and unpadded base64url.
enum TextEncoding {
    /// Lowercase hex of the SHA-256 of `bytes`, as asset names, token hashes and snapshot versions use.
    static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(bytes)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Base64url without padding (RFC 4648 §5), safe in URLs, cookies and headers.
    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
