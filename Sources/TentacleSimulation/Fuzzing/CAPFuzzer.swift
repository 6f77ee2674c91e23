public import TentacleCAP
import TentacleCore

/// Seeded generator of mutated CAP documents, and a runner that parses them and counts the outcomes.
///
/// The same seeds and seed give the same documents in the same order, so a finding can be replayed.
public struct CAPFuzzer: Sendable {
    /// The ways a document is mutated; each document gets one to three of them.
    public enum Mutation: String, CaseIterable, Sendable {
        case byteFlip, truncation, elementShuffle, elementDuplication, elementRemoval
        case hugeAttribute, deepNesting, entityDeclaration, markupInsertion, numberChange

        var grows: Bool { self == .hugeAttribute || self == .deepNesting }
    }

    private let seeds: [[UInt8]]
    private var random: SplitMix64

    /// Mutates `seeds` (the built-in `sampleDocument` when empty) with randomness from `seed`.
    public init(seeds: [[UInt8]], seed: UInt64 = 1) {
        self.seeds = seeds.isEmpty ? [Self.sampleDocument] : seeds
        random = SplitMix64(seed: seed)
    }

    /// The next mutated document and the mutations applied to it, in order.
    public mutating func next() -> (document: [UInt8], mutations: [Mutation]) {
        var document = pick(seeds)
        var applied = (0..<number(1...3)).map { _ in pick(Mutation.allCases) }
        // Mutations that make the document large go last, so the others never scan megabytes.
        applied = applied.filter { !$0.grows } + applied.filter(\.grows)
        for mutation in applied { mutate(&document, mutation) }
        return (document, applied)
    }

    /// Parses `count` mutated documents one after another and counts what happened to them.
    ///
    /// A parse that takes longer than `slowAfter` is counted as slow (the parser is linear in the
    /// document, so none should be); the clock only measures, it never interrupts a parse.
    public static func run<C: Clock>(
        count: Int, seeds: [[UInt8]], seed: UInt64 = 1, limits: CAPLimits = .default,
        slowAfter: Duration = .milliseconds(100), clock: C = ContinuousClock()
    ) -> FuzzReport where C.Duration == Duration {
        run(count: count, seeds: seeds.isEmpty ? [sampleDocument] : seeds, seed: seed, slowAfter: slowAfter, clock: clock) { document throws(CAPError) in
            _ = try CAP.parse(document, limits: limits)
        }
    }

    /// The same for warning-feed indexes: mutated Atom and RSS documents (the built-in
    /// `sampleFeeds` when `seeds` is empty) read by `AlertFeedDocument.parse`.
    public static func runFeeds<C: Clock>(
        count: Int, seeds: [[UInt8]] = [], seed: UInt64 = 1, limits: CAPLimits = AlertFeedDocument.limits,
        slowAfter: Duration = .milliseconds(100), clock: C = ContinuousClock()
    ) -> FuzzReport where C.Duration == Duration {
        run(count: count, seeds: seeds.isEmpty ? sampleFeeds : seeds, seed: seed, slowAfter: slowAfter, clock: clock) { document throws(CAPError) in
            _ = try AlertFeedDocument.parse(document, limits: limits)
        }
    }

    private static func run<C: Clock>(
        count: Int, seeds: [[UInt8]], seed: UInt64, slowAfter: Duration, clock: C, parse: ([UInt8]) throws(CAPError) -> Void
    ) -> FuzzReport where C.Duration == Duration {
        var fuzzer = CAPFuzzer(seeds: seeds, seed: seed)
        var report = FuzzReport()
        let start = clock.now
        for index in 0..<max(count, 0) {
            let (document, mutations) = fuzzer.next()
            for mutation in mutations { report.mutations[mutation.rawValue, default: 0] += 1 }
            let before = clock.now
            do {
                try parse(document)
                report.accepted += 1
            } catch {
                report.rejected[error.kind.description, default: 0] += 1
            }
            let took = before.duration(to: clock.now)
            if took > slowAfter { report.slow += 1 }
            if took > report.slowest {
                report.slowest = took
                report.slowestIndex = index
            }
            report.documents += 1
        }
        report.elapsed = start.duration(to: clock.now)
        return report
    }

    // MARK: mutations

    private mutating func mutate(_ d: inout [UInt8], _ mutation: Mutation) {
        switch mutation {
        case .byteFlip:
            guard !d.isEmpty else { return }
            for _ in 0..<number(1...8) {
                d[number(0...(d.count - 1))] ^= UInt8(number(1...255))
            }
        case .truncation:
            d.removeLast(d.isEmpty ? 0 : number(1...d.count))
        case .elementShuffle:
            let leaves = Self.leafElements(d)
            guard leaves.count >= 2 else { return }
            let i = number(0...(leaves.count - 2))
            let a = leaves[i], b = leaves[number((i + 1)...(leaves.count - 1))]
            d = Array(d[..<a.lowerBound] + d[b] + d[a.upperBound..<b.lowerBound] + d[a] + d[b.upperBound...])
        case .elementDuplication:
            let leaves = Self.leafElements(d)
            guard !leaves.isEmpty else { return }
            let leaf = pick(leaves)
            d.insert(contentsOf: Array(d[leaf]), at: leaf.upperBound)
        case .elementRemoval:
            let leaves = Self.leafElements(d)
            guard !leaves.isEmpty else { return }
            let leaf = pick(leaves)
            d.removeSubrange(leaf)
        case .hugeAttribute:
            guard let at = randomTagNameEnd(d) else { return }
            let size = logUniform(8...20)
            d.insert(contentsOf: Array(" a=\"".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: size) + [UInt8(ascii: "\"")], at: at)
        case .deepNesting:
            let depth = logUniform(3...12)
            let (open, close) = number(0...1) == 0
                ? ("<x>", "</x>") : ("<f:x xmlns:f=\"urn:example:foreign\">", "</f:x>")
            let nest = String(repeating: open, count: depth) + String(repeating: close, count: depth)
            d.insert(contentsOf: Array(nest.utf8), at: randomPosition(after: UInt8(ascii: ">"), in: d))
        case .entityDeclaration:
            let declaration = pick(Self.declarations)
            let at = number(0...1) == 0 ? Self.afterXMLDeclaration(d) : randomPosition(after: UInt8(ascii: ">"), in: d)
            d.insert(contentsOf: Array(declaration.utf8), at: at)
        case .markupInsertion:
            let token = pick(Self.markupTokens)
            d.insert(contentsOf: token, at: number(0...d.count))
        case .numberChange:
            guard let start = randomIndex(in: d, where: { $0 >= 0x30 && $0 <= 0x39 }) else { return }
            var end = start
            while end < d.count, (d[end] >= 0x30 && d[end] <= 0x39) || d[end] == UInt8(ascii: ".") { end += 1 }
            d.replaceSubrange(start..<end, with: Array(pick(Self.numbers).utf8))
        }
    }

