/// A number read from bytes: its value, and the exact integer when it was written as one.
struct ScannedNumber {
    var value: Double
    var integer: Int64?
}

/// Decimal numbers straight from bytes.
enum NumberScanner {
    /// Exact powers of ten; a mantissa below 2^53 times or over one of these is correctly
    /// rounded in one operation (Clinger's fast path), which covers nearly every sensor value.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Reads a number starting at `start`, returning it and the index after it, or nil when the
    /// bytes there are not a number. Strict is JSON's grammar; lenient also takes a leading `+`,
    /// leading zeros, `.5` and `5.` as line protocol and CSV writers produce them.
    static func scan(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, lenient: Bool) -> (ScannedNumber, Int)? {
        var i = start
        var negative = false
        if i < end && p[i] == 0x2D {
            negative = true
            i += 1
        } else if lenient && i < end && p[i] == 0x2B {
            i += 1
        }
        var mantissa: UInt64 = 0
        var exponent = 0
        var truncated = false
        var isInteger = true
        let intStart = i
        while i < end, p[i] &- 0x30 < 10 {
            let d = UInt64(p[i] &- 0x30)
            if mantissa < 1_000_000_000_000_000_000 {
                mantissa = mantissa * 10 + d
            } else {
                exponent += 1
                truncated = truncated || d != 0
            }
            i += 1
        }
        let intDigits = i - intStart
        if !lenient && (intDigits == 0 || (intDigits > 1 && p[intStart] == 0x30)) { return nil }
        var fractionDigits = 0
        if i < end && p[i] == 0x2E {
            isInteger = false
            i += 1
            let fractionStart = i
            while i < end, p[i] &- 0x30 < 10 {
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa * 10 + UInt64(p[i] &- 0x30)
                    exponent -= 1
                } else {
                    truncated = truncated || p[i] != 0x30
                }
                i += 1
            }
            fractionDigits = i - fractionStart
            if fractionDigits == 0 && !lenient { return nil }
        }
        if intDigits == 0 && fractionDigits == 0 { return nil }
        if i < end && p[i] | 0x20 == 0x65 {
            isInteger = false
            i += 1
            var negativeExponent = false
            if i < end && (p[i] == 0x2B || p[i] == 0x2D) {
                negativeExponent = p[i] == 0x2D
                i += 1
            }
            let exponentStart = i
            var e = 0
            while i < end, p[i] &- 0x30 < 10 {
                // Beyond this any value is 0 or infinity anyway; stop growing before overflow.
                if e < 100_000 { e = e * 10 + Int(p[i] &- 0x30) }
                i += 1
            }
            if i == exponentStart { return nil }
            exponent += negativeExponent ? -e : e
        }

        var integer: Int64?
        if isInteger && exponent == 0 {
            if !negative && mantissa <= UInt64(Int64.max) {
                integer = Int64(mantissa)
            } else if negative && mantissa <= UInt64(Int64.max) + 1 {
                integer = Int64(truncatingIfNeeded: 0 &- mantissa)
            }
        }
        let value: Double
        if mantissa == 0 {
            value = 0
        } else if !truncated && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            value = exponent < 0 ? Double(mantissa) / powersOfTen[-exponent] : Double(mantissa) * powersOfTen[exponent]
        } else {
            // Rare: let the standard library round long or extreme numbers correctly.
            let text = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
            guard let slow = Double(text) else { return nil }
            return (ScannedNumber(value: slow, integer: integer), i)
        }
        return (ScannedNumber(value: negative ? -value : value, integer: integer), i)
    }

    /// A whole number of milliseconds: an integer literal, or a number with an integral value.
    static func milliseconds(_ n: ScannedNumber) -> Int64? {
        if let integer = n.integer { return integer }
        guard n.value == n.value.rounded(), abs(n.value) < 9.2e18 else { return nil }
        return Int64(n.value)
    }
}

/// Strings made from bytes, remembered so that the same few metric and source names are not
/// decoded and allocated again for every reading.
struct StringCache {
    private var entries: [(bytes: [UInt8], string: String)] = []
    private var lastHit = 0
    private static let capacity = 64

    mutating func string(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> String? {
        let count = end - start
        if lastHit < entries.count && Self.equal(entries[lastHit].bytes, p + start, count) { return entries[lastHit].string }
        for (k, entry) in entries.enumerated() where Self.equal(entry.bytes, p + start, count) {
            lastHit = k
            return entry.string
        }
        let buffer = UnsafeBufferPointer(start: p + start, count: count)
        guard let string = String(validating: buffer, as: UTF8.self) else { return nil }
        if entries.count < Self.capacity {
            entries.append((Array(buffer), string))
            lastHit = entries.count - 1
        }
        return string
    }

    private static func equal(_ bytes: [UInt8], _ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        guard bytes.count == count else { return false }
        return bytes.withUnsafeBufferPointer { b in
            for k in 0..<count where b[k] != p[k] { return false }
            return true
        }
    }
}

/// Where in a body something went wrong, for messages a person can follow.
enum TextPosition {
    /// 1-based line and column (in bytes) of `offset`.
    static func describe(_ p: UnsafePointer<UInt8>, _ count: Int, offset: Int) -> String {
        var line = 1, lineStart = 0
        for k in 0..<min(offset, count) where p[k] == 0x0A {
            line += 1
            lineStart = k + 1
        }
        return "line \(line), column \(offset - lineStart + 1)"
    }

    /// The bytes as text for quoting in a message, cut at `limit` bytes.
    static func printable(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, limit: Int = 40) -> String {
        let shown = String(decoding: UnsafeBufferPointer(start: p + start, count: min(end - start, limit)), as: UTF8.self)
        return end - start > limit ? shown + "…" : shown
    }
}
