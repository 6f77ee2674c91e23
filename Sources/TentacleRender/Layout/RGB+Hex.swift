extension RGB {
    /// Parses "#RRGGBB" (either case); nil for anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 7, digits[0] == UInt8(ascii: "#") else { return nil }
        var value: UInt32 = 0
        for d in digits.dropFirst() {
            let nibble: UInt8
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = d - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = d - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = d - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(nibble)
        }
        self.init(UInt8(value >> 16), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }

    /// "#RRGGBB" in upper case, the form layouts store.
    public var hex: String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = [UInt8(ascii: "#")]
        for c in [r, g, b] {
            out.append(digits[Int(c >> 4)])
            out.append(digits[Int(c & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension KeyedDecodingContainer {
    /// A "#RRGGBB" colour, with a decoding error at this key's path for anything else.
    func decodeColor(forKey key: Key) throws -> RGB {
        let text = try decode(String.self, forKey: key)
        guard let color = RGB(hex: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\"\(text)\" is not a colour; write \"#RRGGBB\"")
        }
        return color
    }

    func decodeColorIfPresent(forKey key: Key) throws -> RGB? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeColor(forKey: key)
    }
}
