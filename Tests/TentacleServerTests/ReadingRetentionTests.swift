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
}
