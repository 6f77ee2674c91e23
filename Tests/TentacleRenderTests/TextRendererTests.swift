import Testing
@testable import TentacleRender

private let renderer = TextRenderer()
private let latin = TextStyle(font: "6x13")

/// The smallest rectangle holding every pixel that is not black, nil for a black frame.
private func litBounds(_ frame: Frame) -> Rect? {
    var minX = Int.max, minY = Int.max, maxX = Int.min, maxY = Int.min
    for y in 0..<frame.height {
        for x in 0..<frame.width where frame.pixel(x: x, y: y) != .black {
            minX = min(minX, x)
            minY = min(minY, y)
            maxX = max(maxX, x)
            maxY = max(maxY, y)
        }
    }
    return minX == .max ? nil : Rect(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)
}

private func pixels(of color: RGB, in frame: Frame) -> Set<[Int]> {
    var found = Set<[Int]>()
    for y in 0..<frame.height {
        for x in 0..<frame.width where frame.pixel(x: x, y: y) == color {
            found.insert([x, y])
        }
    }
    return found
}

private func line(_ text: String, style: TextStyle = latin, width: Int = 96, height: Int = 40, x: Int = 0) -> Frame {
    var frame = Frame(width: width, height: height)
    renderer.drawLine(text, x: x, y: 0, style: style, clip: frame.bounds, on: &frame)
    return frame
}

@Suite struct MeasureTests {
    @Test func latinAdvancesByTheCellWidth() {
        #expect(renderer.measure("Hello", style: latin) == 30)
        #expect(renderer.measure("Hello", style: TextStyle(font: "5x8")) == 25)
        #expect(renderer.measure("Hello", style: TextStyle(font: "9x18")) == 45)
        #expect(renderer.measure("", style: latin) == 0)
    }

    @Test func scaleAndDecorationAreIncluded() {
        #expect(renderer.measure("Hello", style: TextStyle(font: "6x13", scale: 2)) == 60)
        #expect(renderer.measure("Hello", style: TextStyle(font: "6x13", outline: .blue)) == 32)
        #expect(renderer.measure("Hello", style: TextStyle(font: "6x13", shadow: .red)) == 31)
        #expect(renderer.measure("Hello", style: TextStyle(font: "6x13", scale: 9)) == 120)  // clamped to 4
    }

    @Test func cjkFallsBackToDoubleWidthUnifont() {
        #expect(renderer.measure("中文", style: latin) == 32)
        #expect(renderer.measure("PM2.5 良", style: latin) == 6 * 6 + 16)
        #expect(renderer.measure("空气质量 良", style: TextStyle(font: "unifont")) == 4 * 16 + 8 + 16)
    }

    @Test func controlsAndIgnorablesTakeNoRoom() {
        #expect(renderer.measure("A\u{7}\u{1B}B\u{200D}\u{FE0F}\u{200B}\n", style: latin) == 12)
    }

    @Test func combiningMarksDoNotAdvance() {
        #expect(renderer.measure("e\u{301}", style: latin) == 6)
        #expect(renderer.measure("e\u{301}\u{323}x", style: latin) == 12)
        #expect(renderer.measure("中\u{301}", style: latin) == 16)
    }

    @Test func missingCodePointsDrawABox() {
        // 6x13's box advances 7; emoji, other astral scalars and noncharacters have no glyph anywhere.
        #expect(renderer.measure("\u{FFFF}", style: latin) == 7)
        #expect(renderer.measure("😀", style: latin) == 7)
        #expect(renderer.measure("\u{1F1E8}\u{1F1F3}", style: latin) == 14)
    }

    @Test func unknownFontFallsBackToUnifont() {
        #expect(renderer.measure("A", style: TextStyle(font: "no-such-font")) == 8)
        #expect(renderer.lineHeight(style: TextStyle(font: "no-such-font")) == 16)
    }

