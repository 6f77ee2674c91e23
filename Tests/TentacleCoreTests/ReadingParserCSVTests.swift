import Testing

@testable import TentacleCore

private func csv(_ text: String) -> ParsedReadings {
    ReadingParser.csv(Array(text.utf8))
}

@Suite struct ReadingParserCSVTests {
    @Test func readsRecordsIntoBatches() {
        let parsed = csv("source,sequence,metric,time,value\r\nnorth-pole-001,42,pm25,2026-11-25T08:00:00Z,37.5\r\nnorth-pole-001,42,lux,1795593600000,1e3\r\nb,1,pm25,0,+2\r\n")
        #expect(parsed.issues.isEmpty)
        #expect(parsed.batches.map(\.batch.source) == ["north-pole-001", "b"])
        #expect(parsed.batches[0].batch.readings == [
            Reading(source: "north-pole-001", metric: "pm25", time: 1_795_593_600_000, value: 37.5),
            Reading(source: "north-pole-001", metric: "lux", time: 1_795_593_600_000, value: 1000),
        ])
        #expect(parsed.batches.map(\.rows) == [[2, 3], [4]])
        #expect(parsed.batches[1].batch.readings.first?.value == 2)
    }

    @Test func columnsInAnyOrderQuotedFieldsAndBOM() {
        let parsed = csv("\u{FEFF}value,time,metric,source,sequence\n\"1.5\",0,\"pm25\",\"a\",7\n")
        #expect(parsed.issues.isEmpty)
        #expect(parsed.batches.first?.batch == ReadingBatch(source: "a", sequence: 7, readings: [Reading(source: "a", metric: "pm25", time: 0, value: 1.5)]))
    }

    @Test func headerProblemsReturnNothing() {
        #expect(csv("source,sequence,metric,time\na,1,pm25,0\n").issues.map(\.message) == ["column 'value' is missing"])
        #expect(csv("source,sequence,metric,time,value,unit\n").issues.map(\.message) == ["unknown column 'unit' (expected source,sequence,metric,time,value)"])
        #expect(csv("source,source,sequence,metric,time,value\n").issues.count == 1)
        #expect(csv("").issues == [FieldIssue(field: "body", message: "is empty")])
    }

    @Test func badRecordsAreNamedByLine() {
        let text = """
            source,sequence,metric,time,value
            a,1,pm25,0,1
            a,x,pm25,0,1
            a,1,pm25,noon,1
            a,1,pm25,0,
            a,1,pm25
            a,1,pm25,0,"1"x
            a,1,pm25,0,"multi
            line"

            a,1,pm25,0,9
            """
        let parsed = csv(text)
        #expect(parsed.batches.first?.batch.readings.map(\.value) == [1, 9])
        #expect(parsed.batches.first?.rows == [2, 11])
        #expect(parsed.issues.map(\.row) == [3, 4, 5, 6, 7, 8])
        #expect(parsed.issues.map(\.field) == ["sequence", "time", "value", "line", "line", "value"])
        #expect(parsed.issues[3].message == "has 3 fields, the header has 5")
    }

    @Test func unclosedQuoteIsReported() {
        let parsed = csv("source,sequence,metric,time,value\n\"a,1,pm25,0,1\n")
        #expect(parsed.issues == [FieldIssue(field: "line", message: "a quoted field is not closed", row: 2)])
    }

    @Test func readsLikeTheRegistrysCSVReader() throws {
        // One tokenizer: blank lines (also before the header) skipped but counted, stray quotes refused.
        let text = "\n\nsource,sequence,metric,time,value\n\na,1,pm25,0,1\na,1,p\"m,0,2\na,1,\"pm25\"x,0,3\n"
        let parsed = csv(text)
        #expect(parsed.batches.first?.rows == [5])
        #expect(parsed.issues.map(\.row) == [6, 7])
        #expect(parsed.issues.allSatisfy { $0.field == "line" && $0.message.contains("may only open a field") })
        #expect(throws: CSVError(code: .strayQuote, line: 6, field: 3)) { try CSV.parse(text) }
        #expect(try CSV.parse(text.split(separator: "\n", omittingEmptySubsequences: false).prefix(5).joined(separator: "\n")).map(\.line) == [3, 5])
    }

    @Test func neverCrashesOnMutatedInput() {
        let good = Array("source,sequence,metric,time,value\r\n\"a\",1,pm25,2026-11-25T08:00:00Z,1.5\na,1,\"l\"\"ux\",0,-2e3\n".utf8)
        var random = SplitMix64(seed: 5)
        let alphabet = Array(#","\n\r0123456789.eE+-TZ:"#.utf8) + [0x00, 0xFF]
        for _ in 0..<3000 {
            var bytes = good
            for _ in 0...random.int(below: 4) {
                let k = random.int(below: bytes.count)
                if random.int(below: 2) == 0 { bytes[k] = alphabet[random.int(below: alphabet.count)] } else { bytes.remove(at: k) }
            }
            #expect(ReadingParser.csv(bytes).readingCount <= 2)
        }
    }
}
