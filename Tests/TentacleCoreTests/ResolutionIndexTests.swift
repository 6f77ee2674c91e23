import Foundation
import Testing
@testable import TentacleBench
@testable import TentacleCore

@Suite struct ResolutionIndexTests {
    /// Instants around both Berlin and New York transitions, midnights and an ordinary noon.
    static let instants = [
        "2026-06-01T09:30:00Z", "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z", "2026-03-08T07:15:00Z",
        "2026-10-25T01:30:00Z", "2026-11-01T05:30:00Z", "2026-06-06T16:00:00Z",
    ].map(Fixture.t)

    @Test(arguments: [1, 2, 3] as [UInt64])
    func indexedEqualsNaive(seed: UInt64) {
        for at in Self.instants {
            let city = SyntheticCity.make(seed: seed, displays: 200, campaigns: 80, around: at)
            var alerts: [AlertCandidate] = []
            if seed.isMultiple(of: 2) {
                alerts.append(AlertCandidate(id: "storm", severity: .severe, sent: at.addingTimeInterval(-60), expires: at.addingTimeInterval(60), target: Target(districts: ["berlin-1", "shanghai-2"])))
                alerts.append(AlertCandidate(id: "gone", severity: .extreme, sent: at.addingTimeInterval(-600), expires: at, target: Target(groups: ["g1"])))
            }
            let index = ResolutionIndex(campaigns: city.campaigns)
            for explain in [false, true] {
                let indexed = index.resolveAll(displays: city.displays, alerts: alerts, defaults: city.defaults, at: at, explainUntargeted: explain)
                let naive = city.displays.map {
                    resolve(display: $0, campaigns: city.campaigns, alerts: alerts, defaults: city.defaults, at: at, explainUntargeted: explain)
                }
                #expect(indexed == naive, "seed \(seed) at \(at) explain \(explain)")
                #expect(index.resolve(display: city.displays[0], alerts: alerts, defaults: city.defaults, at: at, explainUntargeted: explain) == naive[0])
            }
        }
    }

    @Test func syntheticCityExercisesEveryOutcome() {
        let at = Self.instants[0]
        let city = SyntheticCity.make(seed: 42, displays: 2000, campaigns: 300, around: at)
        let resolutions = ResolutionIndex(campaigns: city.campaigns).resolveAll(displays: city.displays, defaults: city.defaults, at: at)
        let outcomes = resolutions.flatMap(\.candidates).map(\.outcome)
        #expect(outcomes.contains(.won))
        #expect(outcomes.contains { if case .lostToHigherPriority = $0 { return true } else { return false } })
        #expect(outcomes.contains { if case .lostTieBreak = $0 { return true } else { return false } })
        #expect(outcomes.contains { if case .outsideSchedule = $0 { return true } else { return false } })
        let sparse = SyntheticCity.make(seed: 42, displays: 500, campaigns: 10, around: at)
        let quiet = ResolutionIndex(campaigns: sparse.campaigns).resolveAll(displays: sparse.displays, defaults: sparse.defaults, at: at)
        #expect(quiet.contains { if case .defaultLayout = $0.playing { return true } else { return false } })
        let areaTargets = city.campaigns.filter { $0.campaign.target.polygon != nil || $0.campaign.target.circle != nil }
        #expect(!areaTargets.isEmpty)
    }

    @Test func resolveAllKeepsDisplayOrderAcrossZones() {
        let at = Self.instants[0]
        let city = SyntheticCity.make(seed: 7, displays: 50, campaigns: 20, around: at)
        let resolutions = ResolutionIndex(campaigns: city.campaigns).resolveAll(displays: city.displays, at: at)
        #expect(resolutions.map(\.displayId) == city.displays.map(\.id))
        #expect(Set(city.displays.map(\.timezone)).count > 1)
    }
}
