/// Lays out and draws text with a font fallback chain.
///
/// Sizes are in panel pixels and include the room an outline or shadow takes around the
/// glyphs, so what `measure` reports is what `draw` covers.
public struct TextRenderer: Sendable {
    public let library: FontLibrary

    public init(library: FontLibrary = .shared) {
        self.library = library
    }

    /// Width in pixels of one unwrapped line at the style's font and scale (after visual reordering).
    /// Newlines and other controls take no room, as in `drawLine`.
    public func measure(_ text: String, style: TextStyle) -> Int {
        guard let layout = TextLayout(style, library: library) else { return 0 }
        return layout.width(of: layout.shapeLine(text))
    }

    /// Height in pixels of one line at the style's font and scale.
    public func lineHeight(style: TextStyle) -> Int {
        TextLayout(style, library: library)?.height ?? 0
    }

    /// Height in pixels of the line `text` draws as; taller than `lineHeight(style:)` when it
    /// needs fallback glyphs taller than the chosen font (CJK in a Latin font).
    public func lineHeight(_ text: String, style: TextStyle) -> Int {
        guard let layout = TextLayout(style, library: library) else { return 0 }
        return layout.height(of: layout.shapeLine(text))
    }

    /// The lines `text` breaks into inside `width` (word wrap, CJK breaks, explicit \n), in logical order.
    public func wrap(_ text: String, width: Int, style: TextStyle) -> [String] {
        guard let layout = TextLayout(style, library: library) else { return [] }
        let scalars = Array(text.unicodeScalars)
        return layout.lineRanges(scalars, width: width).map { range in
            var line = String.UnicodeScalarView()
            line.append(contentsOf: scalars[range])
            return String(line)
        }
    }

    /// Draws `text` aligned inside `rect`, wrapping if style.wrap, clipped to `rect`.
    public func draw(_ text: String, in rect: Rect, style: TextStyle, on canvas: inout some Canvas) {
        guard !rect.isEmpty, let layout = TextLayout(style, library: library) else { return }
        let scalars = Array(text.unicodeScalars)
        let runs = layout.lineRanges(scalars, width: style.wrap ? rect.width : nil).map { layout.shapeLogical(scalars[$0]) }
        let spacing = style.lineSpacing
        let total = runs.reduce(0) { $0 + layout.height(of: $1) } + spacing * max(runs.count - 1, 0)
        var y = switch style.verticalAlign {
        case .top: rect.y
        case .middle: rect.y + (rect.height - total) / 2
        case .bottom: rect.maxY - total
        }
        let clip = rect.intersection(canvas.bounds)
        for run in runs {
            let height = layout.height(of: run)
            if y >= clip.maxY { break }
            if y + height > clip.y {
                let width = layout.width(of: run)
                let x = switch style.align {
                case .left: rect.x
                case .center: rect.x + (rect.width - width) / 2
                case .right: rect.maxX - width
                }
                layout.draw(run, x: x, y: y, style: style, clip: clip, on: &canvas)
            }
            y += height + spacing
        }
    }

    /// Draws one unwrapped line with its left edge at x and its top at y, clipped to `clip`;
    /// returns the advance in pixels. Used by the marquee.
    @discardableResult
    public func drawLine(_ text: String, x: Int, y: Int, style: TextStyle, clip: Rect, on canvas: inout some Canvas) -> Int {
        guard let layout = TextLayout(style, library: library) else { return 0 }
        let run = layout.shapeLine(text)
        layout.draw(run, x: x, y: y, style: style, clip: clip.intersection(canvas.bounds), on: &canvas)
        return layout.width(of: run)
    }
}
