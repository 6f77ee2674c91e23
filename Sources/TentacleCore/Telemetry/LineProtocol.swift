public import Foundation

/// InfluxDB line protocol as Telegraf and other gateways write it, mapped onto readings.
///
/// `measurement[,tag=value...] field=value[,field=value...] [timestamp]`, one point per line.
/// The source is the `source` tag, else the `host` tag. Each numeric field is one reading,
/// named by `metricName(measurement:field:)`. String and boolean fields are not measurements
/// and are skipped without an issue; so are other tags. A point without a timestamp is taken
/// at `receivedAt`. Readings are grouped into one batch per source, all under the `sequence`
/// the caller passes (the server takes it from the request).
public enum LineProtocol {
    /// The unit of the timestamps, as in InfluxDB's `precision` query parameter.
    public enum Precision: String, CaseIterable, Codable, Hashable, Sendable {
        case ns, us, ms, s

        /// Whole milliseconds, rounded toward the past; nil when they do not fit.
        func milliseconds(_ t: Int64) -> Int64? {
            switch self {
            case .ns: return ReadingTime.floorDivide(t, 1_000_000).0
            case .us: return ReadingTime.floorDivide(t, 1000).0
            case .ms: return t
            case .s:
                let (ms, overflow) = t.multipliedReportingOverflow(by: 1000)
                return overflow ? nil : ms
            }
        }
    }

    /// Measurements that only group metrics: their field keys are metric names as they stand.
    public static let groups: Set<String> = ["air", "weather", "environment", "sensors", "tentacle"]

    /// The metric a field becomes: the field key when the measurement is one of `groups`
    /// (`air pm25=12` → `pm25`); the measurement when the field is `value` (`pm25 value=12` →
    /// `pm25`); otherwise `measurement_field` (`panel temp_c=41` → `panel_temp_c`).
    public static func metricName(measurement: String, field: String) -> String {
        if groups.contains(measurement) { return field }
        if field == "value" { return measurement }
        return measurement + "_" + field
    }

    /// Parses a write body. Rows are the line each point starts on; a bad line is left out with
    /// an issue and the lines after it are still read.
    public static func parse(_ bytes: UnsafeRawBufferPointer, sequence: Int64, precision: Precision = .ns, receivedAt: Date) -> ParsedReadings {
        ReadingParser.withBytes(bytes) { p, count in
            var parser = LineProtocolParser(p, count: count)
            return parser.parse(sequence: sequence, precision: precision, defaultTime: Reading.milliseconds(receivedAt))
        }
    }

    public static func parse(_ bytes: [UInt8], sequence: Int64, precision: Precision = .ns, receivedAt: Date) -> ParsedReadings {
        bytes.withUnsafeBytes { parse($0, sequence: sequence, precision: precision, receivedAt: receivedAt) }
    }
}

/// A line that cannot be read: what was wrong and the byte it was found at.
private struct LineError: Error {
    var offset: Int
    var message: String
}

private struct LineProtocolParser {
    let p: UnsafePointer<UInt8>
    let count: Int
    var i = 0
    var line = 1
    var names = StringCache()
    var metrics = StringCache()
    var joined: [UInt8] = []
    var issues: [FieldIssue] = []
    var grouper = BatchGrouper()
    /// The current point's numeric fields, waiting for its timestamp.
    var pending: [(metric: String, value: Double)] = []

    init(_ p: UnsafePointer<UInt8>, count: Int) {
        self.p = p
        self.count = count
    }

    mutating func parse(sequence: Int64, precision: LineProtocol.Precision, defaultTime: Int64) -> ParsedReadings {
        while i < count {
            while i < count && (p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0D) { i += 1 }
            guard i < count else { break }
            if p[i] == 0x0A {
                i += 1
                line += 1
                continue
            }
            let row = line
            let lineStart = i
            if p[i] == 0x23 {
                skipRestOfLine()
                continue
            }
            do throws(LineError) {
                try point(row: row, sequence: sequence, precision: precision, defaultTime: defaultTime)
            } catch {
                let start = lastNewline(from: lineStart, to: error.offset).map { $0 + 1 } ?? lineStart
                issues.append(FieldIssue(field: "line", message: "\(error.message) at column \(error.offset - start + 1)", row: row))
                i = max(i, error.offset)
                skipRestOfLine()
            }
        }
        return ParsedReadings(batches: grouper.batches, issues: issues)
    }

