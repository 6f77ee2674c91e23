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
    /// Every record, or the first problem.
    public static func parse(_ text: String) throws(CSVError) -> [CSVRecord] {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(CSVError) in
            guard let base = buffer.baseAddress else { return [] }
            var reader = CSVByteReader(base, count: buffer.count)
            var records: [CSVRecord] = []
            while let record = reader.record() {
                if let problem = record.problem { throw problem }
                // Splitting at ASCII delimiters keeps every field valid UTF-8, so decoding never repairs.
                records.append(CSVRecord(line: record.line, fields: reader.fields.map(reader.text)))
            }
            return records
        }
    }
}

/// The one CSV tokenizer: splits bytes into records of field ranges without copying unquoted
/// fields, as `CSV.parse` describes. Display imports read it through `CSV.parse`, telemetry
/// ingest directly, record by record, so a bad record is one issue and reading goes on.
struct CSVByteReader {
    struct Field {
        var start: Int
        var end: Int
        /// Quoted fields hold `""` for each quote and are unescaped when read.
        var quoted: Bool
    }

    struct Record {
        /// The line the record starts on.
        var line: Int
        /// Why the record is unreadable, if it is; the rest of its line is skipped.
        var problem: CSVError?
    }

    let p: UnsafePointer<UInt8>
    let count: Int
    private var i = 0
    private var line = 1
    /// The fields of the last record read; reused so records cost no allocation.
    private(set) var fields: [Field] = []

    private static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    init(_ p: UnsafePointer<UInt8>, count: Int) {
        self.p = p
        self.count = count
        if count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3 }
    }

    /// Reads the next record into `fields`, skipping empty lines; nil at the end of the bytes.
    mutating func record() -> Record? {
        while i < count && (p[i] == Self.lf || p[i] == Self.cr) { endLine() }
        guard i < count else { return nil }
        fields.removeAll(keepingCapacity: true)
        let start = line
        func problem(_ code: CSVError.Code, line: Int) -> Record {
            Record(line: start, problem: CSVError(code: code, line: line, field: fields.count + 1))
        }
        while true {
            if p[i] == Self.quote {
                let openLine = line
                i += 1
                let first = i
                while true {
                    guard i < count else { return problem(.unterminatedQuote, line: openLine) }
                    let b = p[i]
                    if b == Self.quote {
                        if i + 1 < count && p[i + 1] == Self.quote {
                            i += 2
                            continue
                        }
                        break
                    }
                    if b == Self.lf || (b == Self.cr && !(i + 1 < count && p[i + 1] == Self.lf)) { line += 1 }
                    i += 1
                }
                let field = Field(start: first, end: i, quoted: true)
                i += 1
                guard i >= count || p[i] == Self.comma || p[i] == Self.lf || p[i] == Self.cr else {
                    defer { skipLine() }
                    return problem(.strayQuote, line: line)
                }
                fields.append(field)
            } else {
                let first = i
                while i < count, p[i] != Self.comma, p[i] != Self.lf, p[i] != Self.cr {
                    if p[i] == Self.quote {
                        defer { skipLine() }
                        return problem(.strayQuote, line: line)
                    }
                    i += 1
                }
                fields.append(Field(start: first, end: i, quoted: false))
            }
            if i < count && p[i] == Self.comma {
                i += 1
                if i < count { continue }
                // A comma at the very end leaves one more, empty field.
                fields.append(Field(start: i, end: i, quoted: false))
            }
            if i < count { endLine() }
            return Record(line: start, problem: nil)
        }
    }

    private mutating func endLine() {
        if i < count && p[i] == Self.cr { i += 1 }
        if i < count && p[i] == Self.lf { i += 1 }
        line += 1
    }

    private mutating func skipLine() {
        while i < count, p[i] != Self.lf, p[i] != Self.cr { i += 1 }
        if i < count { endLine() }
    }

    func unquotedBytes(_ f: Field) -> [UInt8] {
        var out: [UInt8] = []
        var k = f.start
        while k < f.end {
            out.append(p[k])
            k += p[k] == Self.quote ? 2 : 1
        }
        return out
    }

    func text(_ f: Field) -> String {
        f.quoted ? String(decoding: unquotedBytes(f), as: UTF8.self) : String(decoding: UnsafeBufferPointer(start: p + f.start, count: f.end - f.start), as: UTF8.self)
    }
}
