/// A frame as 24-bit colour terminal text.
public enum ANSITerminal {
    /// Two pixel rows per text line, each cell a "▀" whose foreground is the upper pixel and whose
    /// background is the lower one (the terminal's default background below an odd last row).
    /// Colour codes are written only where they change, and each line ends with a reset and "\n".
    public static func render(_ frame: Frame) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(frame.width * (frame.height + 1) / 2 * 12)
        for y in stride(from: 0, to: frame.height, by: 2) {
            var foreground: RGB?
            var background: RGB?
            var defaultBackground = false
            for x in 0..<frame.width {
                let upper = frame.pixel(x: x, y: y)
                if upper != foreground {
                    append(code: 38, upper, to: &out)
                    foreground = upper
                }
                if y + 1 < frame.height {
                    let lower = frame.pixel(x: x, y: y + 1)
                    if lower != background {
                        append(code: 48, lower, to: &out)
                        background = lower
                    }
                } else if !defaultBackground {
                    out += Array("\u{1B}[49m".utf8)
                    defaultBackground = true
                }
                out += [0xE2, 0x96, 0x80]  // "▀" in UTF-8
            }
            out += Array("\u{1B}[0m\n".utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func append(code: Int, _ color: RGB, to out: inout [UInt8]) {
        out += Array("\u{1B}[\(code);2;\(color.r);\(color.g);\(color.b)m".utf8)
    }
}
