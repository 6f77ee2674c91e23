/// One record of a CSV file and the 1-based physical line it starts on.
public struct CSVRecord: Hashable, Sendable {
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A CSV text that is not well-formed, naming the line and field where reading stopped.
public struct CSVError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong; a struct rather than an enum so cases can be added without breaking callers.
    public struct Code: Hashable, Sendable {
        private enum Base: Hashable, Sendable { case unterminatedQuote, strayQuote }
        private let base: Base

        /// A quoted field runs to the end of the text.
        public static let unterminatedQuote = Code(base: .unterminatedQuote)
        /// A `"` inside an unquoted field, or text right after a closing quote.
        public static let strayQuote = Code(base: .strayQuote)
    }

    public let code: Code
    /// The 1-based physical line of the offending quote.
    public let line: Int
    /// The 1-based position of the field within its record.
    public let field: Int

    public init(code: Code, line: Int, field: Int) {
        self.code = code
        self.line = line
        self.field = field
    }

    public var message: String {
        switch code {
        case .unterminatedQuote: return "quoted field is never closed; a '\"' inside quotes must be doubled"
        default: return "a '\"' may only open a field or be doubled inside a quoted field"
        }
    }

    public var description: String { "line \(line), field \(field): \(message)" }
}

/// An RFC 4180 CSV reader: comma-separated, `"`-quoted fields with `""` escapes and embedded newlines.
///
/// Lines may end in CRLF, LF or a lone CR; a leading UTF-8 byte order mark is dropped and empty
/// lines between records are skipped. Fields are returned exactly as written, untrimmed.
public enum CSV {
    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    public static func parse(_ text: String) throws(CSVError) -> [CSVRecord] {
        let bytes = Array(text.utf8)
        let n = bytes.count
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var records: [CSVRecord] = []
        var field: [UInt8] = []

        // Consumes one line break at `i` (CRLF counts once) and reports whether there was one.
        func skipNewline() -> Bool {
            guard i < n else { return false }
            if bytes[i] == lf {
                i += 1
            } else if bytes[i] == cr {
                i += 1
                if i < n && bytes[i] == lf { i += 1 }
            } else {
                return false
            }
            line += 1
            return true
        }

        while skipNewline() {}
        while i < n {
            let recordLine = line
            var fields: [String] = []
            while true {
                if i < n && bytes[i] == quote {
                    let openLine = line
                    i += 1
                    while true {
                        guard i < n else {
                            throw CSVError(code: .unterminatedQuote, line: openLine, field: fields.count + 1)
                        }
                        let b = bytes[i]
                        if b == quote {
                            if i + 1 < n && bytes[i + 1] == quote {
                                field.append(quote)
                                i += 2
                                continue
                            }
                            i += 1
                            break
                        }
                        if b == lf || (b == cr && !(i + 1 < n && bytes[i + 1] == lf)) { line += 1 }
                        field.append(b)
                        i += 1
                    }
                    if i < n && bytes[i] != comma && bytes[i] != lf && bytes[i] != cr {
                        throw CSVError(code: .strayQuote, line: line, field: fields.count + 1)
                    }
                } else {
                    while i < n {
                        let b = bytes[i]
                        if b == comma || b == lf || b == cr { break }
                        if b == quote { throw CSVError(code: .strayQuote, line: line, field: fields.count + 1) }
                        field.append(b)
                        i += 1
                    }
                }
                // Splitting at ASCII delimiters keeps every field valid UTF-8, so decoding never repairs.
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                if i < n && bytes[i] == comma {
                    i += 1
                    continue
                }
                break
            }
            records.append(CSVRecord(line: recordLine, fields: fields))
            while skipNewline() {}
        }
        return records
    }
}
