/// Enlarged previews of a frame, plain or looking like the LED panel it drives.
public enum LEDLook {
    public static let scaleRange = 1...32

    /// The frame enlarged `scale` times (clamped to 1...32 and to the largest frame size).
    /// With `ledLook` (from scale 3 up) each pixel is a round dot on black with a dark gap to
    /// its neighbours; otherwise each pixel becomes a solid block.
    public static func upscale(_ frame: Frame, scale: Int, ledLook: Bool) -> Frame {
        let s = max(1, min(scale, scaleRange.upperBound, Frame.maxWidth / frame.width, Frame.maxHeight / frame.height))
        let mask = ledLook && s >= 3 ? dotMask(cell: s) : [Bool](repeating: true, count: s * s)
        let outWidth = frame.width * s
        let outStride = outWidth * 3
        var out = [UInt8](repeating: 0, count: outStride * frame.height * s)
        frame.bytes.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<frame.height {
                    for dy in 0..<s {
                        let row = (y * s + dy) * outStride
                        for x in 0..<frame.width {
                            let from = (y * frame.width + x) * 3
                            for dx in 0..<s where mask[dy * s + dx] {
                                let to = row + (x * s + dx) * 3
                                target[to] = source[from]
                                target[to + 1] = source[from + 1]
                                target[to + 2] = source[from + 2]
                            }
                        }
                    }
                }
            }
        }
        return Frame(width: outWidth, height: frame.height * s, bytes: out)!
    }

    /// Which pixels of a `cell`×`cell` block the dot covers: a disc in the top-left
    /// (cell - gap) square, so the right and bottom edges stay dark between dots.
    static func dotMask(cell: Int) -> [Bool] {
        let gap = max(1, cell / 5)
        let radius = Double(cell - gap) / 2
        return (0..<(cell * cell)).map { i in
            let dx = Double(i % cell) + 0.5 - radius
            let dy = Double(i / cell) + 0.5 - radius
            return dx * dx + dy * dy <= radius * radius
        }
    }
}
