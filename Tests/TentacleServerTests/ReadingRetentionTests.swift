import Foundation
import Logging
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

@Suite("Reading retention")
struct ReadingRetentionTests {
    @Test func eachPassDeletesWhatTheClockHasMadeTooOld() async throws {
        try await Fixture.with { fx in
            let hour: Int64 = 3_600_000
            let start = Reading.milliseconds(Fixture.start)
            let readings = (0..<4).map { Reading(source: "north-1", metric: "temp_c", time: start - Int64($0) * 24 * hour, value: 3) }
            _ = try await fx.store.ingest([ReadingBatch(source: "north-1", sequence: 0, readings: readings)], at: Fixture.start)
            let job = ReadingRetention(
                store: fx.store, policy: RetentionPolicy(raw: 2 * 86_400, minute: 3 * 86_400, hour: nil), interval: .seconds(3600),
                clock: { fx.clock.now }, logger: Logger(label: "test"))

            #expect(try await job.deleteOnce() == RetentionCounts(raw: 1, minute: 0, hour: 0))
            fx.clock.advance(by: 86_400)
            #expect(try await job.deleteOnce() == RetentionCounts(raw: 1, minute: 1, hour: 0))
            fx.clock.advance(by: 10 * 86_400)
            #expect(try await job.deleteOnce() == RetentionCounts(raw: 2, minute: 3, hour: 0))
            let hours = try await fx.store.rollups(source: "north-1", metric: "temp_c", tier: .hour, from: 0, to: .max)
            #expect(hours.count == 4)
        }
    }

    static func play(_ start: Int64, _ end: Int64) -> PlayRecord {
        PlayRecord(displayId: "north-1", kind: "default", layoutId: "lay-a", campaignId: nil, revision: nil, alertId: nil, start: start, end: end)
    }

    @Test func proofOfPlayAndItsBatchRecordsGoAfterThePlaysRetention() async throws {
        try await Fixture.with { fx in
            let day: Int64 = 86_400_000
            let now = Reading.milliseconds(Fixture.start)
            let old = PlayBatch(displayId: "north-1", seq: 0, plays: [Self.play(now - 40 * day, now - 39 * day)])
            let recent = PlayBatch(displayId: "north-1", seq: 1, plays: [Self.play(now - 2 * day, now - day)])
            #expect(try await fx.store.recordPlays([old], at: Fixture.start.addingTimeInterval(-39 * 86_400)) == [true])
            #expect(try await fx.store.recordPlays([recent], at: Fixture.start) == [true])
            let job = ReadingRetention(
                store: fx.store, policy: RetentionPolicy(raw: 2 * 86_400, minute: 3 * 86_400, hour: nil, plays: 30 * 86_400),
                interval: .seconds(3600), clock: { fx.clock.now }, logger: Logger(label: "test"))

            #expect(try await job.deleteOnce().plays == 1)
            let kept = try await fx.store.plays(displayId: "north-1", from: 0, to: .max, limit: 100)
            #expect(kept.map(\.start) == [now - 2 * day])
            // The old batch's record went with its plays; the recent one still answers a resend.
            #expect(try await fx.store.recordPlays([recent], at: Fixture.start) == [false])
            #expect(try await fx.store.recordPlays([old], at: Fixture.start) == [true])
        }
    }

    @Test func playsLongerThanADayAreFoundInAWindowTheyOverlap() async throws {
        try await Fixture.with { fx in
            let day: Int64 = 86_400_000
            let from = Reading.milliseconds(Fixture.start)
            let long = Self.play(from - 3 * day, from + 60_000)
            let longInsideTheDay = Self.play(from - day / 2, from + 2 * day)
            let short = Self.play(from - 60_000, from + 60_000)
            let over = Self.play(from - 3 * day, from - day)
            let batch = PlayBatch(displayId: "north-1", seq: 0, plays: [short, over, longInsideTheDay, long])
            _ = try await fx.store.recordPlays([batch], at: Fixture.start)
            let found = try await fx.store.plays(displayId: "north-1", from: from, to: from + 3_600_000, limit: 100)
            #expect(found == [long, longInsideTheDay, short])
            #expect(try await fx.store.plays(displayId: "north-1", from: from, to: from + 3_600_000, limit: 2) == [long, longInsideTheDay])
        }
    }
}
