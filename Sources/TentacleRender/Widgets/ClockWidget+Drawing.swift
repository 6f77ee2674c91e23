extension ClockWidget {
    /// The time, and the date below it (in `dateStyle`) when both fit, else after it on the same line.
    func draw(in context: WidgetContext, on frame: inout Frame) {
        let second = context.time.isFinite ? Int(max(min(context.time, 1e15), -1e15).rounded(.down)) : 0
        let strings = context.memo.clockStrings(second: second) { context.environment.caches.clockStrings(self, second: second) }
        let time = context.line(0, strings.time, style: style)
        guard let date = strings.date else {
            context.drawLines([time], in: context.rect, on: &frame)
            return
        }
        let dateLine = context.line(1, date, style: dateStyle ?? style)
        if time.height + style.lineSpacing + dateLine.height <= context.rect.height {
            context.drawLines([time, dateLine], in: context.rect, on: &frame)
        } else {
            context.drawLines([context.line(2, strings.time + "  " + date, style: style)], in: context.rect, on: &frame)
        }
    }
}
