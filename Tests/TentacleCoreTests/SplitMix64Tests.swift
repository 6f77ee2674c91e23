import TentacleCore
import Testing

@Suite struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // First outputs of the reference C implementation for seed 0.
        var random = SplitMix64(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(random.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func staysInRange() {
        var random = SplitMix64(seed: 99)
        for _ in 0..<1000 {
            let d = random.double(in: -2...3)
            #expect(d >= -2 && d <= 3)
            #expect((0..<5).contains(random.int(below: 5)))
            let u = random.unit()
            #expect(u >= 0 && u < 1)
        }
    }
}