    @Test func emptyLibraryMeasuresNothing() {
        let empty = TextRenderer(library: FontLibrary(fonts: [:]))
        #expect(empty.measure("A", style: latin) == 0)
        #expect(empty.wrap("A", width: 10, style: latin).isEmpty)
        var frame = Frame(width: 8, height: 8)
        empty.draw("A", in: frame.bounds, style: latin, on: &frame)
        #expect(litBounds(frame) == nil)
    }

    @Test func measureMatchesTheAdvanceDrawLineReturns() {
        for text in ["Hello", "空气质量 良", "שלום 123", "e\u{301}😀", ""] {
            var frame = Frame(width: 200, height: 20)
            let advance = renderer.drawLine(text, x: 0, y: 0, style: latin, clip: frame.bounds, on: &frame)
            #expect(advance == renderer.measure(text, style: latin), "\(text)")
        }
    }

    @Test func lineHeights() {
        #expect(renderer.lineHeight(style: latin) == 13)
        #expect(renderer.lineHeight(style: TextStyle(font: "5x8")) == 8)
        #expect(renderer.lineHeight(style: TextStyle(font: "9x18", scale: 2)) == 36)
        #expect(renderer.lineHeight(style: TextStyle(font: "6x13", outline: .blue)) == 15)
        #expect(renderer.lineHeight(style: TextStyle(font: "6x13", shadow: .red)) == 14)
        // Unifont's taller ascent grows a 6x13 line that falls back to it.
        #expect(renderer.lineHeight("ok", style: latin) == 13)
        #expect(renderer.lineHeight("ok 良", style: latin) == 16)
    }
}

@Suite struct WrapTests {
    @Test func latinWrapsAtSpaces() {
        #expect(renderer.wrap("the quick brown fox", width: 60, style: latin) == ["the quick", "brown fox"])
        #expect(renderer.wrap("the quick brown fox", width: 200, style: latin) == ["the quick brown fox"])
        #expect(renderer.wrap("a  b", width: 6, style: latin) == ["a", "b"])
    }

    @Test func longWordsBreakAnywhere() {
        #expect(renderer.wrap("abcdefghij", width: 24, style: latin) == ["abcd", "efgh", "ij"])
        #expect(renderer.wrap("abc", width: 0, style: latin) == ["a", "b", "c"])
    }

    @Test func explicitNewlines() {
        #expect(renderer.wrap("a\nb\r\nc\n", width: 100, style: latin) == ["a", "b", "c", ""])
        #expect(renderer.wrap("one two\nthree", width: 30, style: latin) == ["one", "two", "three"])
    }

    @Test func cjkBreaksBetweenCharacters() {
        #expect(renderer.wrap("空气质量 良", width: 48, style: latin) == ["空气质", "量 良"])
        #expect(renderer.wrap("前方施工 请绕行", width: 64, style: latin) == ["前方施工", "请绕行"])
        #expect(renderer.wrap("前方施工 请绕行", width: 40, style: latin) == ["前方", "施工", "请绕", "行"])
    }

    @Test func mixedLatinAndCJK() {
        #expect(renderer.wrap("PM2.5 37 空气质量良好", width: 96, style: latin) == ["PM2.5 37 空气", "质量良好"])
        #expect(renderer.wrap("Road works 前方施工", width: 72, style: latin) == ["Road works", "前方施工"])
    }

    @Test func closingPunctuationDoesNotStartALine() {
        #expect(renderer.wrap("你好，世界。", width: 32, style: latin) == ["你", "好，", "世", "界。"])
        #expect(renderer.wrap("「你好」", width: 32, style: latin) == ["「你", "好」"])
    }

    @Test func marksStayWithTheirBase() {
        #expect(renderer.wrap("ae\u{301}", width: 6, style: latin) == ["a", "e\u{301}"])
    }

