import Foundation
import Testing
import TentacleCore

private let now = Date(timeIntervalSince1970: 1_795_593_600)

@Suite struct QueryStepTests {
    private func step(_ span: TimeInterval, endingAgo: TimeInterval = 0, retention: RetentionPolicy = .standard) -> QueryStep {
        let to = now.addingTimeInterval(-endingAgo)
        return QueryStep.auto(from: to.addingTimeInterval(-span), to: to, now: now, retention: retention)
    }

    @Test func thresholdsBySpan() {
        #expect(step(0) == .raw)
        #expect(step(2 * 3600) == .raw)
        #expect(step(2 * 3600 + 1) == .minute)
        #expect(step(3 * 86_400) == .minute)
        #expect(step(3 * 86_400 + 1) == .hour)
        #expect(step(30 * 86_400) == .hour)
        #expect(QueryStep.auto(from: now, to: now.addingTimeInterval(-3600), now: now) == .raw)
    }

    @Test func neverPicksATierWhoseDataIsGone() {
        #expect(step(3600, endingAgo: 8 * 86_400) == .minute)
        #expect(step(86_400, endingAgo: 100 * 86_400) == .hour)
        #expect(step(3600, endingAgo: 100 * 86_400) == .hour)
        let short = RetentionPolicy(raw: 3600, minute: 86_400, hour: 2 * 86_400)
        #expect(step(1800, endingAgo: 1800, retention: short) == .raw)
        #expect(step(1800, endingAgo: 2 * 3600, retention: short) == .minute)
        #expect(step(3600, endingAgo: 10 * 86_400, retention: short) == .hour)
    }

    @Test func stepsReadTheirTiers() {
        #expect(QueryStep.raw.tier == nil)
        #expect(QueryStep.minute.tier == .minute && QueryStep(rawValue: "1m") == .minute)
        #expect(QueryStep.hour.tier == .hour && QueryStep(rawValue: "1h") == .hour)
    }
}
