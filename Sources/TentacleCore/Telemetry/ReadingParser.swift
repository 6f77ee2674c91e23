/// Reads readings from request bodies byte by byte, several times faster than `JSONDecoder`;
/// no input makes it crash or read out of bounds.
public enum ReadingParser {
    /// One batch object, `{"source":..., "sequence":..., "readings":[{"metric":..., "time":..., "value":...}, ...]}`.
    ///
    /// Rows are 1-based positions in `readings`. A reading with a problem is left out with an
    /// issue; a problem with `source`, `sequence` or `readings` itself, or malformed JSON,
    /// returns no batch.
    public static func json(_ bytes: UnsafeRawBufferPointer) -> ParsedReadings {
        withBytes(bytes) { p, count in
            var scanner = JSONScanner(p, count: count)
            do throws(JSONSyntaxError) {
                let batch = try scanner.batch()
                scanner.skipWhitespace()
                if scanner.i < count { throw scanner.fail("unexpected text after the batch") }
                let issues = scanner.issues
                guard let batch else { return ParsedReadings(issues: issues) }
                return ParsedReadings(batches: [batch], issues: issues)
            } catch {
                return ParsedReadings(issues: [syntaxIssue(error, p, count)])
            }
        }
    }

    public static func json(_ bytes: [UInt8]) -> ParsedReadings {
        bytes.withUnsafeBytes { json($0) }
    }

    /// One reading per line, `{"source":..., "sequence":..., "metric":..., "time":..., "value":...}`,
    /// grouped into batches by (source, sequence) in order of first appearance.
    ///
    /// Rows are line numbers; blank lines are skipped; a bad line is left out with an issue
    /// and the lines after it are still read.
    public static func ndjson(_ bytes: UnsafeRawBufferPointer) -> ParsedReadings {
        withBytes(bytes) { p, count in
            var scanner = JSONScanner(p, count: count)
            var grouper = BatchGrouper()
            var line = 0
            var start = 0
            while start < count {
                line += 1
                var lineEnd = start
                while lineEnd < count && p[lineEnd] != 0x0A { lineEnd += 1 }
                scanner.i = start
                scanner.end = lineEnd
                scanner.row = line
                scanner.skipWhitespace()
                if scanner.i < lineEnd {
                    do throws(JSONSyntaxError) {
                        let read = try scanner.lineReading()
                        scanner.skipWhitespace()
                        if scanner.i < lineEnd { throw scanner.fail("unexpected text after the reading") }
                        if let (reading, sequence) = read { grouper.add(reading, sequence: sequence, row: line) }
                    } catch {
                        scanner.issues.append(FieldIssue(field: "line", message: "\(error.message) at column \(error.offset - start + 1)", row: line))
                    }
                }
                start = lineEnd + 1
            }
            return ParsedReadings(batches: grouper.batches, issues: scanner.issues)
        }
    }

    public static func ndjson(_ bytes: [UInt8]) -> ParsedReadings {
        bytes.withUnsafeBytes { ndjson($0) }
    }

    /// Runs `body` on the bytes, answering an empty body with one issue.
    static func withBytes(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafePointer<UInt8>, Int) -> ParsedReadings) -> ParsedReadings {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            return ParsedReadings(issues: [FieldIssue(field: "body", message: "is empty")])
        }
        return body(base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    private static func syntaxIssue(_ error: JSONSyntaxError, _ p: UnsafePointer<UInt8>, _ count: Int) -> FieldIssue {
        FieldIssue(field: "body", message: "malformed JSON at \(TextPosition.describe(p, count, offset: error.offset)): \(error.message)")
    }
}

extension JSONScanner {
    /// Reads the batch object; nil (with issues) when its own fields are missing or wrong.
    mutating func batch() throws(JSONSyntaxError) -> ParsedBatch? {
        try expect(0x7B, "'{' starting the batch object")
        var source: String?
        var sequence: Int64?
        var readings: [Reading]?
        var rows: [Int] = []
        var seen = Set<String>()
        var usable = true
        var first = true
        while let (field, other) = try nextField(first: first) {
            first = false
            let name = field == .other ? other : "\(field)"
            if !seen.insert(name).inserted {
                note(name, "appears twice")
                usable = false
                try skipValue()
            } else {
                switch field {
                case .source: source = try stringValue("source")
                case .sequence: sequence = try sequenceValue()
                case .readings:
                    if peek() == 0x5B {
                        var list: [Reading] = []
                        try readingArray(source: source ?? "", into: &list, rows: &rows)
                        readings = list
                    } else {
                        note("readings", "must be an array, not \(kindOfValue())")
                        try skipValue()
                    }
                default:
                    note(other, "is not a field of a batch (expected source, sequence, readings)")
                    usable = false
                    try skipValue()
                }
            }
        }
        for (name, present) in [("source", source != nil), ("sequence", sequence != nil), ("readings", readings != nil)] where !present {
            if !seen.contains(name) { note(name, "is required") }
            usable = false
        }
        guard usable, let source, let sequence, var readings else { return nil }
        // `readings` may come before `source`; then the readings were read without it.
        if readings.first?.source != source {
            for k in readings.indices { readings[k].source = source }
        }
        return ParsedBatch(batch: ReadingBatch(source: source, sequence: sequence, readings: readings), rows: rows)
    }

