extension TextWidget {
    func draw(in context: WidgetContext, on frame: inout Frame) {
        context.text.draw(text, in: context.rect.intersection(context.clip), style: style, on: &frame)
    }
}
