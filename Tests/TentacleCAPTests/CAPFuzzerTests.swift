import Foundation
import TentacleCAP
import TentacleSimulation
import Testing

@Suite struct CAPFuzzerTests {
    private func seeds() throws -> [[UInt8]] {
        try CAPSamples.names().map { [UInt8](try CAPSamples.data($0)) } + [CAPFuzzer.sampleDocument]
    }

    @Test func sampleDocumentParses() throws {
        let alert = try CAP.parse(CAPFuzzer.sampleDocument)
        #expect(alert.infos.count == 2)
        #expect(alert.references.count == 1)
    }

    @Test func twoThousandMutationsParseOrFailCleanly() throws {
        let report = CAPFuzzer.run(count: 2000, seeds: try seeds(), seed: 42)
        #expect(report.documents == 2000)
        #expect(report.accepted + report.rejected.values.reduce(0, +) == 2000)
        #expect(Set(report.mutations.keys) == Set(CAPFuzzer.Mutation.allCases.map(\.rawValue)))
        for kind in [CAPError.Kind.forbiddenDeclaration, .truncated, .malformed, .tooDeep, .tooLarge] {
            #expect(report.rejected[kind.description, default: 0] > 0, "\(kind)")
        }
        #expect(report.accepted > 0)
    }

    @Test func twoThousandMutatedFeedsParseOrFailCleanly() throws {
        for seed in CAPFuzzer.sampleFeeds {
            #expect(try AlertFeedDocument.parse(seed).entries.count == 2)
        }
        let report = CAPFuzzer.runFeeds(count: 2000, seed: 7)
        #expect(report.documents == 2000)
        #expect(report.accepted + report.rejected.values.reduce(0, +) == 2000)
        #expect(report.accepted > 0)
        for kind in [CAPError.Kind.forbiddenDeclaration, .truncated, .tooDeep] {
            #expect(report.rejected[kind.description, default: 0] > 0, "\(kind): \(report.rejected)")
        }
    }

    @Test func runsReplayExactly() throws {
        let seeds = try seeds()
        var a = CAPFuzzer(seeds: seeds, seed: 9), b = CAPFuzzer(seeds: seeds, seed: 9), c = CAPFuzzer(seeds: seeds, seed: 10)
        var differs = false
        for _ in 0..<100 {
            let (x, y, z) = (a.next(), b.next(), c.next())
            #expect(x.document == y.document && x.mutations == y.mutations)
            differs = differs || x.document != z.document
        }
        #expect(differs)
        let first = CAPFuzzer.run(count: 150, seeds: seeds, seed: 3)
        let second = CAPFuzzer.run(count: 150, seeds: seeds, seed: 3)
        #expect(first.rejected == second.rejected && first.accepted == second.accepted && first.mutations == second.mutations)
    }

    @Test func emptySeedsFallBackToTheSample() {
        let report = CAPFuzzer.run(count: 20, seeds: [])
        #expect(report.documents == 20)
        #expect(report.description.hasPrefix("documents 20"))
    }
}
