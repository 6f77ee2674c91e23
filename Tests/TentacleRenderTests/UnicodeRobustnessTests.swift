import Testing
@testable import TentacleRender

/// SplitMix64: a seeded generator so every run draws the same "random" text.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Text mixing every kind of scalar layout treats differently.
private func randomText(count: Int, seed: UInt64) -> String {
    var generator = SeededGenerator(state: seed)
    let pools: [ClosedRange<UInt32>] = [
        0x00...0x1F, 0x20...0x7E, 0x7F...0x9F, 0xA0...0x24F, 0x300...0x36F, 0x590...0x6FF,
        0x2000...0x206F, 0x3000...0x30FF, 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0xE000...0xF8FF,
        0xFE00...0xFE0F, 0xFFF0...0xFFFF, 0x1F300...0x1FAFF, 0x10000...0x10FFFF, 0xE0000...0xE007F,
    ]
    var scalars = String.UnicodeScalarView()
    while scalars.count < count {
        let pool = pools.randomElement(using: &generator)!
        if let scalar = Unicode.Scalar(UInt32.random(in: pool, using: &generator)) { scalars.append(scalar) }
    }
    return String(scalars)
}

@Suite struct UnicodeRobustnessTests {
    private let renderer = TextRenderer()

    @Test(arguments: [1, 2, 3, 4])
    func arbitraryUnicodeDrawsWithoutTrapping(seed: UInt64) {
        let text = randomText(count: 10_000, seed: seed)
        for style in [TextStyle(), TextStyle(font: "5x8", scale: 2, outline: .blue, align: .center, verticalAlign: .middle),
                      TextStyle(font: "unifont", shadow: .red, align: .right, verticalAlign: .bottom, wrap: false)] {
            var frame = Frame(width: 192, height: 96)
            renderer.draw(text, in: frame.bounds, style: style, on: &frame)
            let advance = renderer.drawLine(text, x: -500, y: 40, style: style, clip: frame.bounds, on: &frame)
            #expect(advance == renderer.measure(text, style: style))
            let lines = renderer.wrap(text, width: 192, style: style)
            #expect(lines.allSatisfy { renderer.measure($0, style: style) <= 192 || $0.unicodeScalars.count == 1 })
        }
    }

    @Test func shortPathologicalStrings() {
        let cases = ["", "\n", "\n\n\n", "\u{301}", "\u{301}\u{302}\u{303}", " ", "   \n  ", "\u{200F}\u{202E}", "\r",
                     "\u{FEFF}", "א\u{301}", "(((", "1.2.3", String(repeating: "\u{301}", count: 10_000),
                     String(repeating: " ", count: 10_000), String(repeating: "\n", count: 10_000), "😀\u{200D}😀\u{FE0F}"]
        for text in cases {
            var frame = Frame(width: 64, height: 32)
            for width in [-5, 0, 1, 64] {
                _ = renderer.wrap(text, width: width, style: TextStyle())
                renderer.draw(text, in: Rect(x: 0, y: 0, width: width, height: 32), style: TextStyle(), on: &frame)
            }
            renderer.drawLine(text, x: 0, y: 0, style: TextStyle(), clip: Rect(x: 0, y: 0, width: -1, height: 9), on: &frame)
        }
    }

    @Test func farOffCanvasCoordinatesAreHarmless() {
        var frame = Frame(width: 64, height: 32)
        for (x, y) in [(Int.min / 4, 0), (Int.max / 4, 0), (0, Int.min / 4), (0, Int.max / 4), (-100, -100)] {
            renderer.drawLine("Hello 中文", x: x, y: y, style: TextStyle(scale: 4), clip: frame.bounds, on: &frame)
        }
        #expect(frame == Frame(width: 64, height: 32))
    }
}
