import Foundation
import Testing

@testable import TentacleCore

private let received = Date(timeIntervalSince1970: 1_795_593_600)

private func parse(_ text: String, precision: LineProtocol.Precision = .ns) -> ParsedReadings {
    LineProtocol.parse(Array(text.utf8), sequence: 9, precision: precision, receivedAt: received)
}

@Suite struct LineProtocolTests {
    @Test func mapsMeasurementsAndFieldsToMetrics() {
        #expect(LineProtocol.metricName(measurement: "air", field: "pm25") == "pm25")
        #expect(LineProtocol.metricName(measurement: "pm25", field: "value") == "pm25")
        #expect(LineProtocol.metricName(measurement: "panel", field: "temp_c") == "panel_temp_c")
        #expect(LineProtocol.metricName(measurement: "weather", field: "value") == "value")
    }

    @Test func readsTelegrafPoints() {
        let text = """
            # from the gateway
            air,source=north-pole-001,site=harbor pm25=37.5,no2=12i 1795593600000000000
            panel,host=north-pole-001 temp_c=41.25,supply_v=24u,status="ok",healthy=true 1795593601000000000
            pm10,source=b value=5 1795593602000000000
            """
        let parsed = parse(text)
        #expect(parsed.issues.isEmpty)
        #expect(parsed.batches.map(\.batch.source) == ["north-pole-001", "b"])
        #expect(parsed.batches.map(\.batch.sequence) == [9, 9])
        #expect(parsed.batches[0].rows == [2, 2, 3, 3])
        #expect(parsed.batches[0].batch.readings == [
            Reading(source: "north-pole-001", metric: "pm25", time: 1_795_593_600_000, value: 37.5),
            Reading(source: "north-pole-001", metric: "no2", time: 1_795_593_600_000, value: 12),
            Reading(source: "north-pole-001", metric: "panel_temp_c", time: 1_795_593_601_000, value: 41.25),
            Reading(source: "north-pole-001", metric: "panel_supply_v", time: 1_795_593_601_000, value: 24),
        ])
        #expect(parsed.batches[1].batch.readings == [Reading(source: "b", metric: "pm10", time: 1_795_593_602_000, value: 5)])
    }

    @Test func sourceTagWinsOverHost() {
        let parsed = parse("air,host=gw-1,source=pole-7 pm25=1 0")
        #expect(parsed.batches.first?.batch.source == "pole-7")
    }

    @Test(arguments: [
        (LineProtocol.Precision.ns, Int64(1_795_593_600_123_456_789), Int64(1_795_593_600_123)),
        (.us, 1_795_593_600_123_456, 1_795_593_600_123),
        (.ms, 1_795_593_600_123, 1_795_593_600_123),
        (.s, 1_795_593_600, 1_795_593_600_000),
        (.ns, -1, -1),
    ])
    func precisionScalesTimestamps(_ precision: LineProtocol.Precision, _ stamp: Int64, _ ms: Int64) {
        let parsed = parse("air,source=a pm25=1 \(stamp)", precision: precision)
        #expect(parsed.batches.first?.batch.readings.first?.time == ms)
    }

    @Test func missingTimestampMeansReceivedAt() {
        let parsed = parse("air,source=a pm25=1\nair,source=a pm25=2   \r\n")
        #expect(parsed.batches.first?.batch.readings.map(\.time) == [1_795_593_600_000, 1_795_593_600_000])
    }

    @Test func escapesInNamesTagsAndStrings() {
        let text = #"""
            my\ air,source=a,note=x\,y\=z\ w pm25=1,msg="say \"hi\", then\\
            go" 5
            air,source=b pm25=2 6
            """#
        let parsed = parse(text, precision: .ms)
        #expect(parsed.issues.isEmpty)
        #expect(parsed.batches.first?.batch.readings.first?.metric == "my air_pm25")
        #expect(parsed.batches.map(\.rows) == [[1], [3]])
    }

    @Test func badLinesAreNamedAndSkipped() {
        let text = """
            air,source=a pm25=1 1
            air,source=a pm25=abc 1
            air,source=a
            air,source pm25=1 1
            air pm25=1 1
            air,source=a pm25=1 12:00
            air,source=a pm25=1.5x 1
            air,source=a pm25=-3u 1
            air,source=a pm25=1 1 extra
            ,source=a pm25=1 1
            air,source=a pm25=2 1
            """
        let parsed = parse(text)
        #expect(parsed.batches.first?.batch.readings.map(\.value) == [1, 2])
        #expect(parsed.batches.first?.rows == [1, 11])
        #expect(parsed.issues.map(\.row) == [2, 3, 4, 5, 6, 7, 8, 9, 10])
        #expect(parsed.issues[0] == FieldIssue(field: "line", message: "'abc' is not a number at column 19", row: 2))
        #expect(parsed.issues[3] == FieldIssue(field: "source", message: "needs a 'source' or 'host' tag", row: 5))
    }

    @Test func unknownMetricsAreLeftToValidation() {
        let parsed = parse("cpu,host=gw-1 usage_idle=99.5 1795593600000000000")
        let check = BatchValidation.check(parsed, catalogue: .builtIn, now: received)
        #expect(check.accepted.isEmpty)
        #expect(check.issues == [FieldIssue(field: "metric", message: "unknown metric 'cpu_usage_idle'", row: 1)])
    }

    @Test func neverCrashesOnMutatedInput() {
        let good = Array(#"air,source=a\ b,x=y pm25=1.5,no2=3i,s="q\"x" 1795593600000000000"#.utf8) + [0x0A]
        var random = SplitMix64(seed: 3)
        let alphabet = Array(#",= \"\#\nitu0123456789.eE-"#.utf8)
        for _ in 0..<3000 {
            var bytes = good
            for _ in 0...random.int(below: 4) {
                let k = random.int(below: bytes.count)
                if random.int(below: 2) == 0 { bytes[k] = alphabet[random.int(below: alphabet.count)] } else { bytes.remove(at: k) }
            }
            let parsed = LineProtocol.parse(bytes, sequence: 1, receivedAt: received)
            #expect(parsed.readingCount <= 2)
        }
    }
}
