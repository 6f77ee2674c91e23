import Testing
import TentacleCore

@Suite struct IdentifierTests {
    @Test(arguments: ["a", "0", "old-town", "bus_stops", "dsp-3f9c1a0b7e2d4c55", "a-", "9-_", String(repeating: "z", count: 64)])
    func validIdentifiers(_ s: String) {
        #expect(Identifier.isValid(s))
    }

    @Test(arguments: ["", "-a", "_a", "A", "oldTown", "old town", "old.town", "old/town", "ü", "站", "a\n", String(repeating: "z", count: 65)])
    func invalidIdentifiers(_ s: String) {
        #expect(!Identifier.isValid(s))
    }

    @Test func maxLengthCountsBytes() {
        #expect(Identifier.isValid(String(repeating: "d", count: 32), maxLength: 32))
        #expect(!Identifier.isValid(String(repeating: "d", count: 33), maxLength: 32))
    }

    @Test func generatedIdsHaveThePrefixAndSixteenHexDigits() {
        let id = Identifier.generate(prefix: "dsp")
        #expect(id.hasPrefix("dsp-"))
        let hex = id.dropFirst(4)
        #expect(hex.count == 16)
        #expect(hex.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(Identifier.isValid(id))
    }

    @Test func generatedIdsDiffer() {
        let ids = Set((0..<100).map { _ in Identifier.generate(prefix: "tok") })
        #expect(ids.count == 100)
    }
}
