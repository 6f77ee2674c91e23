extension LiveValueWidget {
    /// The value as drawn: rounded to `decimals`, or an em dash when there is no finite value.
    func formatted(_ value: Double?) -> String {
        guard let value, value.isFinite else { return LiveValueWidget.noData }
        let decimals = min(max(decimals, LiveValueWidget.decimalsRange.lowerBound), LiveValueWidget.decimalsRange.upperBound)
        let text = value.formatted(decimals: decimals)
        // Rounding a small negative value must not print "-0".
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())
        }
        return text
    }

    /// "label value unit" on one line, or the label above "value unit" when one line does not fit
    /// but two do (narrow 64-pixel panels); only the value takes the band colour.
    func draw(in context: WidgetContext, on frame: inout Frame) {
        let value = context.data[metric]
        var valueStyle = style
        valueStyle.color = value.flatMap { $0.isFinite ? bands?.color(for: $0) : nil } ?? style.color
        let label = label.isEmpty ? nil : context.line(0, label, style: style)
        let number = context.line(1, formatted(value), style: valueStyle)
        let unit = unit.isEmpty ? nil : context.line(2, unit, style: style)
        let space = context.line(3, " ", style: style).width

        let readingWidth = number.width + (unit.map { space + $0.width } ?? 0)
        let readingHeight = max(number.height, unit?.height ?? 0)
        let rect = context.rect
        let clip = rect.intersection(context.clip)
        // Each segment sits on its line's bottom: one without fallback glyphs has a shorter box,
        // and the fonts share a descent, so the baselines stay together.
        func drawReading(x: Int, bottom: Int) {
            number.draw(x: x, y: bottom - number.height, clip: clip, on: &frame)
            unit?.draw(x: x + number.width + space, y: bottom - (unit?.height ?? 0), clip: clip, on: &frame)
        }
        guard let label else {
            let top = context.top(ofBlock: readingHeight, in: rect, align: style.verticalAlign)
            drawReading(x: context.left(ofLine: readingWidth, in: rect, align: style.align), bottom: top + readingHeight)
            return
        }
        let oneLineWidth = label.width + space + readingWidth
        let twoLineHeight = label.height + style.lineSpacing + readingHeight
        if oneLineWidth > rect.width, rect.height >= twoLineHeight {
            let top = context.top(ofBlock: twoLineHeight, in: rect, align: style.verticalAlign)
            label.draw(x: context.left(ofLine: label.width, in: rect, align: style.align), y: top, clip: clip, on: &frame)
            drawReading(x: context.left(ofLine: readingWidth, in: rect, align: style.align), bottom: top + twoLineHeight)
        } else {
            let height = max(label.height, readingHeight)
            let bottom = context.top(ofBlock: height, in: rect, align: style.verticalAlign) + height
            let x = context.left(ofLine: oneLineWidth, in: rect, align: style.align)
            label.draw(x: x, y: bottom - label.height, clip: clip, on: &frame)
            drawReading(x: x + label.width + space, bottom: bottom)
        }
    }
}

extension Double {
    /// Fixed-point text independent of the host locale: always "." and no grouping.
    fileprivate func formatted(decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(self) * scale).rounded()
        // Past 2^53 there are no fractional digits left to show; such readings are faults anyway.
        guard scaled < 9e15 else { return "\(self)" }
        let units = Int64(scaled)
        let whole = units / Int64(scale)
        let fraction = units % Int64(scale)
        var text = (self < 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
    }
}
