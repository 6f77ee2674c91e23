extension TextLayout {
    /// The lines of `scalars` as index ranges in logical order: paragraphs split at newlines and,
    /// when `width` is given, greedily wrapped to it in one pass. Trailing spaces are dropped.
    func lineRanges(_ scalars: [Unicode.Scalar], width: Int?) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var start = 0
        var i = 0
        while i <= scalars.count {
            if i == scalars.count || scalars[i].isNewline {
                if let width {
                    wrapParagraph(scalars, start..<i, width: width, into: &lines)
                } else {
                    lines.append(trimmed(scalars, start..<i))
                }
                if i + 1 < scalars.count && scalars[i] == "\r" && scalars[i + 1] == "\n" { i += 1 }
                start = i + 1
            }
            i += 1
        }
        return lines
    }

    private func wrapParagraph(_ scalars: [Unicode.Scalar], _ paragraph: Range<Int>, width: Int, into lines: inout [Range<Int>]) {
        let limit = width - (padLeft + padRight) * scale
        var lineStart = paragraph.lowerBound
        var lineWidth = 0
        var lastBreak = lineStart
        var widthAtBreak = 0
        var sawBase = false
        for i in paragraph {
            let scalar = scalars[i]
            let role = scalar.layoutRole
            if i > lineStart, role == .visible, TextLayout.canBreak(between: scalars[i - 1], and: scalar) {
                lastBreak = i
                widthAtBreak = lineWidth
            }
            var advance = 0
            if role != .ignored {
                // Must match shape(_:): a mark with a glyph sits on the base before it, anything else advances.
                let (glyphAdvance, missing) = self.advance(for: scalar)
                let overlays = role == .mark && !missing && sawBase
                advance = overlays ? 0 : glyphAdvance * scale
                sawBase = sawBase || !overlays
            }
            while lineWidth + advance > limit, advance > 0, !scalar.isBreakingSpace, i > lineStart {
                if lastBreak > lineStart {
                    lines.append(trimmed(scalars, lineStart..<lastBreak))
                    lineWidth -= widthAtBreak
                    lineStart = lastBreak
                } else {
                    lines.append(trimmed(scalars, lineStart..<i))
                    lineWidth = 0
                    lineStart = i
                }
            }
            lineWidth += advance
        }
        lines.append(trimmed(scalars, lineStart..<paragraph.upperBound))
    }

    private func trimmed(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> Range<Int> {
        var end = range.upperBound
        while end > range.lowerBound && scalars[end - 1].isBreakingSpace { end -= 1 }
        return range.lowerBound..<end
    }

    /// Whether a line may end between `previous` and `next`: after spaces and zero-width spaces,
    /// and on either side of CJK characters, but never before closing or after opening punctuation.
    static func canBreak(between previous: Unicode.Scalar, and next: Unicode.Scalar) -> Bool {
        if next.isBreakingSpace || next.isClosingPunctuation || previous.isOpeningPunctuation { return false }
        if previous.isBreakingSpace || previous.value == 0x200B { return true }
        return previous.isIdeographic || next.isIdeographic
    }
}
