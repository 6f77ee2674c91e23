extension AlertBannerWidget {
    /// Whether the border shows at `time`: during the first half of each `flashPeriod`, counted
    /// from the epoch so all panels flash in step; always with a period of 0 (or an invalid one).
    func borderVisible(at time: Double) -> Bool {
        guard flashPeriod.isFinite, flashPeriod > 0, time.isFinite else { return true }
        var phase = time.truncatingRemainder(dividingBy: flashPeriod)
        if phase < 0 { phase += flashPeriod }
        return phase < flashPeriod / 2
    }

    /// The text showing at `time`: languages take turns of `secondsPerLanguage`, counted from the epoch.
    func currentText(at time: Double) -> Text? {
        guard !texts.isEmpty else { return nil }
        guard secondsPerLanguage.isFinite, secondsPerLanguage > 0, time.isFinite else { return texts[0] }
        let turn = (time / secondsPerLanguage).rounded(.down)
        guard abs(turn) < 9e15 else { return texts[0] }
        let index = Int(turn) % texts.count
        return texts[index < 0 ? index + texts.count : index]
    }

    /// A border in the severity colour (2 px on regions at least 48 px each way), the headline in
    /// the severity colour and the text in the style's colour below it, wrapped; lines that do
    /// not fit are left out from the end.
    func draw(in context: WidgetContext, on frame: inout Frame) {
        let rect = context.rect
        let color = severity.color
        let border = min(rect.width, rect.height) >= 48 ? 2 : 1
        if borderVisible(at: context.time) {
            let clip = context.clip
            frame.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: border).intersection(clip), color)
            frame.fill(Rect(x: rect.x, y: rect.maxY - border, width: rect.width, height: border).intersection(clip), color)
            frame.fill(Rect(x: rect.x, y: rect.y, width: border, height: rect.height).intersection(clip), color)
            frame.fill(Rect(x: rect.maxX - border, y: rect.y, width: border, height: rect.height).intersection(clip), color)
        }
        guard let current = currentText(at: context.time) else { return }
        var headlineStyle = style
        headlineStyle.color = color
        // A pixel of padding inside the border when the text still fits, none when that would cost a line.
        var best: (lines: [ShapedLine], inner: Rect)?
        for (attempt, padding) in [border + 1, border].enumerated() {
            let inner = Rect(x: rect.x + padding, y: rect.y + padding, width: rect.width - 2 * padding, height: rect.height - 2 * padding)
            guard !inner.isEmpty else { continue }
            let lines = fittingLines(current, headlineStyle: headlineStyle, in: inner, context: context, attempt: attempt)
            if lines.count > best?.lines.count ?? -1 { best = (lines, inner) }
        }
        guard let best else { return }
        context.drawLines(best.lines, in: best.inner, on: &frame)
    }

    /// The wrapped headline then text, cut after the last whole line that fits: a strip too short
    /// for everything shows the headline rather than two halves of lines.
    /// Lines are memoised in interleaved slots, so the two padding attempts keep theirs apart.
    private func fittingLines(_ alert: Text, headlineStyle: TextStyle, in inner: Rect, context: WidgetContext, attempt: Int) -> [ShapedLine] {
        let text = context.text
        let headline = alert.headline.isEmpty ? [] : text.wrap(alert.headline, width: inner.width, style: headlineStyle)
        let body = alert.text.isEmpty ? [] : text.wrap(alert.text, width: inner.width, style: style)
        var lines: [ShapedLine] = []
        var used = 0
        for (index, (line, lineStyle)) in (headline.map({ ($0, headlineStyle) }) + body.map({ ($0, style) })).enumerated() {
            let shaped = context.line(2 * index + attempt, line, style: lineStyle)
            used += shaped.height
            if used > inner.height, !lines.isEmpty { break }
            lines.append(shaped)
            used += lineStyle.lineSpacing
        }
        return lines
    }
}