    /// A whole number in `range`, from the generator's bits alone (not the standard library's
    /// `random(in:)`, whose algorithm may change), so a seed replays on any Swift version.
    private mutating func number(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random.next() % UInt64(range.count))
    }

    private mutating func pick<T>(_ items: [T]) -> T {
        items[number(0...(items.count - 1))]
    }

    /// A size between 2^lo and 2^(hi+1), spread evenly over the powers of two.
    private mutating func logUniform(_ bits: ClosedRange<Int>) -> Int {
        let base = 1 << number(bits)
        return base + number(0...(base - 1))
    }

    /// The first index at or after a random place (wrapping round) whose byte passes `test`; cheaper
    /// than listing every match, and random enough for fuzzing.
    private mutating func randomIndex(in d: [UInt8], where test: (UInt8) -> Bool) -> Int? {
        guard !d.isEmpty else { return nil }
        let start = number(0...(d.count - 1))
        for k in 0..<d.count where test(d[(start + k) % d.count]) {
            return (start + k) % d.count
        }
        return nil
    }

    /// Just after a random occurrence of `byte`, or the start.
    private mutating func randomPosition(after byte: UInt8, in d: [UInt8]) -> Int {
        randomIndex(in: d, where: { $0 == byte }).map { $0 + 1 } ?? 0
    }

    /// Just after the name of a random start tag.
    private mutating func randomTagNameEnd(_ d: [UInt8]) -> Int? {
        guard var i = randomIndex(in: d, where: { $0 == UInt8(ascii: "<") }), i + 1 < d.count, Self.isNameByte(d[i + 1]) else { return nil }
        i += 1
        while i < d.count, Self.isNameByte(d[i]) { i += 1 }
        return i
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ":")
    }

    private static func afterXMLDeclaration(_ d: [UInt8]) -> Int {
        guard d.starts(with: "<?xml".utf8) else { return 0 }
        var i = 0
        while i + 1 < d.count, !(d[i] == UInt8(ascii: "?") && d[i + 1] == UInt8(ascii: ">")) { i += 1 }
        return min(i + 2, d.count)
    }

    /// Byte ranges of `<name>text</name>` elements (text without markup), found by a plain scan.
    private static func leafElements(_ d: [UInt8]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var i = 0
        while i + 1 < d.count {
            guard d[i] == UInt8(ascii: "<"), isNameByte(d[i + 1]) else {
                i += 1
                continue
            }
            var nameEnd = i + 1
            while nameEnd < d.count, isNameByte(d[nameEnd]) { nameEnd += 1 }
            guard let close = d[nameEnd...].firstIndex(of: UInt8(ascii: ">")),
                  let next = d[close...].firstIndex(of: UInt8(ascii: "<"))
            else { break }
            let name = d[(i + 1)..<nameEnd]
            let end = next + 2 + name.count
            if d[close - 1] != UInt8(ascii: "/"), end < d.count, d[next + 1] == UInt8(ascii: "/"),
               d[(next + 2)..<end].elementsEqual(name), d[end] == UInt8(ascii: ">") {
                result.append(i..<(end + 1))
                i = end + 1
            } else {
                i = close + 1
            }
        }
        return result
    }

    private static let declarations = [
        #"<!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>"#,
        #"<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#,
        #"<!doctype alert SYSTEM "http://example.invalid/cap.dtd">"#,
        #"<!DocType alert [<!ENTITY % p SYSTEM "http://example.invalid/p.dtd"> %p;]>"#,
        #"<!ENTITY e "&e;">"#,
        "&xxe;&c;",
    ]

    private static let markupTokens: [[UInt8]] = [
        "<", ">", "&", "&amp;", "&#0;", "&#xD800;", "&#x110000;", "]]>", "<![CDATA[", "<![CDATA[x<y]]>", "<!--", "-->",
        "<?pi x?>", "</info>", "<info>", "<area>", "</alert>", "<alert>", "<polygon>1,2 3,4</polygon>",
        "<circle>0,0 -1</circle>", "<identifier>", "xmlns=\"urn:oasis:names:tc:emergency:cap:1.1\"", "\u{FEFF}", "\u{FFFF}",
    ].map { Array($0.utf8) } + [[0x00], [0xC3, 0x28], [0xFF, 0xFE], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]]

    private static let numbers = ["", "-0", "1e309", "NaN", "inf", "999", "-999.5", "0x1p3", "1,2", "\u{0663}", "00000000000000000000001"]
}