    private func lastNewline(from start: Int, to end: Int) -> Int? {
        var k = min(end, count) - 1
        while k >= start {
            if p[k] == 0x0A { return k }
            k -= 1
        }
        return nil
    }

    private mutating func skipRestOfLine() {
        while i < count && p[i] != 0x0A { i += 1 }
        if i < count {
            i += 1
            line += 1
        }
    }

    private func fail(_ message: String) -> LineError {
        LineError(offset: i, message: message)
    }

    private mutating func point(row: Int, sequence: Int64, precision: LineProtocol.Precision, defaultTime: Int64) throws(LineError) {
        let measurementToken = token(escapesEquals: false)
        guard measurementToken.start < measurementToken.end else { throw fail("missing measurement") }
        guard let measurement = name(measurementToken) else { throw fail("measurement is not valid UTF-8") }

        var sourceTag: String?
        var hostTag: String?
        while i < count && p[i] == 0x2C {
            i += 1
            let key = token(escapesEquals: true)
            guard key.start < key.end else { throw fail("empty tag key") }
            guard i < count && p[i] == 0x3D else { throw fail("expected '=' after a tag key") }
            i += 1
            let value = token(escapesEquals: true)
            guard value.start < value.end else { throw fail("empty tag value") }
            if equals(key, "source") {
                sourceTag = name(value)
            } else if equals(key, "host") {
                hostTag = name(value)
            }
        }
        guard i < count && p[i] == 0x20 else { throw fail("expected a space before the fields") }
        while i < count && p[i] == 0x20 { i += 1 }

        pending.removeAll(keepingCapacity: true)
        while true {
            let key = token(escapesEquals: true)
            guard key.start < key.end else { throw fail("missing field key") }
            guard i < count && p[i] == 0x3D else { throw fail("expected '=' after a field key") }
            i += 1
            guard i < count else { throw fail("missing field value") }
            if p[i] == 0x22 {
                try skipStringField()
            } else {
                let start = i
                while i < count && p[i] != 0x2C && p[i] != 0x20 && p[i] != 0x0A && p[i] != 0x0D { i += 1 }
                if let value = try fieldValue(start, i) {
                    guard let field = name(key) else { throw fail("field key is not valid UTF-8") }
                    pending.append((metric(measurement: measurement, field: field), value))
                }
            }
            guard i < count && p[i] == 0x2C else { break }
            i += 1
        }

        var time = defaultTime
        while i < count && p[i] == 0x20 { i += 1 }
        if i < count && p[i] != 0x0A && p[i] != 0x0D {
            let start = i
            while i < count && p[i] != 0x20 && p[i] != 0x0A && p[i] != 0x0D { i += 1 }
            guard let (n, next) = NumberScanner.scan(p, start, i, lenient: false), next == i, let integer = n.integer else {
                i = start
                throw fail("the timestamp must be a whole number")
            }
            guard let ms = precision.milliseconds(integer) else {
                i = start
                throw fail("the timestamp is out of range")
            }
            time = ms
            while i < count && (p[i] == 0x20 || p[i] == 0x0D) { i += 1 }
        }
        if i < count && p[i] == 0x0D { i += 1 }
        guard i >= count || p[i] == 0x0A else { throw fail("unexpected text after the timestamp") }
        if i < count {
            i += 1
            line += 1
        }

        guard let source = sourceTag ?? hostTag else {
            if !pending.isEmpty { issues.append(FieldIssue(field: "source", message: "needs a 'source' or 'host' tag", row: row)) }
            return
        }
        for (metric, value) in pending {
            grouper.add(Reading(source: source, metric: metric, time: time, value: value), sequence: sequence, row: row)
        }
    }

