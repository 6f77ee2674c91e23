import Foundation

/// A JSON value as NGSI-LD queries see it.
public indirect enum NGSIValue: Hashable, Sendable {
    case number(Double), string(String), bool(Bool), array([NGSIValue]), object([String: NGSIValue]), null

    /// Converts what `JSONSerialization` returns (or the same built by hand); nil for anything JSON has no form of.
    public init?(json: Any) {
        // Linux Foundation bridges numbers to `Bool` and booleans to `Double`, so a boolean is told
        // apart by its type: a Swift `Bool`, or an `NSNumber` that holds a C `char` (`__NSCFBoolean`).
        if type(of: json) == Bool.self, let bool = json as? Bool {
            self = .bool(bool)
        } else if let string = json as? String {
            self = .string(string)
        } else if let number = json as? NSNumber {
            self = String(cString: number.objCType) == "c" ? .bool(number.boolValue) : .number(number.doubleValue)
        } else if let items = json as? [Any] {
            var values: [NGSIValue] = []
            values.reserveCapacity(items.count)
            for item in items {
                guard let value = NGSIValue(json: item) else { return nil }
                values.append(value)
            }
            self = .array(values)
        } else if let members = json as? [String: Any] {
            var values: [String: NGSIValue] = [:]
            values.reserveCapacity(members.count)
            for (key, member) in members {
                guard let value = NGSIValue(json: member) else { return nil }
                values[key] = value
            }
            self = .object(values)
        } else if json is NSNull {
            self = .null
        } else {
            return nil
        }
    }

    /// The value in the shapes `JSONSerialization` writes: `Double`, `String`, `Bool`, `[Any]`, `[String: Any]`, `NSNull`.
    public var json: Any {
        switch self {
        case .number(let n): n
        case .string(let s): s
        case .bool(let b): b
        case .array(let items): items.map(\.json)
        case .object(let members): members.mapValues(\.json)
        case .null: NSNull()
        }
    }
}

extension NGSIValue {
    /// The number spelled at `start` (`-3`, `2.5`, `1e3`; JSON's grammar, leading zeros allowed) and
    /// where it ends; the value is infinite when it overflows, for the caller to name.
    static func scanNumber(_ bytes: [UInt8], from start: Int) -> (value: Double, end: Int)? {
        var i = start
        func digits() -> Bool {
            let first = i
            while i < bytes.count, bytes[i] &- 0x30 < 10 { i += 1 }
            return i > first
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digits() else { return nil }
        if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "."), bytes[i + 1] &- 0x30 < 10 {
            i += 1
            _ = digits()
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            let mark = i
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            if !digits() { i = mark }
        }
        guard let value = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else { return nil }
        return (value, i)
    }

    /// The number `text` spells as a whole, as `scanNumber` reads it.
    static func number(spelledBy text: some StringProtocol) -> Double? {
        let bytes = Array(text.utf8)
        guard let (value, end) = scanNumber(bytes, from: 0), end == bytes.count else { return nil }
        return value
    }
}
