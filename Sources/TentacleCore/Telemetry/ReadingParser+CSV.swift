extension ReadingParser {
    /// The columns a readings CSV has, in any order.
    public static let csvColumns = ["source", "sequence", "metric", "time", "value"]

    /// CSV (RFC 4180) with a header naming exactly `csvColumns`, one reading per record,
    /// grouped into batches by (source, sequence) in order of first appearance.
    ///
    /// Rows are the line a record starts on (the header is line 1). `time` is RFC 3339 or whole
    /// milliseconds since 1970. A bad record is left out with an issue; a bad header returns nothing.
    public static func csv(_ bytes: UnsafeRawBufferPointer) -> ParsedReadings {
        withBytes(bytes) { p, count in
            var reader = CSVByteReader(p, count: count)
            guard let header = reader.record() else {
                return ParsedReadings(issues: [FieldIssue(field: "body", message: "has no header line")])
            }
            if let problem = header.problem {
                return ParsedReadings(issues: [FieldIssue(field: "header", message: Self.message(problem), row: header.line)])
            }
            var columns: [Int] = Array(repeating: -1, count: csvColumns.count)
            var issues: [FieldIssue] = []
            for (k, field) in reader.fields.enumerated() {
                let name = reader.text(field)
                if let c = csvColumns.firstIndex(of: name) {
                    if columns[c] >= 0 { issues.append(FieldIssue(field: "header", message: "column '\(name)' appears twice", row: 1)) }
                    columns[c] = k
                } else {
                    issues.append(FieldIssue(field: "header", message: "unknown column '\(name.prefix(40))' (expected \(csvColumns.joined(separator: ",")))", row: 1))
                }
            }
            for (c, k) in columns.enumerated() where k < 0 {
                issues.append(FieldIssue(field: "header", message: "column '\(csvColumns[c])' is missing", row: 1))
            }
            if !issues.isEmpty { return ParsedReadings(issues: issues) }

            let width = reader.fields.count
            var strings = StringCache()
            var grouper = BatchGrouper()
            while let record = reader.record() {
                let line = record.line
                func note(_ field: String, _ message: String) {
                    issues.append(FieldIssue(field: field, message: message, row: line))
                }
                if let problem = record.problem {
                    note("line", Self.message(problem))
                    continue
                }
                guard reader.fields.count == width else {
                    note("line", "has \(reader.fields.count) fields, the header has \(width)")
                    continue
                }
                let before = issues.count
                let source = reader.string(reader.fields[columns[0]], cache: &strings)
                if source == nil { note("source", "is not valid UTF-8") }
                let sequenceText = reader.fields[columns[1]]
                let sequence = reader.number(sequenceText, lenient: false)?.integer
                if sequence == nil { note("sequence", "'\(reader.text(sequenceText).prefix(40))' is not a whole number") }
                let metric = reader.string(reader.fields[columns[2]], cache: &strings)
                if metric == nil { note("metric", "is not valid UTF-8") }
                let timeText = reader.fields[columns[3]]
                let time = reader.time(timeText)
                if time == nil {
                    note("time", "'\(reader.text(timeText).prefix(40))' is neither an RFC 3339 time nor whole milliseconds since 1970")
                }
                let valueText = reader.fields[columns[4]]
                let value = reader.number(valueText, lenient: true)?.value
                if value == nil { note("value", "'\(reader.text(valueText).prefix(40))' is not a number") }
                guard issues.count == before, let source, let sequence, let metric, let time, let value else { continue }
                grouper.add(Reading(source: source, metric: metric, time: time, value: value), sequence: sequence, row: line)
            }
            return ParsedReadings(batches: grouper.batches, issues: issues)
        }
    }

    private static func message(_ problem: CSVError) -> String {
        problem.code == .unterminatedQuote ? "a quoted field is not closed" : problem.message
    }

    public static func csv(_ bytes: [UInt8]) -> ParsedReadings {
        bytes.withUnsafeBytes { csv($0) }
    }
}

/// Reading fields as the telemetry parser needs them: strings through its cache, numbers and times
/// scanned in place.
extension CSVByteReader {
    func string(_ f: Field, cache: inout StringCache) -> String? {
        f.quoted ? String(validating: unquotedBytes(f), as: UTF8.self) : cache.string(p, f.start, f.end)
    }

    /// Runs `body` on the field's bytes with quotes resolved.
    private func withField<T>(_ f: Field, _ body: (UnsafePointer<UInt8>, Int, Int) -> T?) -> T? {
        guard f.quoted else { return body(p, f.start, f.end) }
        return unquotedBytes(f).withUnsafeBufferPointer { b in b.baseAddress.flatMap { body($0, 0, b.count) } }
    }

    /// The field as a number filling the whole field.
    func number(_ f: Field, lenient: Bool) -> ScannedNumber? {
        withField(f) { p, start, end in
            guard let (n, next) = NumberScanner.scan(p, start, end, lenient: lenient), next == end else { return nil }
            return n
        }
    }

    func time(_ f: Field) -> Int64? {
        withField(f) { p, start, end in
            if let ms = ReadingTime.parse(p, start, end) { return ms }
            guard let (n, next) = NumberScanner.scan(p, start, end, lenient: false), next == end else { return nil }
            return NumberScanner.milliseconds(n)
        }
    }
}
