/// Rules for the ids and codes users choose (display ids, district and group codes, tags).
public enum Identifier {
    /// Lowercase letters, digits, `-` and `_`, starting with a letter or digit, 1...64 long.
    public static func isValid(_ s: String, maxLength: Int = 64) -> Bool {
        guard !s.isEmpty, s.utf8.count <= maxLength else { return false }
        for (i, b) in s.utf8.enumerated() {
            let alnum = (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            if alnum { continue }
            if i > 0 && (b == 0x2D || b == 0x5F) { continue }
            return false
        }
        return true
    }

    public static let rule = "use 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit"

    /// A fresh random id with a readable prefix, e.g. `dsp-3f9c1a0b7e2d4c55`.
    public static func generate(prefix: String) -> String {
        var g = SystemRandomNumberGenerator()
        let n = g.next() as UInt64
        let hex = String(n, radix: 16)
        return "\(prefix)-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
