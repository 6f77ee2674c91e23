import Foundation
import Testing
import TentacleCore

private let now = Date(timeIntervalSince1970: 1_795_593_600)
private let nowMs: Int64 = 1_795_593_600_000

private func reading(_ metric: String = "pm25", _ value: Double = 12, at time: Int64 = nowMs, source: String = "north-pole-001") -> Reading {
    Reading(source: source, metric: metric, time: time, value: value)
}

private func batch(_ readings: [Reading], source: String = "north-pole-001", sequence: Int64 = 1) -> ReadingBatch {
    ReadingBatch(source: source, sequence: sequence, readings: readings)
}

@Suite struct BatchValidationTests {
    @Test func goodBatchIsAcceptedWhole() {
        let b = batch([reading(), reading("temp_c", -3.5), reading("lux", 0)])
        let result = BatchValidation.check(b, catalogue: .builtIn, now: now)
        #expect(result.accepted == b)
        #expect(result.issues.isEmpty)
    }

    @Test func everyRowProblemIsNamedWithItsRow() {
        let b = batch([
            reading(),
            reading("co2"),
            reading("pm25", 1000.5),
            reading("pm25", .nan),
            reading("temp_c", -.infinity),
            reading(at: nowMs + 301_000),
            reading(at: nowMs - 7 * 86_400_000 - 1),
            reading(source: "other-pole"),
        ])
        let result = BatchValidation.check(b, catalogue: .builtIn, now: now)
        #expect(result.accepted == nil)
        #expect(result.issues.map(\.row) == [2, 3, 4, 5, 6, 7, 8])
        #expect(result.issues.map(\.field) == ["metric", "value", "value", "value", "time", "time", "source"])
        #expect(result.issues[0].message == "unknown metric 'co2'")
        #expect(result.issues[1].message == "1000.5 is outside pm25's range 0...1000 µg/m³")
        #expect(result.issues[4].message == "2026-11-25T08:05:01Z is more than 300 s ahead of the server's clock")
        #expect(result.issues[5].message.hasSuffix("is older than the raw retention of 7 days"))
    }

    @Test func edgesOfTheWindowAndRangeAreAccepted() {
        let b = batch([reading(at: nowMs + 300_000), reading(at: nowMs - 7 * 86_400_000), reading("pm25", 0), reading("pm25", 1000)])
        #expect(BatchValidation.check(b, catalogue: .builtIn, now: now).issues.isEmpty)
    }

    @Test func partialModeKeepsTheGoodRows() {
        let b = batch([reading(), reading("co2"), reading("noise_dba", 61)])
        let result = BatchValidation.check(b, catalogue: .builtIn, now: now, mode: .partial)
        #expect(result.accepted?.readings == [reading(), reading("noise_dba", 61)])
        #expect(result.accepted?.sequence == 1)
        #expect(result.issues.map(\.row) == [2])
    }

    @Test func partialModeWithNothingGoodAcceptsNothing() {
        let result = BatchValidation.check(batch([reading("co2")]), catalogue: .builtIn, now: now, mode: .partial)
        #expect(result.accepted == nil)
    }

    @Test func batchLevelProblemsRejectInEitherMode() {
        for mode in BatchMode.allCases {
            let bad = [
                batch([reading(source: "North Pole")], source: "North Pole"),
                batch([reading()], sequence: -1),
            ]
            for b in bad {
                let result = BatchValidation.check(b, catalogue: .builtIn, now: now, mode: mode)
                #expect(result.accepted == nil)
                #expect(result.issues.count == 1 && result.issues[0].row == nil)
            }
            let big = batch(Array(repeating: reading(), count: 11))
            let limits = ReadingLimits(maxReadingsPerBatch: 10)
            #expect(BatchValidation.check(big, catalogue: .builtIn, now: now, mode: mode, limits: limits).issues.map(\.field) == ["readings"])
        }
    }

    @Test func rowsNameReadingsByTheirLines() {
        let result = BatchValidation.check(batch([reading(), reading("co2")]), rows: [4, 9], catalogue: .builtIn, now: now)
        #expect(result.issues.map(\.row) == [9])
    }

    @Test func limitsFollowRetention() {
        let limits = ReadingLimits(retention: RetentionPolicy(raw: 86_400, minute: 86_400), futureTolerance: 10)
        let b = batch([reading(at: nowMs - 86_400_001), reading(at: nowMs + 10_001)])
        #expect(BatchValidation.check(b, catalogue: .builtIn, now: now, limits: limits).issues.count == 2)
    }

    @Test func parseIssuesRejectTheRequestInAllOrNothingMode() {
        let parsed = ParsedReadings(
            batches: [ParsedBatch(batch: batch([reading()]), rows: [2]), ParsedBatch(batch: batch([reading("co2")], sequence: 2), rows: [5])],
            issues: [FieldIssue(field: "value", message: "must be a number, not a string", row: 3)]
        )
        let strict = BatchValidation.check(parsed, catalogue: .builtIn, now: now)
        #expect(strict.accepted.isEmpty)
        #expect(strict.issues.map(\.row) == [3, 5])

        let partial = BatchValidation.check(parsed, catalogue: .builtIn, now: now, mode: .partial)
        #expect(partial.accepted == [batch([reading()])])
        #expect(partial.issues.map(\.row) == [3, 5])
    }
}
