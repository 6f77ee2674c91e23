import Foundation
import Testing

@testable import TentacleCore

private func json(_ text: String) -> ParsedReadings {
    ReadingParser.json(Array(text.utf8))
}

private func ndjson(_ text: String) -> ParsedReadings {
    ReadingParser.ndjson(Array(text.utf8))
}

private let t0: Int64 = 1_795_593_600_000

@Suite struct ReadingParserJSONTests {
    @Test func readsTheBatchShape() {
        let parsed = json(#"{"source":"north-pole-001","sequence":42,"readings":[{"metric":"pm25","time":"2026-11-25T08:00:00Z","value":37.5},{"metric":"lux","time":1795593600000,"value":1.2e3}]}"#)
        #expect(parsed.issues.isEmpty)
        #expect(parsed.batches.count == 1)
        let b = parsed.batches[0]
        #expect(b.batch.source == "north-pole-001" && b.batch.sequence == 42)
        #expect(b.batch.readings == [
            Reading(source: "north-pole-001", metric: "pm25", time: t0, value: 37.5),
            Reading(source: "north-pole-001", metric: "lux", time: t0, value: 1200),
        ])
        #expect(b.rows == [1, 2])
    }

    @Test func whitespaceEverywhereAndAnyFieldOrder() {
        let text = " \r\n{ \"readings\" : [ { \"value\" : -0.25E+1 ,\t\"time\" : 1795593600000 , \"metric\" : \"temp_c\" } ] ,\n \"sequence\" : 0 , \"source\" : \"a\" } \n"
        let parsed = json(text)
        #expect(parsed.issues.isEmpty)
        #expect(parsed.batches.first?.batch == ReadingBatch(source: "a", sequence: 0, readings: [Reading(source: "a", metric: "temp_c", time: t0, value: -2.5)]))
    }

    @Test func escapesInStrings() {
        let parsed = json(#"{"s\u006Furce":"pole\u002d1","sequence":1,"readings":[{"metric":"p\u006d25","time":"2026-11-25T08:00:00\u005a","value":1}]}"#)
        #expect(parsed.issues.isEmpty)
        #expect(parsed.batches.first?.batch.readings == [Reading(source: "pole-1", metric: "pm25", time: t0, value: 1)])
        let other = json(#"{"source":"a\"b\\c\/d\n\u00e9\ud83d\ude00","sequence":1,"readings":[]}"#)
        #expect(other.batches.first?.batch.source == "a\"b\\c/d\né😀")
    }

    @Test(arguments: [
        ("0", 0.0), ("-0", -0.0), ("37.5", 37.5), ("1e3", 1000), ("1E-2", 0.01), ("2.5e+2", 250), ("123456789012345678901234", 1.2345678901234568e23),
        ("0.1", 0.1), ("3.141592653589793238", 3.141592653589793), ("1e400", .infinity), ("1e-400", 0), ("9007199254740993", 9007199254740992),
    ])
    func numbersRoundCorrectly(_ text: String, _ value: Double) {
        let parsed = json(#"{"source":"a","sequence":1,"readings":[{"metric":"x","time":0,"value":\#(text)}]}"#)
        #expect(parsed.batches.first?.batch.readings.first?.value == value)
    }

    @Test func rowProblemsDropTheRowAndNameIt() {
        let parsed = json(#"""
            {"source":"a","sequence":1,"readings":[
              {"metric":"pm25","time":0,"value":1},
              {"metric":"pm25","time":0,"value":"1"},
              {"metric":"pm25","time":"yesterday","value":1},
              {"metric":"pm25","value":1},
              {"metric":"pm25","time":0,"value":1,"unit":"ug"},
              {"metric":"pm25","time":0.5,"value":1},
              {"metric":7,"time":0,"value":null},
              [1],
              {"metric":"pm25","time":0,"value":2,"value":3},
              {"metric":"no2","time":0,"value":4}
            ]}
            """#)
        #expect(parsed.batches.first?.batch.readings.map(\.value) == [1, 4])
        #expect(parsed.batches.first?.rows == [1, 10])
        #expect(parsed.issues.map(\.row) == [2, 3, 4, 5, 6, 7, 7, 8, 9])
        #expect(parsed.issues.map(\.field) == ["value", "time", "time", "unit", "time", "metric", "value", "readings", "value"])
        #expect(parsed.issues[0].message == "must be a number, not a string")
        #expect(parsed.issues[3].message == "is not a field of a reading (expected metric, time, value)")
    }

    @Test func batchFieldProblemsReturnNoBatch() {
        #expect(json(#"{"source":"a","readings":[]}"#).issues == [FieldIssue(field: "sequence", message: "is required")])
        #expect(json(#"{"source":1,"sequence":1,"readings":[]}"#).issues.map(\.field) == ["source"])
        #expect(json(#"{"source":"a","sequence":1.5,"readings":[]}"#).issues.map(\.field) == ["sequence"])
        #expect(json(#"{"source":"a","sequence":1,"readings":{}}"#).issues.map(\.field) == ["readings"])
        #expect(json(#"{"source":"a","sequence":1,"readings":[],"extra":{"deep":[1,2,{"x":null}]}}"#).issues.map(\.field) == ["extra"])
        #expect(json(#"{"source":"a","source":"b","sequence":1,"readings":[]}"#).issues.map(\.field) == ["source"])
        #expect(json(#"{"source":"a","sequence":1,"readings":[]}"#).batches.count == 1)
        #expect(json("{}").batches.isEmpty)
        #expect(json("{}").issues.map(\.field) == ["source", "sequence", "readings"])
    }

    @Test func malformedJSONNamesLineAndColumn() {
        let parsed = json("{\"source\":\"a\",\n\"sequence\":1,\n\"readings\":[{\"metric\":\"pm25\" \"time\":0}]}")
        #expect(parsed.batches.isEmpty)
        #expect(parsed.issues == [FieldIssue(field: "body", message: "malformed JSON at line 3, column 30: expected ',' or '}'")])
    }

    @Test(arguments: [
        "", "   ", "[]", "{", "{\"source\"", "{\"source\":}", "{\"source\":\"a\"", "{\"source\":\"a\",}", "{\"source\":\"a\"} x",
        "{\"source\":\"a\\x\"}", "{\"source\":\"\u{1}\"}", "{\"source\":\"\\ud800\"}", "{\"sequence\":01}", "{\"sequence\":-}", "{\"sequence\":1.}",
        "{\"sequence\":.5}", "{\"sequence\":1e}", "{\"readings\":[1,]}", "{\"x\":tru}", "{\"x\":nul}", "{\"source\":\"a\",\"sequence\":1,\"readings\":[]}}",
    ])
    func malformedBodiesGiveOneBodyIssue(_ text: String) {
        let parsed = json(text)
        #expect(parsed.batches.isEmpty)
        #expect(parsed.issues.count == 1)
        #expect(parsed.issues.first?.field == "body")
    }

    @Test func deepNestingIsRefusedNotRecursedInto() {
        let deep = "{\"x\":" + String(repeating: "[", count: 100_000) + "}"
        #expect(json(deep).issues.first?.message.contains("nested deeper than 64 levels") == true)
    }

    @Test func invalidUTF8IsARowIssue() {
        var bytes = Array(#"{"source":"a","sequence":1,"readings":[{"metric":"pm"#.utf8)
        bytes += [0xFF]
        bytes += Array(#"","time":0,"value":1}]}"#.utf8)
        let parsed = ReadingParser.json(bytes)
        #expect(parsed.issues.map(\.field) == ["metric"])
        #expect(parsed.issues.first?.message == "is not valid UTF-8")
    }

    @Test func everyPrefixAndMutationIsHandled() {
        let good = Array(#"{"source":"a-1","sequence":7,"readings":[{"metric":"pm25","time":"2026-11-25T08:00:00.5+01:00","value":-1.5e-3},{"metric":"lux","time":1795593600000,"value":12}]}"#.utf8)
        for n in 0..<good.count {
            let parsed = ReadingParser.json(Array(good[..<n]))
            #expect(parsed.batches.isEmpty)
            #expect(!parsed.issues.isEmpty)
        }
        var random = SplitMix64(seed: 6)
        let alphabet = Array(#"{}[]",:\u0123456789.eE+-tfnr "#.utf8) + [0x00, 0x0A, 0xFF]
        for _ in 0..<3000 {
            var bytes = good
            for _ in 0...random.int(below: 4) {
                let k = random.int(below: bytes.count)
                switch random.int(below: 3) {
                case 0: bytes[k] = alphabet[random.int(below: alphabet.count)]
                case 1: bytes.remove(at: k)
                default: bytes.insert(alphabet[random.int(below: alphabet.count)], at: k)
                }
            }
            let parsed = ReadingParser.json(bytes)
            #expect(parsed.readingCount <= 2)
            #expect(!parsed.batches.isEmpty || !parsed.issues.isEmpty)
        }
    }

    @Test func agreesWithJSONDecoderOnRandomBatches() throws {
        struct Batch: Decodable {
            struct Item: Decodable {
                var metric: String
                var time: Int64
                var value: Double
            }
            var source: String
            var sequence: Int64
            var readings: [Item]
        }
        var random = SplitMix64(seed: 17)
        for _ in 0..<50 {
            let items = (0..<random.int(below: 20)).map { _ in
                let value = (random.double(in: -1000...1000) * 1000).rounded() / 1000
                return "{\"metric\":\"m\(random.int(below: 5))\",\"time\":\(random.int(below: 1_000_000_000)),\"value\":\(value)}"
            }
            let text = "{\"source\":\"s\",\"sequence\":\(random.int(below: 100)),\"readings\":[\(items.joined(separator: ","))]}"
            let expected = try JSONDecoder().decode(Batch.self, from: Data(text.utf8))
            let parsed = try #require(json(text).batches.first).batch
            #expect(parsed.sequence == expected.sequence)
            #expect(parsed.readings.map(\.metric) == expected.readings.map(\.metric))
            #expect(parsed.readings.map(\.time) == expected.readings.map(\.time))
            #expect(parsed.readings.map(\.value) == expected.readings.map(\.value))
        }
    }
}

@Suite struct ReadingParserNDJSONTests {
    @Test func groupsLinesIntoBatchesBySourceAndSequence() {
        let text = """
            {"source":"a","sequence":1,"metric":"pm25","time":0,"value":1}

            {"source":"b","sequence":1,"metric":"pm25","time":0,"value":2}\r
            {"source":"a","sequence":1,"metric":"lux","time":"1970-01-01T00:00:00Z","value":3}
            {"source":"a","sequence":2,"metric":"pm25","time":0,"value":4}
            """
        let parsed = ndjson(text)
        #expect(parsed.issues.isEmpty)
        #expect(parsed.batches.map(\.batch.source) == ["a", "b", "a"])
        #expect(parsed.batches.map(\.batch.sequence) == [1, 1, 2])
        #expect(parsed.batches.map(\.rows) == [[1, 4], [3], [5]])
        #expect(parsed.batches[0].batch.readings.map(\.value) == [1, 3])
    }

    @Test func badLinesAreReportedAndTheRestRead() {
        let text = """
            {"source":"a","sequence":1,"metric":"pm25","time":0,"value":1}
            {"source":"a","sequence":1,"metric":"pm25","time":0,
            {"source":"a","metric":"pm25","time":0,"value":1}
            not json
            {"source":"a","sequence":1,"metric":"pm25","time":0,"value":2} {}
            {"source":"a","sequence":1,"metric":"pm25","time":0,"value":5}
            """
        let parsed = ndjson(text)
        #expect(parsed.batches.first?.batch.readings.map(\.value) == [1, 5])
        #expect(parsed.batches.first?.rows == [1, 6])
        #expect(parsed.issues.map(\.row) == [2, 3, 4, 5])
        #expect(parsed.issues.map(\.field) == ["line", "sequence", "line", "line"])
        #expect(parsed.issues[1].message == "is required")
        #expect(parsed.issues[2].message == "expected '{' starting a reading at column 1")
    }

    @Test func neverCrashesOnMutatedInput() {
        let good = Array("{\"source\":\"a\",\"sequence\":1,\"metric\":\"pm25\",\"time\":\"2026-11-25T08:00:00Z\",\"value\":1.5}\n{\"source\":\"a\",\"sequence\":1,\"metric\":\"lux\",\"time\":0,\"value\":-2e3}\n".utf8)
        var random = SplitMix64(seed: 8)
        let alphabet = Array(#"{}[]",:\u0123456789.eE+-tfn "#.utf8) + [0x00, 0x0A, 0x0D, 0xFF]
        for _ in 0..<3000 {
            var bytes = good
            for _ in 0...random.int(below: 4) {
                let k = random.int(below: bytes.count)
                if random.int(below: 2) == 0 { bytes[k] = alphabet[random.int(below: alphabet.count)] } else { bytes.remove(at: k) }
            }
            #expect(ReadingParser.ndjson(bytes).readingCount <= 2)
        }
    }

    @Test func emptyBodyIsAnIssue() {
        #expect(ndjson("").issues == [FieldIssue(field: "body", message: "is empty")])
        #expect(ndjson("\n\n").issues.isEmpty && ndjson("\n\n").batches.isEmpty)
    }
}
