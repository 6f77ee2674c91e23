/// One unwrapped line shaped once, then measured and drawn from the same glyph run.
///
/// Widgets need a line's width to align it, its height to stack it and then its pixels;
/// going through `TextRenderer` for each would shape the line three times per frame. A class,
/// so handing a memoised line to a widget costs one retain rather than one per glyph array and font.
final class ShapedLine: Sendable {
    private let layout: TextLayout?
    private let run: GlyphRun?
    let style: TextStyle
    let width: Int
    let height: Int

    init(_ text: String, style: TextStyle, library: FontLibrary) {
        self.style = style
        layout = TextLayout(style, library: library)
        let run = layout.map { layout in
            Bidi.containsRightToLeft(text.unicodeScalars)
                ? layout.shape(Bidi.visualOrder(Array(text.unicodeScalars)[...]))
                : layout.shape(text.unicodeScalars)
        }
        self.run = run
        if let layout, let run {
            width = layout.width(of: run)
            height = layout.height(of: run)
        } else {
            width = 0
            height = 0
        }
    }

    /// Draws with the line box's top-left at (x, y), clipped to `clip`; like `TextRenderer.drawLine`.
    func draw(x: Int, y: Int, clip: Rect, on frame: inout Frame) {
        guard let layout, let run else { return }
        layout.draw(run, x: x, y: y, style: style, clip: clip.intersection(frame.bounds), on: &frame)
    }
}

extension WidgetContext {
    /// The line in the widget's `slot`, shaped on the first frame and whenever its text or style changes.
    func line(_ slot: Int, _ text: String, style: TextStyle) -> ShapedLine {
        memo.line(slot, text, style: style, library: environment.fonts)
    }
}
