extension BitmapFont {
    /// Reads a BDF 2.1 font (X11's text bitmap format); throws a `FontError` naming the line at fault.
    ///
    /// `name` defaults to the font's `FONT` name. Glyphs with no Unicode encoding (ENCODING -1) are skipped.
    public convenience init(bdf text: String, name: String? = nil) throws {
        var parser = BDFParser(text)
        try parser.parse()
        guard let ascent = parser.ascent, let descent = parser.descent else {
            throw FontError.malformed(line: parser.lineNumber, "no FONT_ASCENT/FONT_DESCENT or FONTBOUNDINGBOX")
        }
        guard BitmapFont.metricRange.contains(ascent), BitmapFont.metricRange.contains(descent) else {
            throw FontError.unsupported(line: parser.lineNumber, "FONT_ASCENT and FONT_DESCENT must be within 0...255")
        }
        self.init(name: name ?? parser.fontName ?? "bdf", ascent: ascent, descent: descent, glyphs: parser.glyphs)
    }
}

private struct BDFParser {
    private var lines: [Substring]
    private(set) var lineNumber = 0
    var fontName: String?
    var ascent: Int?
    var descent: Int?
    var glyphs: [UInt32: Glyph] = [:]
    private var boundingBox: (height: Int, yOffset: Int)?

    init(_ text: String) {
        // Split on scalars: as Characters, "\r\n" is one and would not match "\n".
        lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map(Substring.init)
    }

    /// The next line split into words, nil at the end of the text.
    private mutating func nextWords() -> [Substring]? {
        guard lineNumber < lines.count else { return nil }
        lineNumber += 1
        return lines[lineNumber - 1].split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
    }

    private func number(_ words: [Substring], _ index: Int) throws -> Int {
        guard index < words.count, let value = Int(words[index]) else {
            throw FontError.malformed(line: lineNumber, "\(words.first ?? "line") needs a number in field \(index)")
        }
        return value
    }

    mutating func parse() throws {
        var started = false
        while let words = nextWords() {
            guard let keyword = words.first else { continue }
            if !started {
                guard keyword == "STARTFONT" else { throw FontError.malformed(line: lineNumber, "expected STARTFONT") }
                started = true
                continue
            }
            switch keyword {
            case "FONT": fontName = words.dropFirst().joined(separator: " ")
            case "FONT_ASCENT": ascent = try number(words, 1)
            case "FONT_DESCENT": descent = try number(words, 1)
            case "FONTBOUNDINGBOX": boundingBox = (try number(words, 2), try number(words, 4))
            case "STARTCHAR": try parseGlyph()
            case "ENDFONT": return finish()
            default: continue
            }
        }
        guard started else { throw FontError.malformed(line: max(lineNumber, 1), "expected STARTFONT") }
        throw FontError.malformed(line: lineNumber, "missing ENDFONT")
    }

    private mutating func finish() {
        if let box = boundingBox {
            ascent = ascent ?? box.height + box.yOffset
            descent = descent ?? -box.yOffset
        }
    }

    private mutating func parseGlyph() throws {
        let start = lineNumber
        var encoding: Int?
        var advance: Int?
        var box: (width: Int, height: Int, x: Int, y: Int)?
        var rows: [UInt64] = []
        while let words = nextWords() {
            guard let keyword = words.first else { continue }
            switch keyword {
            case "ENCODING":
                encoding = try number(words, 1)
                guard encoding! <= 0x10FFFF else { throw FontError.malformed(line: lineNumber, "ENCODING beyond U+10FFFF") }
            case "DWIDTH":
                advance = try number(words, 1)
                guard (0...255).contains(advance!) else { throw FontError.unsupported(line: lineNumber, "DWIDTH outside 0...255") }
            case "BBX":
                box = (try number(words, 1), try number(words, 2), try number(words, 3), try number(words, 4))
                guard (0...Glyph.maxWidth).contains(box!.width), (0...255).contains(box!.height) else {
                    throw FontError.unsupported(line: lineNumber, "BBX must be 0...\(Glyph.maxWidth) wide and 0...255 high")
                }
            case "BITMAP":
                guard let box else { throw FontError.malformed(line: lineNumber, "BITMAP before BBX") }
                rows = try bitmapRows(box.width, box.height)
            case "ENDCHAR":
                guard let box else { throw FontError.malformed(line: lineNumber, "ENDCHAR without BBX") }
                guard rows.count == box.height else { throw FontError.malformed(line: lineNumber, "ENDCHAR without BITMAP") }
                guard let encoding else { throw FontError.malformed(line: start, "STARTCHAR without ENCODING") }
                if encoding >= 0 {
                    glyphs[UInt32(encoding)] = Glyph(width: box.width, height: box.height, xOffset: box.x, yOffset: box.y,
                                                     advance: advance ?? box.width + max(box.x, 0), rows: rows)
                }
                return
            case "STARTCHAR", "ENDFONT":
                throw FontError.malformed(line: lineNumber, "\(keyword) before ENDCHAR of the glyph started on line \(start)")
            default: continue
            }
        }
        throw FontError.malformed(line: lineNumber, "missing ENDCHAR for the glyph started on line \(start)")
    }

    private mutating func bitmapRows(_ width: Int, _ height: Int) throws -> [UInt64] {
        let digits = (width + 7) / 8 * 2
        var rows: [UInt64] = []
        rows.reserveCapacity(height)
        for _ in 0..<height {
            guard let words = nextWords() else { throw FontError.malformed(line: lineNumber, "BITMAP ends early") }
            guard words.count == 1, let hex = words.first, hex.utf8.count >= digits,
                  let bytes = HexDigits.bytes(hex.utf8.prefix(digits)) else {
                throw FontError.malformed(line: lineNumber, "BITMAP row needs \(digits) hex digits")
            }
            rows.append(Glyph.rowMask(bytes, width: width))
        }
        return rows
    }
}

/// Hex text to bytes, shared by the BDF and .hex readers.
enum HexDigits {
    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Pairs of hex digits as bytes; nil for an odd count or a non-hex character.
    static func bytes<Digits: Collection<UInt8>>(_ digits: Digits) -> [UInt8]? {
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var high: UInt8?
        for c in digits {
            guard let v = value(c) else { return nil }
            if let h = high {
                bytes.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return bytes
    }
}