    @Test func rightToLeftLinesStayInLogicalOrder() {
        #expect(renderer.wrap("שלום עולם", width: 40, style: latin) == ["שלום", "עולם"])
    }

    @Test func tenThousandCharactersWrapInOnePass() {
        let text = String(repeating: "前方施工请绕行", count: 1_500)
        let lines = renderer.wrap(text, width: 192, style: latin)
        #expect(lines.count == (text.unicodeScalars.count + 11) / 12)
        #expect(lines.allSatisfy { renderer.measure($0, style: latin) <= 192 })
    }
}

@Suite struct DrawTests {
    /// Where "II" lands in a 60×20 frame with `style`.
    private func bounds(_ style: TextStyle) throws -> Rect {
        var frame = Frame(width: 60, height: 20)
        renderer.draw("II", in: frame.bounds, style: style, on: &frame)
        return try #require(litBounds(frame))
    }

    @Test func horizontalAlignment() throws {
        let left = try bounds(TextStyle(font: "6x13", align: .left))
        #expect(try bounds(TextStyle(font: "6x13", align: .center)).x == left.x + 24)
        #expect(try bounds(TextStyle(font: "6x13", align: .right)).x == left.x + 48)
    }

    @Test func verticalAlignment() throws {
        let top = try bounds(TextStyle(font: "6x13", verticalAlign: .top))
        #expect(try bounds(TextStyle(font: "6x13", verticalAlign: .middle)).y == top.y + 3)
        #expect(try bounds(TextStyle(font: "6x13", verticalAlign: .bottom)).y == top.y + 7)
    }

    @Test func wrappedLinesStackWithSpacing() throws {
        var frame = Frame(width: 40, height: 60)
        renderer.draw("I I", in: Rect(x: 0, y: 0, width: 10, height: 60), style: TextStyle(font: "6x13", lineSpacing: 2), on: &frame)
        var single = Frame(width: 40, height: 60)
        renderer.draw("I", in: single.bounds, style: latin, on: &single)
        let one = try #require(litBounds(single))
        #expect(litBounds(frame) == Rect(x: one.x, y: one.y, width: one.width, height: one.height + 15))
        var unwrapped = Frame(width: 40, height: 60)
        renderer.draw("I I", in: Rect(x: 0, y: 0, width: 10, height: 60), style: TextStyle(font: "6x13", wrap: false), on: &unwrapped)
        #expect(litBounds(unwrapped)?.height == one.height)
    }

    @Test func drawsInTheStyleColour() {
        let frame = line("A", style: TextStyle(font: "6x13", color: .amber))
        #expect(Set(pixels(of: .amber, in: frame)).count > 0)
        #expect(pixels(of: .white, in: frame).isEmpty)
    }

    @Test func clipsToTheRect() throws {
        var frame = Frame(width: 100, height: 100)
        let rect = Rect(x: 10, y: 10, width: 20, height: 10)
        renderer.draw("Hello world and more lines", in: rect, style: latin, on: &frame)
        let lit = try #require(litBounds(frame))
        #expect(rect.intersection(lit) == lit)
    }

    @Test func drawLineClipsAndStartsAtX() throws {
        var frame = Frame(width: 100, height: 20)
        let clip = Rect(x: 20, y: 0, width: 10, height: 20)
        renderer.drawLine("MMMMMMMMMM", x: -7, y: 0, style: latin, clip: clip, on: &frame)
        let lit = try #require(litBounds(frame))
        #expect(lit.x >= 20 && lit.maxX <= 30)
    }

    @Test func scaleMakesBlocks() {
        let small = line("Ag", style: TextStyle(font: "6x13"))
        let big = line("Ag", style: TextStyle(font: "6x13", scale: 3))
        for y in 0..<39 {
            for x in 0..<36 {
                #expect(big.pixel(x: x, y: y) == small.pixel(x: x / 3, y: y / 3))
            }
        }
    }