    /// Reads the `readings` array whose `[` is at `i`; the hot loop of JSON ingest.
    mutating func readingArray(source: String, into readings: inout [Reading], rows: inout [Int]) throws(JSONSyntaxError) {
        i += 1
        if peek() == 0x5D {
            i += 1
            return
        }
        var position = 0
        while true {
            position += 1
            row = position
            if peek() == 0x7B {
                if let reading = try readingObject(source: source) {
                    readings.append(reading)
                    rows.append(position)
                }
            } else {
                note("readings", "each reading must be an object, not \(kindOfValue())")
                try skipValue()
            }
            if try endOfMember(0x5D) { break }
        }
        row = nil
    }

    /// Reads `{"metric":..., "time":..., "value":...}` in any order; nil (with issues) when a field is missing or wrong.
    private mutating func readingObject(source: String) throws(JSONSyntaxError) -> Reading? {
        let fields = try objectFields(allowSourceAndSequence: false)
        guard let metric = fields.metric, let time = fields.time, let value = fields.value, fields.complete else { return nil }
        return Reading(source: source, metric: metric, time: time, value: value)
    }

    /// Reads one NDJSON line's object, which carries its own source and sequence.
    mutating func lineReading() throws(JSONSyntaxError) -> (Reading, Int64)? {
        guard peek() == 0x7B else { throw fail("expected '{' starting a reading") }
        let fields = try objectFields(allowSourceAndSequence: true)
        guard let source = fields.source, let sequence = fields.sequence, let metric = fields.metric,
            let time = fields.time, let value = fields.value, fields.complete
        else { return nil }
        return (Reading(source: source, metric: metric, time: time, value: value), sequence)
    }

    private struct ObjectFields {
        var source: String?
        var sequence: Int64?
        var metric: String?
        var time: Int64?
        var value: Double?
        /// False once a field was unknown, repeated or missing.
        var complete = true
    }

    /// Reads a reading object whose `{` is at `i`, noting every problem under the current row.
    private mutating func objectFields(allowSourceAndSequence: Bool) throws(JSONSyntaxError) -> ObjectFields {
        i += 1
        var f = ObjectFields()
        var seen: UInt8 = 0
        var first = true
        while let (field, other) = try nextField(first: first) {
            first = false
            skipWhitespace()
            let bit: UInt8
            switch field {
            case .metric: bit = 1
            case .time: bit = 2
            case .value: bit = 4
            case .source where allowSourceAndSequence: bit = 8
            case .sequence where allowSourceAndSequence: bit = 16
            default: bit = 0
            }
            if bit == 0 {
                let expected = allowSourceAndSequence ? "source, sequence, metric, time, value" : "metric, time, value"
                note(field == .other ? other : "\(field)", "is not a field of a reading (expected \(expected))")
                f.complete = false
                try skipValue()
            } else if seen & bit != 0 {
                note("\(field)", "appears twice")
                f.complete = false
                try skipValue()
            } else {
                seen |= bit
                switch field {
                case .metric: f.metric = try stringValue("metric")
                case .time: f.time = try timeValue()
                case .value: f.value = try numberValue("value")?.value
                case .source: f.source = try stringValue("source")
                default: f.sequence = try sequenceValue()
                }
            }
        }
        let all: UInt8 = allowSourceAndSequence ? 31 : 7
        if seen != all {
            let required: [(String, UInt8)] = [("source", 8), ("sequence", 16), ("metric", 1), ("time", 2), ("value", 4)]
            for (name, bit) in required where all & bit != 0 && seen & bit == 0 {
                note(name, "is required")
            }
            f.complete = false
        }
        return f
    }
}
