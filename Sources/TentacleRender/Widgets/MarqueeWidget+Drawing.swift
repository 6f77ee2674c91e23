extension MarqueeWidget {
    /// How far the text has moved at `time`: floor(time × speed) mod (text width + gap).
    ///
    /// A pure function of time, so every renderer (preview, player, test) shows the same
    /// position for the same instant, and the loop is seamless because copies sit one period apart.
    func offset(at time: Double, textWidth: Int) -> Int {
        let period = textWidth + max(gap, 0)
        guard period > 0 else { return 0 }
        let travelled = (time * speed).rounded(.down)
        // Beyond 2^53 doubles stop holding whole pixels; such times or speeds only come from invalid input.
        guard travelled.isFinite, abs(travelled) < 9e15 else { return 0 }
        let offset = Int(travelled) % period
        return offset < 0 ? offset + period : offset
    }

    /// One line entering at the region's right edge and moving left; as many copies as the width needs.
    func draw(in context: WidgetContext, on frame: inout Frame) {
        let line = context.memo.line(0, text, style: style, library: context.environment.fonts, oneLine: true)
        let textWidth = line.width
        let period = textWidth + max(gap, 0)
        guard textWidth > 0, period > 0 else { return }
        let rect = context.rect
        let y = context.top(ofBlock: line.height, in: rect, align: style.verticalAlign)
        let clip = rect.intersection(context.clip)
        var x = rect.maxX - offset(at: context.time, textWidth: textWidth)
        while x + textWidth > clip.x {
            if x < clip.maxX {
                line.draw(x: x, y: y, clip: clip, on: &frame)
            }
            x -= period
        }
    }
}
