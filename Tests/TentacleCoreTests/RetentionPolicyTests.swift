import Foundation
import Testing
import TentacleCore

private let now = Date(timeIntervalSince1970: 1_795_593_600)

@Suite struct RetentionPolicyTests {
    @Test func defaultsAndCutoffs() {
        let policy = RetentionPolicy.standard
        #expect(policy == RetentionPolicy(raw: 7 * 86_400, minute: 90 * 86_400, hour: nil))
        let cutoffs = policy.cutoffs(now: now)
        #expect(cutoffs.raw == now.addingTimeInterval(-7 * 86_400))
        #expect(cutoffs.minute == now.addingTimeInterval(-90 * 86_400))
        #expect(cutoffs.hour == nil)
        #expect(RetentionPolicy(hour: 400 * 86_400).cutoffs(now: now).hour == now.addingTimeInterval(-400 * 86_400))
    }

    @Test func validation() throws {
        #expect(try RetentionPolicy.standard.validated() == .standard)
        #expect(RetentionPolicy(raw: 60).issues().map(\.field) == ["raw"])
        #expect(RetentionPolicy(raw: .nan).issues().map(\.field) == ["raw"])
        #expect(RetentionPolicy(raw: 10 * 86_400, minute: 9 * 86_400).issues().map(\.field) == ["minute"])
        #expect(RetentionPolicy(hour: 30 * 86_400).issues().map(\.field) == ["hour"])
        #expect(RetentionPolicy(plays: 60).issues().map(\.field) == ["plays"])
        #expect(throws: ValidationError.self) { try RetentionPolicy(raw: 0).validated() }
    }
}
