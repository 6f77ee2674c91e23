import Foundation
import Synchronization

/// Work a renderer saves between frames: scaled images, date formatters and the shaped text of
/// the layout it drew last. Shared by copies of a renderer, safe from many threads, and never
/// changes what is drawn.
final class RenderCaches: Sendable {
    /// Scaled images are dropped all at once past this many bytes; a player shows a handful.
    static let imageBudget = 64 << 20

    private struct ImageKey: Hashable {
        let asset: String
        let width: Int
        let height: Int
        let filter: ImageFilter
        let fit: ImageFit
        let background: RGB
    }

    private struct Images {
        /// Nil records an asset that is missing or not a decodable PNG, so it is not retried every frame.
        var frames: [ImageKey: Frame?] = [:]
        var bytes = 0
    }

    private struct FormatterKey: Hashable {
        let timezone: String
        let pattern: String
    }

    private let images = Mutex(Images())
    private let formatters = Mutex<[FormatterKey: DateFormatter]>([:])
    private let lastLayout = Mutex<LayoutMemo?>(nil)

    /// The memo of `layout`: the one from the previous frame when the layout is the same (a cheap
    /// check, as an unchanged layout shares its storage), else a fresh one.
    func memo(for layout: Layout) -> LayoutMemo {
        lastLayout.withLock { last in
            if let last, last.layout == layout { return last }
            let memo = LayoutMemo(layout)
            last = memo
            return memo
        }
    }

    /// The asset decoded over `background` and scaled into a `width` × `height` box; nil when unusable.
    func image(_ widget: ImageWidget, width: Int, height: Int, background: RGB, assets: any AssetSource) -> Frame? {
        let key = ImageKey(asset: widget.asset.lowercased(), width: width, height: height, filter: widget.scaling, fit: widget.fit, background: background)
        if let cached = images.withLock({ $0.frames[key] }) { return cached }
        // Decode outside the lock so one large image does not stall other renderers.
        let frame = assets.png(sha256: key.asset)
            .flatMap { try? PNG.decode($0, background: background) }
            .map { $0.scaled(toWidth: width, height: height, filter: widget.scaling, fit: widget.fit, background: background) }
        images.withLock { images in
            let size = frame?.bytes.count ?? 0
            if images.bytes + size > RenderCaches.imageBudget {
                images = Images()
            }
            images.frames[key] = frame
            images.bytes += size
        }
        return frame
    }

    /// The clock's time and date text for the whole second `second` (seconds since the epoch).
    func clockStrings(_ clock: ClockWidget, second: Int) -> (time: String, date: String?) {
        let date = Date(timeIntervalSince1970: Double(second))
        let timePattern = switch (clock.format, clock.showSeconds) {
        case (.twentyFourHour, false): "HH:mm"
        case (.twentyFourHour, true): "HH:mm:ss"
        case (.twelveHour, false): "h:mm a"
        case (.twelveHour, true): "h:mm:ss a"
        }
        return formatters.withLock { formatters in
            let time = Self.formatter(timezone: clock.timezone, pattern: timePattern, in: &formatters).string(from: date)
            let day = clock.dateFormat.map { Self.formatter(timezone: clock.timezone, pattern: $0, in: &formatters).string(from: date) }
            return (time, day)
        }
    }

    /// A formatter fixed to en_US_POSIX and the Gregorian calendar, so output never follows the host's locale.
    private static func formatter(timezone: String, pattern: String, in formatters: inout [FormatterKey: DateFormatter]) -> DateFormatter {
        let key = FormatterKey(timezone: timezone, pattern: pattern)
        if let cached = formatters[key] { return cached }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        // Validation reports unknown zones; rendering shows UTC rather than nothing.
        formatter.timeZone = TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        if formatters.count > 256 { formatters.removeAll() }
        formatters[key] = formatter
        return formatter
    }
}

/// What the renderer remembers of one layout: a memo per playlist item, by region and item index.
final class LayoutMemo: Sendable {
    let layout: Layout
    let items: [[ItemMemo]]

    init(_ layout: Layout) {
        self.layout = layout
        items = layout.regions.map { $0.playlist.map { _ in ItemMemo() } }
    }
}

/// One playlist item's shaped lines and clock text, reused while they stay the same.
///
/// Shaping a line costs more than drawing it; a steady panel redraws the same marquee text,
/// labels and clock second frame after frame, so each is shaped once and then only compared.
final class ItemMemo: Sendable {
    private struct Line {
        let text: String
        let style: TextStyle
        let shaped: ShapedLine
    }

    private struct Clock {
        let second: Int
        let time: String
        let date: String?
    }

    private let lines = Mutex<[Line?]>([])
    private let clock = Mutex<Clock?>(nil)

    /// The line in `slot` (a widget's own numbering, from 0, of the lines it draws), shaped again
    /// only when its text or style changed. `oneLine` shows line breaks as spaces (the marquee).
    func line(_ slot: Int, _ text: String, style: TextStyle, library: FontLibrary, oneLine: Bool = false) -> ShapedLine {
        let hit = lines.withLock { lines -> ShapedLine? in
            guard slot < lines.count, let line = lines[slot], line.text == text, line.style == style else { return nil }
            return line.shaped
        }
        if let hit { return hit }
        let shaped = ShapedLine(oneLine ? String(text.map { $0.isNewline ? " " : $0 }) : text, style: style, library: library)
        lines.withLock { lines in
            if lines.count <= slot { lines += Array(repeating: nil, count: slot + 1 - lines.count) }
            lines[slot] = Line(text: text, style: style, shaped: shaped)
        }
        return shaped
    }

    /// The clock text for `second`, formatted by `make` once per second.
    func clockStrings(second: Int, make: () -> (time: String, date: String?)) -> (time: String, date: String?) {
        if let cached = clock.withLock({ $0 }), cached.second == second { return (cached.time, cached.date) }
        let strings = make()
        clock.withLock { $0 = Clock(second: second, time: strings.time, date: strings.date) }
        return strings
    }
}
