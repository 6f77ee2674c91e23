/// The small drawing surface every widget, font and shape draws through.
///
/// Coordinates outside the canvas are ignored, never trapped, so callers can draw
/// partly visible glyphs (a marquee entering the panel) without clipping first.
public protocol Canvas {
    var width: Int { get }
    var height: Int { get }
    mutating func setPixel(x: Int, y: Int, _ color: RGB)
    mutating func fill(_ rect: Rect, _ color: RGB)
    func pixel(x: Int, y: Int) -> RGB
    /// Sets the pixels of a glyph's bitmap, each bit a `scale`×`scale` block, with the bitmap's
    /// top-left at (x, y), clipped to `clip`. Text draws only through this, so a canvas can
    /// replace the default (built on `fill`) with a faster one.
    mutating func drawGlyph(_ glyph: Glyph, x: Int, y: Int, scale: Int, color: RGB, clip: Rect)
}

extension Canvas {
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Copies `source` with its top-left corner at (x, y), clipped to this canvas.
    public mutating func blit(_ source: Frame, x: Int, y: Int) {
        let target = bounds.intersection(Rect(x: x, y: y, width: source.width, height: source.height))
        guard !target.isEmpty else { return }
        for ty in target.y..<target.maxY {
            for tx in target.x..<target.maxX {
                setPixel(x: tx, y: ty, source.pixel(x: tx - x, y: ty - y))
            }
        }
    }
}