    @Test func outlineRingsTheGlyphUnderneath() {
        let plain = pixels(of: .white, in: line("Ag"))
        let framed = line("Ag", style: TextStyle(font: "6x13", outline: .blue))
        let glyph = pixels(of: .white, in: framed)
        #expect(glyph == Set(plain.map { [$0[0] + 1, $0[1] + 1] }))
        var ring = Set<[Int]>()
        for p in glyph {
            for dy in -1...1 {
                for dx in -1...1 where !glyph.contains([p[0] + dx, p[1] + dy]) {
                    ring.insert([p[0] + dx, p[1] + dy])
                }
            }
        }
        #expect(pixels(of: .blue, in: framed) == ring)
    }

    @Test func shadowFallsOnePixelDownRight() {
        let plain = pixels(of: .white, in: line("Ag"))
        let shaded = line("Ag", style: TextStyle(font: "6x13", shadow: .red))
        #expect(pixels(of: .white, in: shaded) == plain)
        #expect(pixels(of: .red, in: shaded) == Set(plain.map { [$0[0] + 1, $0[1] + 1] }).subtracting(plain))
    }

    @Test func missingGlyphIsAHollowBoxOfLineHeight() throws {
        for text in ["\u{FFFF}", "😀", "\u{10FFFD}"] {
            let frame = line(text)
            #expect(litBounds(frame) == Rect(x: 0, y: 0, width: 6, height: 13))
            #expect(frame.pixel(x: 2, y: 5) == .black)
        }
    }

    @Test func controlsAreSkipped() {
        #expect(line("A\u{1}\u{7}B\u{7F}\u{9B}") == line("AB"))
        #expect(line("A\u{200D}B\u{FE0F}") == line("AB"))
    }

    @Test func combiningMarkDrawsOverItsBase() throws {
        let base = pixels(of: .white, in: line("e"))
        let marked = pixels(of: .white, in: line("e\u{301}"))
        #expect(marked.isSuperset(of: base) && marked.count > base.count)
        #expect(marked.allSatisfy { $0[0] < 6 })
    }

    @Test func cjkFallbackSharesTheBaselineInATallerLine() throws {
        // Unifont's ascent is 14 against 6x13's 11, so with CJK in the line the baseline, and
        // the Latin glyphs on it, move down 3 pixels and the CJK glyph fits above it.
        let alone = try #require(pixels(of: .white, in: line("_")).map { $0[1] }.min())
        let mixed = pixels(of: .white, in: line("_良"))
        #expect(mixed.filter { $0[0] < 6 }.map { $0[1] }.min() == alone + 3)
        #expect(mixed.allSatisfy { $0[1] < 16 })
    }

    @Test func rightToLeftRunsAreReversed() {
        // A single-letter line needs no reordering, so drawing letters one by one in visual
        // order gives the expected frame.
        func letters(_ visual: [String]) -> Frame {
            var frame = Frame(width: 96, height: 20)
            var x = 0
            for letter in visual {
                x += renderer.drawLine(letter, x: x, y: 0, style: latin, clip: frame.bounds, on: &frame)
            }
            return frame
        }
        #expect(line("אבג", width: 96, height: 20) == letters(["ג", "ב", "א"]))
        #expect(line("אב 12", width: 96, height: 20) == letters(["1", "2", " ", "ב", "א"]))
        #expect(line("abc אב", width: 96, height: 20) == letters(["a", "b", "c", " ", "ב", "א"]))
        #expect(line("אב abc", width: 96, height: 20) == letters(["a", "b", "c", " ", "ב", "א"]))
        #expect(line("א(ב)", width: 96, height: 20) == letters(["(", "ב", ")", "א"]))
        #expect(line("مرحبا", width: 96, height: 20) == letters(["ا", "ب", "ح", "ر", "م"]))
        #expect(line("שָׁלוֹם", width: 96, height: 20) == letters(["ם", "וֹ", "ל", "שָׁ"]))
    }
}
