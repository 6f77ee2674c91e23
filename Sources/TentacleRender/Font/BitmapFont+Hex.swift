extension BitmapFont {
    /// Reads GNU Unifont `.hex` text (`XXXX:bitmap`, 16 rows of 8, 16, 24 or 32 pixels);
    /// throws a `FontError` naming the line at fault. Empty lines and `#` comments are skipped.
    public convenience init(unifontHex text: String, name: String = "unifont") throws {
        var glyphs: [UInt32: Glyph] = [:]
        // Split on scalars: as Characters, "\r\n" is one and would not match "\n".
        for (index, scalars) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Substring(scalars)
            let utf8 = line.utf8.last == UInt8(ascii: "\r") ? line.utf8.dropLast() : line.utf8[...]
            guard let first = utf8.first, first != UInt8(ascii: "#") else { continue }
            let lineNumber = index + 1
            guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else {
                throw FontError.malformed(line: lineNumber, "expected CODEPOINT:BITMAP")
            }
            let codeDigits = utf8[..<colon]
            guard (4...6).contains(codeDigits.count),
                  let code = UInt32(String(decoding: codeDigits, as: UTF8.self), radix: 16), code <= 0x10FFFF else {
                throw FontError.malformed(line: lineNumber, "code point must be 4 to 6 hex digits up to 10FFFF")
            }
            let bitmap = utf8[utf8.index(after: colon)...]
            guard [32, 64, 96, 128].contains(bitmap.count), let bytes = HexDigits.bytes(bitmap) else {
                throw FontError.malformed(line: lineNumber, "bitmap must be 32, 64, 96 or 128 hex digits")
            }
            let step = bytes.count / BitmapFont.unifontHeight
            let width = step * 8
            let rows = stride(from: 0, to: bytes.count, by: step).map { Glyph.rowMask(bytes[$0..<($0 + step)], width: width) }
            glyphs[code] = Glyph(width: width, height: BitmapFont.unifontHeight, xOffset: 0,
                                 yOffset: -BitmapFont.unifontDescent, advance: width, rows: rows)
        }
        self.init(name: name, ascent: BitmapFont.unifontHeight - BitmapFont.unifontDescent,
                  descent: BitmapFont.unifontDescent, glyphs: glyphs)
    }

    /// Unifont cells are 16 rows with the baseline two rows above the bottom.
    static let unifontHeight = 16
    static let unifontDescent = 2
}
