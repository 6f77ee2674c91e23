extension Canvas {
    /// Draws through `fill`, so any canvas shows text; `Frame` writes its bytes directly instead.
    public mutating func drawGlyph(_ glyph: Glyph, x: Int, y: Int, scale: Int, color: RGB, clip: Rect) {
        glyph.forEachRun(x: x, y: y, scale: max(scale, 1), clip: clip.intersection(bounds)) { x0, x1, y0, y1 in
            fill(Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0), color)
        }
    }
}

extension Frame {
    public mutating func drawGlyph(_ glyph: Glyph, x: Int, y: Int, scale: Int, color: RGB, clip: Rect) {
        let clip = clip.intersection(bounds)
        guard !clip.isEmpty else { return }
        if scale > 1 {
            drawScaledGlyph(glyph, x: x, y: y, scale: scale, color: color, clip: clip)
            return
        }
        let top = max(y, clip.y), bottom = min(y + glyph.height, clip.maxY)
        guard top < bottom, x < clip.maxX, x + glyph.width > clip.x else { return }
        let width = self.width
        let pattern = PixelPattern(color)
        let masks = PixelPattern.masks
        bytes.withUnsafeMutableBufferPointer { buffer in
            guard let pixels = buffer.baseAddress else { return }
            masks.withUnsafeBufferPointer { masks in
                glyph.rows.withUnsafeBufferPointer { rows in
                    for py in top..<bottom {
                        var bits = rows[py - y]
                        let row = pixels + py * width * 3
                        var chunkX = x
                        // Eight pixels at a time: a whole byte of the mask inside the clip is one
                        // branch-free blend; bytes on the clip's edge go pixel by pixel.
                        while bits != 0 {
                            let mask = UInt8(truncatingIfNeeded: bits >> 56)
                            if mask != 0 {
                                if chunkX >= clip.x && chunkX + 8 <= clip.maxX {
                                    pattern.blend(mask, with: masks, into: row + chunkX * 3)
                                } else {
                                    for bit in 0..<8 where mask & (0x80 >> UInt8(bit)) != 0 {
                                        let px = chunkX + bit
                                        guard px >= clip.x && px < clip.maxX else { continue }
                                        row[px * 3] = color.r
                                        row[px * 3 + 1] = color.g
                                        row[px * 3 + 2] = color.b
                                    }
                                }
                            }
                            bits <<= 8
                            chunkX += 8
                        }
                    }
                }
            }
        }
    }

    private mutating func drawScaledGlyph(_ glyph: Glyph, x: Int, y: Int, scale: Int, color: RGB, clip: Rect) {
        let width = self.width
        let (r, g, b) = (color.r, color.g, color.b)
        bytes.withUnsafeMutableBufferPointer { buffer in
            guard let pixels = buffer.baseAddress else { return }
            glyph.forEachRun(x: x, y: y, scale: scale, clip: clip) { x0, x1, y0, y1 in
                for py in y0..<y1 {
                    var p = pixels + (py * width + x0) * 3
                    for _ in x0..<x1 {
                        p[0] = r
                        p[1] = g
                        p[2] = b
                        p += 3
                    }
                }
            }
        }
    }
}

/// One colour repeated over eight RGB pixels (24 bytes, split 16 + 8 for SIMD), with the byte
/// masks that pick the pixels a glyph byte sets.
private struct PixelPattern {
    let low: SIMD16<UInt8>
    let high: SIMD8<UInt8>

    init(_ color: RGB) {
        let (r, g, b) = (color.r, color.g, color.b)
        low = SIMD16(r, g, b, r, g, b, r, g, b, r, g, b, r, g, b, r)
        high = SIMD8(g, b, r, g, b, r, g, b)
    }

    /// For each value of a glyph byte, the 24 output bytes it covers (most significant bit leftmost).
    static let masks: [(low: SIMD16<UInt8>, high: SIMD8<UInt8>)] = (0..<256).map { mask in
        let bytes = (0..<24).map { mask & (0x80 >> ($0 / 3)) != 0 ? UInt8.max : 0 }
        return (SIMD16(bytes[0..<16]), SIMD8(bytes[16..<24]))
    }

    /// Sets the pixels of `mask` in the eight pixels at `target`.
    ///
    /// The last 8 bytes are touched only when pixels 5 to 7 are set: glyph cells are usually
    /// 6 to 9 pixels wide with an empty last column, so the next glyph's load then never overlaps
    /// this store, which would stall the CPU's store forwarding.
    @inline(__always)
    func blend(_ mask: UInt8, with masks: UnsafeBufferPointer<(low: SIMD16<UInt8>, high: SIMD8<UInt8>)>,
               into target: UnsafeMutablePointer<UInt8>) {
        let (maskLow, maskHigh) = masks[Int(mask)]
        let raw = UnsafeMutableRawPointer(target)
        let oldLow = raw.loadUnaligned(as: SIMD16<UInt8>.self)
        raw.storeBytes(of: (oldLow & ~maskLow) | (low & maskLow), as: SIMD16<UInt8>.self)
        if mask & 0x07 != 0 {
            let oldHigh = raw.loadUnaligned(fromByteOffset: 16, as: SIMD8<UInt8>.self)
            raw.storeBytes(of: (oldHigh & ~maskHigh) | (high & maskHigh), toByteOffset: 16, as: SIMD8<UInt8>.self)
        }
    }
}

extension Glyph {
    /// Calls `body` with each horizontal run of set bits as a pixel rectangle (x0..<x1, y0..<y1),
    /// with the bitmap's top-left at (x, y), every bit `scale`×`scale` pixels, cut to `clip`.
    @inline(__always)
    func forEachRun(x: Int, y: Int, scale: Int, clip: Rect, _ body: (Int, Int, Int, Int) -> Void) {
        let right = x + width * scale, bottom = y + height * scale
        guard !clip.isEmpty, width > 0, height > 0,
              right > clip.x, x < clip.maxX, bottom > clip.y, y < clip.maxY else { return }
        var columns = UInt64.max
        if x < clip.x {
            let hidden = (clip.x - x) / scale
            columns = hidden >= 64 ? 0 : UInt64.max >> UInt64(hidden)
        }
        if right > clip.maxX {
            let shown = (clip.maxX - x + scale - 1) / scale
            columns &= ~(UInt64.max >> UInt64(shown))
        }
        let firstRow = y < clip.y ? (clip.y - y) / scale : 0
        let endRow = bottom > clip.maxY ? (clip.maxY - y + scale - 1) / scale : height
        rows.withUnsafeBufferPointer { rows in
            for row in firstRow..<endRow {
                var bits = rows[row] & columns
                guard bits != 0 else { continue }
                let top = y + row * scale
                let y0 = max(top, clip.y), y1 = min(top + scale, clip.maxY)
                while bits != 0 {
                    let start = bits.leadingZeroBitCount
                    let end = start + (~(bits << UInt64(start))).leadingZeroBitCount
                    bits = end >= 64 ? 0 : bits & (UInt64.max >> UInt64(end))
                    body(max(x + start * scale, clip.x), min(x + end * scale, clip.maxX), y0, y1)
                }
            }
        }
    }
}
