/// Malformed JSON: where reading stopped and what was expected there.
struct JSONSyntaxError: Error {
    var offset: Int
    var message: String
}

/// A string token: its bytes between the quotes, still escaped when `escaped` is set.
struct RawString {
    var start: Int
    var end: Int
    var escaped: Bool
}

/// The fields of the reading shapes; anything else is `.other`.
enum ReadingField {
    case source, sequence, readings, metric, time, value, other
}

/// A forward-only JSON tokenizer over bytes, for the few fixed shapes readings come in.
///
/// Row problems (a wrong type, an unknown field) are collected in `issues` and parsing goes on;
/// malformed JSON throws, since nothing after it can be trusted.
struct JSONScanner {
    let p: UnsafePointer<UInt8>
    /// Where the current document ends: the whole body, or the current NDJSON line.
    var end: Int
    var i: Int
    var strings = StringCache()
    var issues: [FieldIssue] = []
    /// The row that issues are filed under.
    var row: Int?

    /// Deep enough for any real value skipped in an unknown field, shallow enough for the stack.
    static let maxDepth = 64

    init(_ p: UnsafePointer<UInt8>, count: Int) {
        self.p = p
        self.end = count
        self.i = 0
    }

    mutating func note(_ field: String, _ message: String) {
        issues.append(FieldIssue(field: field, message: message, row: row))
    }

