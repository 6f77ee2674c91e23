import Foundation
import Testing
@testable import TentacleRender

/// A two-glyph BDF: "A" (3×4, one column of left bearing) and "é" with ENCODING -1 skipped.
private let smallBDF = """
STARTFONT 2.1
FONT -Test-Tiny-Medium-R-Normal--5-50-75-75-C-40-ISO10646-1
SIZE 5 75 75
FONTBOUNDINGBOX 4 5 0 -1
STARTPROPERTIES 2
FONT_ASCENT 4
FONT_DESCENT 1
ENDPROPERTIES
CHARS 2
STARTCHAR A
ENCODING 65
SWIDTH 500 0
DWIDTH 4 0
BBX 3 4 1 0
BITMAP
40
A0
E0
A0
ENDCHAR
STARTCHAR unencoded
ENCODING -1
DWIDTH 4 0
BBX 4 5 0 -1
BITMAP
F0
F0
F0
F0
F0
ENDCHAR
ENDFONT
"""

private func fontError(_ read: () throws -> BitmapFont) -> FontError? {
    do {
        _ = try read()
        return nil
    } catch {
        return error as? FontError
    }
}

private func bdfError(_ text: String) -> FontError? { fontError { try BitmapFont(bdf: text) } }

private func hexError(_ text: String) -> FontError? { fontError { try BitmapFont(unifontHex: text) } }

@Suite struct BDFParsingTests {
    @Test func readsMetricsAndBitmaps() throws {
        let font = try BitmapFont(bdf: smallBDF, name: "tiny")
        #expect(font.name == "tiny")
        #expect(font.ascent == 4 && font.descent == 1 && font.lineHeight == 5)
        let a = try #require(font.glyph(for: "A"))
        #expect(a.width == 3 && a.height == 4 && a.xOffset == 1 && a.yOffset == 0 && a.advance == 4)
        let art = (0..<4).map { y in String((0..<3).map { a.isSet(x: $0, y: y) ? "#" : "." }) }
        #expect(art == [".#.", "#.#", "###", "#.#"])
        #expect(!a.isSet(x: -1, y: 0) && !a.isSet(x: 3, y: 0) && !a.isSet(x: 0, y: 4))
        #expect(font.glyph(for: "B") == nil)
    }

    @Test func namesTheFontFromItsFontLine() throws {
        let font = try BitmapFont(bdf: smallBDF)
        #expect(font.name == "-Test-Tiny-Medium-R-Normal--5-50-75-75-C-40-ISO10646-1")
    }

    @Test func takesMetricsFromTheBoundingBoxWithoutProperties() throws {
        let text = smallBDF.replacingOccurrences(of: "FONT_ASCENT 4\n", with: "").replacingOccurrences(of: "FONT_DESCENT 1\n", with: "")
        let font = try BitmapFont(bdf: text)
        #expect(font.ascent == 4 && font.descent == 1)
    }

    @Test(arguments: [
        ("STARTFONT 2.1\nFONT x\n", 3),                                   // no ENDFONT
        ("hello\n", 1),                                                   // not BDF
        ("", 1),
        (smallBDF.replacingOccurrences(of: "A0\nE0", with: "A0\nZZ"), 18),  // bad hex digit
        (smallBDF.replacingOccurrences(of: "BBX 3 4 1 0\n", with: ""), 14), // BITMAP before BBX
        (smallBDF.replacingOccurrences(of: "A0\nENDCHAR\nSTARTCHAR unencoded", with: "ENDCHAR\nSTARTCHAR unencoded"), 19),
        (smallBDF.replacingOccurrences(of: "DWIDTH 4 0\nBBX 3", with: "DWIDTH four 0\nBBX 3"), 13),
        (smallBDF.replacingOccurrences(of: "BBX 3 4 1 0", with: "BBX 99 4 1 0"), 14),
        (smallBDF.replacingOccurrences(of: "ENCODING 65", with: "ENCODING 99999999"), 11),
        (smallBDF.replacingOccurrences(of: "ENDCHAR\nSTARTCHAR unencoded", with: "STARTCHAR unencoded"), 20),
    ])
    func malformedInputNamesTheLine(text: String, line: Int) {
        let error = bdfError(text)
        #expect(error != nil)
        #expect(error?.line == line, "\(String(describing: error))")
    }

    @Test func errorDescriptionNamesTheLine() {
        let error = bdfError("STARTFONT 2.1\nFONT_ASCENT x\n")
        #expect(error?.description.hasPrefix("line 2:") == true)
    }
}

@Suite struct HexParsingTests {
    @Test func readsHalfAndFullWidthGlyphs() throws {
        let text = """
        # comment lines and blank lines are skipped

        0041:0000000018242442427E424242420000
        4E2D:01000100010001003FF8210821082108210821083FF821080100010001000100
        """
        let font = try BitmapFont(unifontHex: text)
        #expect(font.ascent == 14 && font.descent == 2)
        let a = try #require(font.glyph(for: "A"))
        #expect(a.width == 8 && a.height == 16 && a.advance == 8 && a.yOffset == -2)
        #expect(a.isSet(x: 3, y: 4) && a.isSet(x: 4, y: 4) && !a.isSet(x: 2, y: 4))
        let zhong = try #require(font.glyph(for: "中"))
        #expect(zhong.width == 16 && zhong.advance == 16)
        #expect(zhong.isSet(x: 7, y: 0) && !zhong.isSet(x: 8, y: 0))
        #expect(zhong.isSet(x: 2, y: 4) && zhong.isSet(x: 12, y: 4))
    }

