import Testing
@testable import TentacleRender

@Suite struct ANSITerminalTests {
    @Test func twoPixelRowsPerLine() {
        var frame = Frame(width: 3, height: 4)
        frame.setPixel(x: 0, y: 0, .red)
        frame.setPixel(x: 0, y: 1, .blue)
        let text = ANSITerminal.render(frame)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty)
        for line in lines.dropLast() {
            #expect(line.filter { $0 == "▀" }.count == 3)
            #expect(line.hasSuffix("\u{1B}[0m"))
        }
        #expect(lines[0].hasPrefix("\u{1B}[38;2;255;0;0m\u{1B}[48;2;0;0;255m▀"))
        // Unchanged colours are not repeated.
        #expect(lines[1] == "\u{1B}[38;2;0;0;0m\u{1B}[48;2;0;0;0m▀▀▀\u{1B}[0m")
    }

    @Test func oddLastRowUsesTheDefaultBackground() {
        let text = ANSITerminal.render(Frame(width: 2, height: 3, background: .green))
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[1] == "\u{1B}[38;2;0;255;0m\u{1B}[49m▀▀\u{1B}[0m")
    }
}
