extension ImageWidget {
    /// The asset scaled to the region; a missing or broken asset leaves the region's background.
    func draw(in context: WidgetContext, on frame: inout Frame) {
        let rect = context.rect
        guard let image = context.environment.caches.image(
            self, width: rect.width, height: rect.height, background: context.background, assets: context.environment.assets)
        else { return }
        frame.draw(image, x: rect.x, y: rect.y, clip: context.clip)
    }
}