    @Test func acceptsWindowsLineEndings() throws {
        let font = try BitmapFont(unifontHex: "0041:0000000018242442427E424242420000\r\n")
        #expect(font.glyph(for: "A") != nil)
    }

    @Test(arguments: [
        ("0041 0000000018242442427E424242420000", 1),          // no colon
        ("0041:0000000018242442427E4242424200", 1),            // 30 digits
        ("0041:0000000018242442427E42424242000G", 1),          // not hex
        ("0041:0000000018242442427E424242420000\n41:00", 2),   // short code point
        ("110000:0000000018242442427E424242420000", 1),        // beyond Unicode
        ("0041:0000000018242442427E424242420000\n\nXYZW:0000000018242442427E424242420000", 3),
    ])
    func malformedInputNamesTheLine(text: String, line: Int) {
        let error = hexError(text)
        #expect(error?.line == line, "\(String(describing: error))")
    }
}

@Suite struct BundledFontTests {
    @Test func libraryListsTheShippedFonts() {
        #expect(FontLibrary.shared.names == ["5x8", "6x13", "9x18", "unifont"])
        #expect(FontLibrary.shared.font(named: "comic-sans") == nil)
    }

    @Test func latinFontsHaveTheirX11Metrics() throws {
        let expected = ["5x8": (7, 1, 5), "6x13": (11, 2, 6), "9x18": (14, 4, 9)]
        for (name, (ascent, descent, advance)) in expected {
            let font = try #require(FontLibrary.shared.font(named: name))
            #expect(font.ascent == ascent && font.descent == descent)
            #expect(font.glyph(for: "M")?.advance == advance)
            #expect(font.glyph(for: "中") == nil)
        }
    }

    @Test func unifontCoversTheBasicMultilingualPlane() throws {
        let unifont = try #require(FontLibrary.shared.font(named: "unifont"))
        #expect(unifont.lineHeight == 16)
        for scalar in "前方施工请绕行空气质量良".unicodeScalars {
            #expect(unifont.glyph(for: scalar)?.advance == 16)
        }
        for scalar in "Aé€אשبح".unicodeScalars {
            #expect(unifont.glyph(for: scalar)?.advance == 8)
        }
        #expect(unifont.glyph(for: "😀") == nil)
        #expect(unifont.glyph(for: "\u{E000}") == nil)
    }

    @Test func bundledUnifontMatchesTheHexSource() throws {
        let unifont = try #require(FontLibrary.shared.font(named: "unifont"))
        let hex = try BitmapFont(unifontHex: "4E2D:01000100010001003FF8210821082108210821083FF821080100010001000100")
        #expect(unifont.glyph(for: "中") == hex.glyph(for: "中"))
    }

    @Test func sameFontObjectOnEveryLookup() {
        #expect(FontLibrary.shared.font(named: "6x13") === FontLibrary.shared.font(named: "6x13"))
    }

    @Test func concurrentFirstUseLoadsEachBlockSafely() async throws {
        let library = FontLibrary(fonts: ["unifont": { try BitmapFont(bundled: "unifont") }])
        let text = "前方施工请绕行空气质量良好ㄅㄆ가나다あいうアイウ"
        let widths = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { TextRenderer(library: library).measure(text, style: TextStyle(font: "unifont")) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let serial = TextRenderer(library: FontLibrary(fonts: ["unifont": { try BitmapFont(bundled: "unifont") }]))
        #expect(Set(widths) == [serial.measure(text, style: TextStyle(font: "unifont"))])
    }

    @Test func brokenLoaderMeansNoFont() {
        struct Broken: Error {}
        let library = FontLibrary(fonts: ["broken": { throw Broken() }])
        #expect(library.names == ["broken"])
        #expect(library.font(named: "broken") == nil)
    }

    @Test func rejectsDataThatIsNotAPackedFont() {
        #expect(throws: FontError.self) { try PackedGlyphs(data: Data("STARTFONT 2.1".utf8)) }
    }
}

@Suite struct MissingGlyphTests {
    @Test func boxIsAHollowRectangleOfTheFontHeight() throws {
        let font = try #require(FontLibrary.shared.font(named: "6x13"))
        let box = font.missingGlyph
        #expect(box.height == 13 && box.yOffset == -2)
        for y in 0..<box.height {
            for x in 0..<box.width {
                let edge = x == 0 || y == 0 || x == box.width - 1 || y == box.height - 1
                #expect(box.isSet(x: x, y: y) == edge)
            }
        }
        #expect(box.advance > box.width)
    }
}
