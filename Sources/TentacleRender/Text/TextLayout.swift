/// One line's glyphs placed left to right, in font pixels from the line's left edge.
struct GlyphRun {
    struct Placed {
        let glyph: Glyph
        /// Left edge of the glyph's bitmap.
        let x: Int
    }

    var glyphs: [Placed] = []
    var advance = 0
    /// The line box: the chosen font's, grown to the fallback font's when the line uses it.
    var ascent: Int
    var descent: Int
}

/// A style resolved against a font library: the font chain, the clamped scale and the
/// room an outline or shadow needs around the glyphs (in font pixels).
struct TextLayout {
    /// The chosen font (Unifont when the name is unknown); it sets the line box.
    let primary: BitmapFont
    /// Unifont, for glyphs the chosen font lacks; nil when the chosen font is Unifont.
    let fallback: BitmapFont?
    let scale: Int
    let padLeft: Int, padTop: Int, padRight: Int, padBottom: Int

    init?(_ style: TextStyle, library: FontLibrary) {
        let fallback = library.font(named: FontLibrary.fallbackName)
        guard let primary = library.font(named: style.font) ?? fallback else { return nil }
        self.primary = primary
        self.fallback = fallback === primary ? nil : fallback
        scale = min(max(style.scale, TextStyle.scaleRange.lowerBound), TextStyle.scaleRange.upperBound)
        padLeft = style.outline == nil ? 0 : 1
        padTop = padLeft
        padRight = style.outline == nil && style.shadow == nil ? 0 : 1
        padBottom = padRight
    }

    /// The glyph that draws `scalar`: the chosen font's, else the fallback's, else the missing-glyph box.
    @inline(__always)
    func glyph(for scalar: Unicode.Scalar) -> (glyph: Glyph, fromFallback: Bool, missing: Bool) {
        if let glyph = primary.glyph(for: scalar) { return (glyph, false, false) }
        if let fallback, let glyph = fallback.glyph(for: scalar) { return (glyph, true, false) }
        return (primary.missingGlyph, false, true)
    }

    /// What `glyph(for:)` would give, without copying the glyph.
    @inline(__always)
    func advance(for scalar: Unicode.Scalar) -> (advance: Int, missing: Bool) {
        if let advance = primary.advance(for: scalar) { return (advance, false) }
        if let fallback, let advance = fallback.advance(for: scalar) { return (advance, false) }
        return (primary.missingGlyph.advance, true)
    }

    /// Places the glyphs of one line, given in visual order.
    func shape(_ scalars: some Sequence<Unicode.Scalar>) -> GlyphRun {
        var run = GlyphRun(ascent: primary.ascent, descent: primary.descent)
        run.glyphs.reserveCapacity(scalars.underestimatedCount)
        var usedFallback = false
        var base: (x: Int, advance: Int)?
        for scalar in scalars {
            let role = scalar.layoutRole
            if role == .ignored { continue }
            let (glyph, fromFallback, missing) = glyph(for: scalar)
            usedFallback = usedFallback || fromFallback
            if role == .mark, !missing, let base {
                // Fonts draw a mark in a cell of its own; centre that cell over the base glyph.
                run.glyphs.append(GlyphRun.Placed(glyph: glyph, x: base.x + (base.advance - glyph.advance) / 2 + glyph.xOffset))
            } else {
                run.glyphs.append(GlyphRun.Placed(glyph: glyph, x: run.advance + glyph.xOffset))
                base = (run.advance, glyph.advance)
                run.advance += glyph.advance
            }
        }
        if usedFallback, let fallback {
            run.ascent = max(run.ascent, fallback.ascent)
            run.descent = max(run.descent, fallback.descent)
        }
        return run
    }

    /// Places one logical line, reordering it first when it holds right-to-left letters.
    func shapeLogical(_ scalars: ArraySlice<Unicode.Scalar>) -> GlyphRun {
        Bidi.containsRightToLeft(scalars) ? shape(Bidi.visualOrder(scalars)) : shape(scalars)
    }

    /// Places one unwrapped line of text in visual order, as `TextRenderer.drawLine` draws it.
    func shapeLine(_ text: String) -> GlyphRun {
        Bidi.containsRightToLeft(text.unicodeScalars) ? shape(Bidi.visualOrder(Array(text.unicodeScalars)[...])) : shape(text.unicodeScalars)
    }

    func width(of run: GlyphRun) -> Int {
        run.glyphs.isEmpty ? 0 : (run.advance + padLeft + padRight) * scale
    }

    func height(of run: GlyphRun) -> Int {
        (run.ascent + run.descent + padTop + padBottom) * scale
    }

    var height: Int {
        (primary.lineHeight + padTop + padBottom) * scale
    }

    /// Draws a run with its line box's top-left at (x, y): shadow, then outline, then glyphs.
    func draw(_ run: GlyphRun, x: Int, y: Int, style: TextStyle, clip: Rect, on canvas: inout some Canvas) {
        let s = scale
        let left = x + padLeft * s
        let baseline = y + (padTop + run.ascent) * s
        // Glyphs wholly left or right of the clip (most of a long marquee) are skipped here,
        // before a call into the canvas.
        let first = clip.x, last = clip.maxX
        run.glyphs.withUnsafeBufferPointer { glyphs in
            if let shadow = style.shadow {
                for placed in glyphs {
                    let glyph = placed.glyph, gx = left + (placed.x + 1) * s
                    guard gx < last, gx + glyph.width * s > first else { continue }
                    canvas.drawGlyph(glyph, x: gx, y: baseline - (glyph.yOffset + glyph.height - 1) * s,
                                     scale: s, color: shadow, clip: clip)
                }
            }
            if let outline = style.outline {
                for placed in glyphs {
                    let gx = left + (placed.x - 1) * s
                    guard gx < last, gx + (placed.glyph.width + 2) * s > first else { continue }
                    let ring = placed.glyph.dilated()
                    canvas.drawGlyph(ring, x: gx, y: baseline - (ring.yOffset + ring.height) * s,
                                     scale: s, color: outline, clip: clip)
                }
            }
            for placed in glyphs {
                let glyph = placed.glyph, gx = left + placed.x * s
                guard gx < last, gx + glyph.width * s > first else { continue }
                canvas.drawGlyph(glyph, x: gx, y: baseline - (glyph.yOffset + glyph.height) * s,
                                 scale: s, color: style.color, clip: clip)
            }
        }
    }
}