    func fail(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: i, message: message)
    }

    mutating func skipWhitespace() {
        while i < end {
            let b = p[i]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            i += 1
        }
    }

    /// The next byte after whitespace, without consuming it; 0 at the end (never valid there).
    mutating func peek() -> UInt8 {
        skipWhitespace()
        return i < end ? p[i] : 0
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONSyntaxError) {
        guard peek() == byte else { throw fail("expected \(what)") }
        i += 1
    }

    /// Reads a string whose opening quote is at `i`.
    mutating func rawString() throws(JSONSyntaxError) -> RawString {
        i += 1
        let start = i
        var escaped = false
        while i < end {
            let b = p[i]
            if b == 0x22 {
                i += 1
                return RawString(start: start, end: i - 1, escaped: escaped)
            }
            if b == 0x5C {
                escaped = true
                i += 2
                continue
            }
            if b < 0x20 { throw fail("control character inside a string") }
            i += 1
        }
        i = end
        throw fail("unterminated string")
    }

    /// The string's bytes with escapes resolved, or a syntax error for a bad escape.
    func unescaped(_ s: RawString) throws(JSONSyntaxError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.end - s.start)
        var k = s.start
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= s.end else { return nil }
            var v: UInt32 = 0
            for j in at..<at + 4 {
                let b = p[j]
                let d: UInt8
                switch b {
                case 0x30...0x39: d = b - 0x30
                case 0x41...0x46: d = b - 0x37
                case 0x61...0x66: d = b - 0x57
                default: return nil
                }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while k < s.end {
            let b = p[k]
            guard b == 0x5C else {
                out.append(b)
                k += 1
                continue
            }
            guard k + 1 < s.end else { throw JSONSyntaxError(offset: k, message: "bad escape in a string") }
            switch p[k + 1] {
            case 0x22, 0x5C, 0x2F: out.append(p[k + 1])
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard var scalar = hex4(k + 2) else { throw JSONSyntaxError(offset: k, message: "bad \\u escape in a string") }
                k += 6
                if (0xD800..<0xDC00).contains(scalar) {
                    guard k + 1 < s.end, p[k] == 0x5C, p[k + 1] == 0x75, let low = hex4(k + 2), (0xDC00..<0xE000).contains(low) else {
                        throw JSONSyntaxError(offset: k, message: "unpaired surrogate in a string")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    k += 6
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw JSONSyntaxError(offset: k, message: "unpaired surrogate in a string")
                }
                out.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
                continue
            default:
                throw JSONSyntaxError(offset: k, message: "bad escape in a string")
            }
            k += 2
        }
        return out
    }

    /// The string as Swift text; nil (with an issue) when it is not valid UTF-8.
    mutating func string(_ s: RawString, field: String) throws(JSONSyntaxError) -> String? {
        let text: String?
        if s.escaped {
            let bytes = try unescaped(s)
            text = String(validating: bytes, as: UTF8.self)
        } else {
            text = strings.string(p, s.start, s.end)
        }
        if text == nil { note(field, "is not valid UTF-8") }
        return text
    }

    mutating func field(_ s: RawString) throws(JSONSyntaxError) -> (ReadingField, String) {
        if s.escaped {
            let bytes = try unescaped(s)
            let name = String(decoding: bytes, as: UTF8.self)
            return bytes.withUnsafeBufferPointer { b in (b.baseAddress.map { Self.field($0, 0, b.count) } ?? .other, name) }
        }
        let f = Self.field(p, s.start, s.end)
        return (f, f == .other ? String(decoding: UnsafeBufferPointer(start: p + s.start, count: s.end - s.start), as: UTF8.self) : "")
    }

    private static func field(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> ReadingField {
        func equals(_ literal: StaticString) -> Bool {
            guard literal.utf8CodeUnitCount == end - start else { return false }
            let l = literal.utf8Start
            for k in 0..<(end - start) where p[start + k] != l[k] { return false }
            return true
        }
        switch end - start {
        case 4: return equals("time") ? .time : .other
        case 5: return equals("value") ? .value : .other
        case 6: return equals("metric") ? .metric : equals("source") ? .source : .other
        case 8: return equals("sequence") ? .sequence : equals("readings") ? .readings : .other
        default: return .other
        }
    }

    /// Reads the number at `i`, which starts with `-` or a digit.
    mutating func number() throws(JSONSyntaxError) -> ScannedNumber {
        guard let (n, next) = NumberScanner.scan(p, i, end, lenient: false) else { throw fail("malformed number") }
        i = next
        return n
    }

    /// Reads what follows a member of an object or array: true at the closing `}` or `]`,
    /// false after a comma.
    mutating func endOfMember(_ closing: UInt8) throws(JSONSyntaxError) -> Bool {
        let b = peek()
        guard b == closing || b == 0x2C else { throw fail(closing == 0x7D ? "expected ',' or '}'" : "expected ',' or ']'") }
        i += 1
        return b == closing
    }

    /// Steps through an object whose `{` has been read: the next field, with its `:` read, or
    /// nil once the closing `}` is read. `first` is true before the first field.
    mutating func nextField(first: Bool) throws(JSONSyntaxError) -> (ReadingField, String)? {
        if first {
            if peek() == 0x7D {
                i += 1
                return nil
            }
        } else if try endOfMember(0x7D) {
            return nil
        }
        guard peek() == 0x22 else { throw fail("expected a field name") }
        let f = try field(try rawString())
        try expect(0x3A, "':'")
        return f
    }

    /// Skips one value of any kind, checking it is well-formed.
    mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) {
        guard depth < Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
        switch peek() {
        case 0x22:
            _ = try rawString()
        case 0x2D, 0x30...0x39:
            _ = try number()
        case 0x7B:
            i += 1
            var first = true
            while try nextField(first: first) != nil {
                first = false
                try skipValue(depth: depth + 1)
            }
        case 0x5B:
            i += 1
            if peek() == 0x5D {
                i += 1
                return
            }
            while true {
                try skipValue(depth: depth + 1)
                if try endOfMember(0x5D) { return }
            }
        case 0x74: try literal("true")
        case 0x66: try literal("false")
        case 0x6E: try literal("null")
        default:
            throw fail("expected a value")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        guard end - i >= n else { throw fail("expected a value") }
        for k in 0..<n where p[i + k] != word.utf8Start[k] { throw fail("expected a value") }
        i += n
    }

    /// The kind of the value at `i`, for "must be a ..." messages.
    mutating func kindOfValue() -> String {
        switch peek() {
        case 0x22: return "a string"
        case 0x2D, 0x30...0x39: return "a number"
        case 0x7B: return "an object"
        case 0x5B: return "an array"
        case 0x74, 0x66: return "a boolean"
        case 0x6E: return "null"
        default: return "not a value"
        }
    }

    /// Reads a string value, or notes what else was there and skips it.
    mutating func stringValue(_ field: String) throws(JSONSyntaxError) -> String? {
        guard peek() == 0x22 else {
            note(field, "must be a string, not \(kindOfValue())")
            try skipValue()
            return nil
        }
        return try string(try rawString(), field: field)
    }

    /// Reads a number value, or notes what else was there and skips it.
    mutating func numberValue(_ field: String) throws(JSONSyntaxError) -> ScannedNumber? {
        let b = peek()
        guard b == 0x2D || b &- 0x30 < 10 else {
            note(field, "must be a number, not \(kindOfValue())")
            try skipValue()
            return nil
        }
        return try number()
    }

    /// Reads a time: an RFC 3339 string or whole milliseconds since 1970.
    mutating func timeValue() throws(JSONSyntaxError) -> Int64? {
        let b = peek()
        if b == 0x22 {
            let s = try rawString()
            let parsed: Int64?
            if s.escaped {
                let bytes = try unescaped(s)
                parsed = bytes.withUnsafeBufferPointer { b in b.baseAddress.flatMap { ReadingTime.parse($0, 0, b.count) } }
            } else {
                parsed = ReadingTime.parse(p, s.start, s.end)
            }
            if parsed == nil {
                note("time", "'\(TextPosition.printable(p, s.start, s.end))' is not an RFC 3339 time such as 2026-11-25T08:00:00Z")
            }
            return parsed
        }
        if b == 0x2D || b &- 0x30 < 10 {
            let n = try number()
            guard let ms = NumberScanner.milliseconds(n) else {
                note("time", "must be whole milliseconds since 1970, not \(n.value)")
                return nil
            }
            return ms
        }
        note("time", "must be an RFC 3339 string or milliseconds since 1970, not \(kindOfValue())")
        try skipValue()
        return nil
    }

    /// Reads a sequence number: a whole number.
    mutating func sequenceValue() throws(JSONSyntaxError) -> Int64? {
        guard let n = try numberValue("sequence") else { return nil }
        guard let integer = n.integer else {
            note("sequence", "must be a whole number, not \(n.value)")
            return nil
        }
        return integer
    }
}
