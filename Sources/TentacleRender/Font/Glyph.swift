/// One 1-bit glyph bitmap with its metrics, as in BDF: the bitmap's bottom row sits
/// `yOffset` pixels above the baseline and its left column `xOffset` pixels right of the pen.
public struct Glyph: Sendable, Hashable {
    /// The widest bitmap a glyph may have: rows are 64-bit masks and an outline adds a column on each side.
    public static let maxWidth = 62

    public let width: Int
    public let height: Int
    public let xOffset: Int
    public let yOffset: Int
    public let advance: Int
    /// One mask per row, top row first; bit 63 is the leftmost pixel.
    let rows: [UInt64]

    init(width: Int, height: Int, xOffset: Int, yOffset: Int, advance: Int, rows: [UInt64]) {
        self.width = width
        self.height = height
        self.xOffset = xOffset
        self.yOffset = yOffset
        self.advance = advance
        self.rows = rows
    }

    public func isSet(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < width, y < height else { return false }
        return rows[y] & (1 << UInt64(63 - x)) != 0
    }

    /// The mask of a row given as big-endian bytes (BDF and .hex order), cut to `width` bits.
    static func rowMask<Bytes: Collection<UInt8>>(_ bytes: Bytes, width: Int) -> UInt64 {
        var mask: UInt64 = 0
        var shift = 56
        for byte in bytes where shift >= 0 {
            mask |= UInt64(byte) << UInt64(shift)
            shift -= 8
        }
        return width >= 64 ? mask : mask & ~(UInt64.max >> UInt64(width))
    }

    /// A hollow rectangle of the font's full height, drawn for code points no font has.
    static func missingBox(ascent: Int, descent: Int) -> Glyph {
        let height = max(ascent + descent, 2)
        let advance = max(4, (height + 1) / 2)
        let width = advance - 1
        let full = ~(UInt64.max >> UInt64(width))
        let sides: UInt64 = (1 << 63) | (1 << UInt64(64 - width))
        let rows = (0..<height).map { $0 == 0 || $0 == height - 1 ? full : sides }
        return Glyph(width: width, height: height, xOffset: 0, yOffset: -descent, advance: advance, rows: rows)
    }

    /// This glyph grown by one pixel on every side: the 8-neighbour ring an outline draws.
    func dilated() -> Glyph {
        var grown = [UInt64](repeating: 0, count: height + 2)
        for (y, row) in rows.enumerated() where row != 0 {
            // Shifting one column right makes room for the new left edge.
            let spread = row | row >> 1 | row >> 2
            grown[y] |= spread
            grown[y + 1] |= spread
            grown[y + 2] |= spread
        }
        return Glyph(width: width + 2, height: height + 2, xOffset: xOffset - 1, yOffset: yOffset - 1,
                     advance: advance, rows: grown)
    }
}