    /// A name, tag or field key: up to an unescaped `,`, space or (for keys and tag values) `=`.
    /// Returns the range and whether it held escapes.
    private mutating func token(escapesEquals: Bool) -> (start: Int, end: Int, escaped: Bool) {
        let start = i
        var escaped = false
        while i < count {
            let b = p[i]
            if b == 0x5C && i + 1 < count && isEscapable(p[i + 1], escapesEquals) {
                escaped = true
                i += 2
                continue
            }
            if b == 0x2C || b == 0x20 || b == 0x0A || b == 0x0D || (escapesEquals && b == 0x3D) { break }
            i += 1
        }
        return (start, i, escaped)
    }

    private func isEscapable(_ b: UInt8, _ escapesEquals: Bool) -> Bool {
        b == 0x2C || b == 0x20 || (escapesEquals && b == 0x3D)
    }

    private mutating func name(_ t: (start: Int, end: Int, escaped: Bool)) -> String? {
        guard t.escaped else { return names.string(p, t.start, t.end) }
        var out: [UInt8] = []
        var k = t.start
        while k < t.end {
            // Only escapes of the special characters reach here; a lone backslash stays literal.
            if p[k] == 0x5C && k + 1 < t.end && (p[k + 1] == 0x2C || p[k + 1] == 0x20 || p[k + 1] == 0x3D) { k += 1 }
            out.append(p[k])
            k += 1
        }
        return String(validating: out, as: UTF8.self)
    }

    private func equals(_ t: (start: Int, end: Int, escaped: Bool), _ literal: StaticString) -> Bool {
        guard !t.escaped, t.end - t.start == literal.utf8CodeUnitCount else { return false }
        for k in 0..<(t.end - t.start) where p[t.start + k] != literal.utf8Start[k] { return false }
        return true
    }

    /// The metric name; the joined form is looked up by its bytes so repeated fields build no strings.
    private mutating func metric(measurement: String, field: String) -> String {
        guard !LineProtocol.groups.contains(measurement), field != "value" else {
            return LineProtocol.metricName(measurement: measurement, field: field)
        }
        joined.removeAll(keepingCapacity: true)
        joined.append(contentsOf: measurement.utf8)
        joined.append(0x5F)
        joined.append(contentsOf: field.utf8)
        let cached = joined.withUnsafeBufferPointer { b in b.baseAddress.flatMap { metrics.string($0, 0, b.count) } }
        return cached ?? LineProtocol.metricName(measurement: measurement, field: field)
    }

    /// A string field's `"..."`, which may hold `\"`, `\\` and newlines.
    private mutating func skipStringField() throws(LineError) {
        let open = i
        i += 1
        while i < count {
            switch p[i] {
            case 0x5C:
                if i + 1 < count && p[i + 1] == 0x0A { line += 1 }
                i += 2
            case 0x22:
                i += 1
                return
            case 0x0A:
                line += 1
                i += 1
            default: i += 1
            }
        }
        i = open
        throw fail("unterminated string field")
    }

    /// A numeric field's value; nil for booleans, which are not measurements.
    private func fieldValue(_ start: Int, _ end: Int) throws(LineError) -> Double? {
        guard start < end else { throw LineError(offset: start, message: "missing field value") }
        let last = p[end - 1]
        if last == 0x69 || last == 0x75 {
            guard let (n, next) = NumberScanner.scan(p, start, end - 1, lenient: false), next == end - 1, let integer = n.integer,
                last == 0x69 || integer >= 0
            else {
                throw LineError(offset: start, message: "'\(TextPosition.printable(p, start, end))' is not an \(last == 0x69 ? "integer" : "unsigned integer")")
            }
            return Double(integer)
        }
        switch end - start {
        case 1 where p[start] | 0x20 == 0x74 || p[start] | 0x20 == 0x66: return nil
        case 4 where Self.isWord(p, start, ["true", "True", "TRUE"]): return nil
        case 5 where Self.isWord(p, start, ["false", "False", "FALSE"]): return nil
        default: break
        }
        guard let (n, next) = NumberScanner.scan(p, start, end, lenient: true), next == end else {
            throw LineError(offset: start, message: "'\(TextPosition.printable(p, start, end))' is not a number")
        }
        return n.value
    }

    private static func isWord(_ p: UnsafePointer<UInt8>, _ start: Int, _ words: [StaticString]) -> Bool {
        words.contains { w in (0..<w.utf8CodeUnitCount).allSatisfy { p[start + $0] == w.utf8Start[$0] } }
    }
}
