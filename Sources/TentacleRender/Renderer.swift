public import Foundation

/// Turns a layout, a time and live data into the exact frame a panel shows.
///
/// Rendering is a pure function of its inputs; what the renderer keeps between frames (decoded
/// images, shaped text, the current second's clock text) only saves work, so every renderer
/// draws the same pixels for the same inputs.
public struct Renderer: Sendable {
    let environment: RenderEnvironment

    public var fonts: FontLibrary { environment.fonts }
    public var assets: any AssetSource { environment.assets }

    public init(fonts: FontLibrary = .shared, assets: some AssetSource = InMemoryAssets()) {
        environment = RenderEnvironment(fonts: fonts, assets: assets)
    }

    /// A new frame of the layout's size showing `layout` at `time`; `data` maps metric names to current values.
    public func render(_ layout: Layout, at time: Date, data: [String: Double] = [:]) -> Frame {
        var frame = Frame(width: layout.width, height: layout.height, background: layout.background)
        draw(layout, at: time, data: data, into: &frame)
        return frame
    }

    /// Renders into an existing frame (the player's back buffer), replacing it only when the size differs.
    public func render(_ layout: Layout, at time: Date, data: [String: Double] = [:], into frame: inout Frame) {
        let width = min(max(layout.width, 1), Frame.maxWidth), height = min(max(layout.height, 1), Frame.maxHeight)
        if frame.width != width || frame.height != height {
            frame = Frame(width: width, height: height, background: layout.background)
        } else {
            clearBackground(layout, in: &frame)
        }
        draw(layout, at: time, data: data, into: &frame)
    }

    /// Paints the layout background except over rows that a full-width region with its own
    /// background repaints anyway (in any z order, since such a region fills before it draws).
    private func clearBackground(_ layout: Layout, in frame: inout Frame) {
        var y = 0
        while y < frame.height {
            var coveredTo = y
            var nextBand = frame.height
            for region in layout.regions where region.background != nil && region.x <= 0 && region.rect.maxX >= frame.width && region.height > 0 {
                if region.y <= y && region.rect.maxY > y {
                    coveredTo = max(coveredTo, region.rect.maxY)
                } else if region.y > y {
                    nextBand = min(nextBand, region.y)
                }
            }
            if coveredTo > y {
                y = coveredTo
            } else {
                frame.fill(Rect(x: 0, y: y, width: frame.width, height: nextBand - y), layout.background)
                y = nextBand
            }
        }
    }

    private func draw(_ layout: Layout, at time: Date, data: [String: Double], into frame: inout Frame) {
        let t = time.timeIntervalSince1970
        let memo = environment.caches.memo(for: layout)
        let regions = layout.regions
        // Layouts usually list regions bottom to top already; sorting then would only cost an allocation per frame.
        if zip(regions, regions.dropFirst()).allSatisfy({ $0.z <= $1.z }) {
            for index in regions.indices { draw(index, of: memo, time: t, data: data, into: &frame) }
        } else {
            for index in regions.indices.sorted(by: { (regions[$0].z, $0) < (regions[$1].z, $1) }) {
                draw(index, of: memo, time: t, data: data, into: &frame)
            }
        }
    }

    static let drawableArea = Rect(
        x: Layout.integerRange.lowerBound, y: Layout.integerRange.lowerBound,
        width: Layout.integerRange.count - 1, height: Layout.integerRange.count - 1)

    private func draw(_ index: Int, of memo: LayoutMemo, time: Double, data: [String: Double], into frame: inout Frame) {
        let region = memo.layout.regions[index]
        // A region built in code may hold any Int; cut to the range layout documents allow, alignment arithmetic cannot overflow.
        let rect = region.rect.intersection(Renderer.drawableArea)
        let clip = rect.intersection(frame.bounds)
        guard !clip.isEmpty else { return }
        if let background = region.background { frame.fill(clip, background) }
        guard let item = region.currentIndex(at: time) else { return }
        let context = WidgetContext(
            rect: rect, clip: clip, time: time, data: data,
            background: region.background ?? memo.layout.background, environment: environment, memo: memo.items[index][item])
        context.draw(region.playlist[item].widget, on: &frame)
    }
}

/// Everything a renderer draws with, behind one reference so passing it to each widget is one retain.
final class RenderEnvironment: Sendable {
    let fonts: FontLibrary
    let assets: any AssetSource
    let text: TextRenderer
    let caches = RenderCaches()

    init(fonts: FontLibrary, assets: any AssetSource) {
        self.fonts = fonts
        self.assets = assets
        text = TextRenderer(library: fonts)
    }
}

/// What a widget needs to draw itself: where, when, with which data and tools.
struct WidgetContext {
    /// The region's rectangle, which alignment is measured against.
    let rect: Rect
    /// The part of `rect` inside the frame; nothing is drawn outside it.
    let clip: Rect
    /// Seconds since the epoch.
    let time: Double
    let data: [String: Double]
    /// What lies behind the widget, for compositing image alpha.
    let background: RGB
    let environment: RenderEnvironment
    /// This playlist item's shaped lines and clock text from earlier frames.
    let memo: ItemMemo

    var text: TextRenderer { environment.text }

    func draw(_ widget: Widget, on frame: inout Frame) {
        switch widget {
        case .text(let w): w.draw(in: self, on: &frame)
        case .marquee(let w): w.draw(in: self, on: &frame)
        case .clock(let w): w.draw(in: self, on: &frame)
        case .image(let w): w.draw(in: self, on: &frame)
        case .liveValue(let w): w.draw(in: self, on: &frame)
        case .alertBanner(let w): w.draw(in: self, on: &frame)
        }
    }

    /// The top y of a block `height` pixels tall placed in `rect` by `align`.
    func top(ofBlock height: Int, in rect: Rect, align: VerticalAlignment) -> Int {
        switch align {
        case .top: rect.y
        case .middle: rect.y + (rect.height - height) / 2
        case .bottom: rect.maxY - height
        }
    }

    /// The left x of a line `width` pixels wide placed in `rect` by `align`; a line too wide
    /// for the rect starts at its left edge so the beginning stays readable.
    func left(ofLine width: Int, in rect: Rect, align: HorizontalAlignment) -> Int {
        guard width < rect.width else { return rect.x }
        switch align {
        case .left: return rect.x
        case .center: return rect.x + (rect.width - width) / 2
        case .right: return rect.maxX - width
        }
    }

    /// Draws unwrapped lines, each in its own style, as one block placed by the first style's
    /// vertical alignment; each line is aligned by its style and clipped to `rect`.
    func drawLines(_ lines: [ShapedLine], in rect: Rect, on frame: inout Frame) {
        guard let first = lines.first else { return }
        let height = lines.reduce(0) { $0 + $1.height } + lines.dropLast().reduce(0) { $0 + $1.style.lineSpacing }
        var y = top(ofBlock: height, in: rect, align: first.style.verticalAlign)
        let clip = rect.intersection(self.clip)
        for line in lines where y < clip.maxY {
            line.draw(x: left(ofLine: line.width, in: rect, align: line.style.align), y: y, clip: clip, on: &frame)
            y += line.height + line.style.lineSpacing
        }
    }
}
