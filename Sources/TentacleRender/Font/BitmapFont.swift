/// A monospace-or-proportional bitmap font; glyphs are 1-bit.
public final class BitmapFont: Sendable {
    public let name: String
    /// Pixels above the baseline.
    public let ascent: Int
    /// Pixels below the baseline.
    public let descent: Int
    public var lineHeight: Int { ascent + descent }

    /// Ascent and descent a font may have: enough for any panel, small enough that a bad file
    /// cannot make the missing-glyph box enormous.
    static let metricRange = 0...255

    /// Drawn in this font's height for code points no font in the chain has.
    let missingGlyph: Glyph
    /// Code points below 256 answered without a lock or hash, since most signage text is Latin.
    private let latin: [Glyph?]
    /// The advances of `latin`, -1 where absent: line breaking reads them without copying glyphs.
    private let latinAdvances: [Int16]
    private let storage: Storage

    private enum Storage: Sendable {
        case table([UInt32: Glyph])
        case packed(PackedGlyphs)
    }

    init(name: String, ascent: Int, descent: Int, glyphs: [UInt32: Glyph]) {
        self.name = name
        self.ascent = ascent
        self.descent = descent
        missingGlyph = Glyph.missingBox(ascent: ascent, descent: descent)
        latin = (0..<256).map { glyphs[UInt32($0)] }
        latinAdvances = latin.map { Int16($0?.advance ?? -1) }
        storage = .table(glyphs)
    }

    init(name: String, ascent: Int, descent: Int, packed: PackedGlyphs) {
        self.name = name
        self.ascent = ascent
        self.descent = descent
        missingGlyph = Glyph.missingBox(ascent: ascent, descent: descent)
        latin = packed.block(0) ?? [Glyph?](repeating: nil, count: 256)
        latinAdvances = latin.map { Int16($0?.advance ?? -1) }
        storage = .packed(packed)
    }

    /// The glyph for `scalar`, nil when this font lacks it.
    @inline(__always)
    public func glyph(for scalar: Unicode.Scalar) -> Glyph? {
        let value = scalar.value
        if value < 256 { return latin[Int(value)] }
        switch storage {
        case .table(let glyphs): return glyphs[value]
        case .packed(let packed): return packed.glyph(value)
        }
    }

    /// The advance of `scalar`'s glyph, nil when this font lacks it.
    @inline(__always)
    func advance(for scalar: Unicode.Scalar) -> Int? {
        let value = scalar.value
        if value < 256 {
            let advance = latinAdvances[Int(value)]
            return advance < 0 ? nil : Int(advance)
        }
        return glyph(for: scalar)?.advance
    }
}
