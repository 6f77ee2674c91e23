/// An RGB888 frame buffer, row-major, three bytes per pixel, no padding.
public struct Frame: Canvas, Hashable, Sendable {
    /// The largest frame Tentacle renders: a 4K UHD video wall.
    public static let maxWidth = 3840
    public static let maxHeight = 2160

    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes: r, g, b for each pixel from the top-left.
    public package(set) var bytes: [UInt8]

    /// A frame filled with `background`; sizes are clamped to 1...max so no input traps.
    public init(width: Int, height: Int, background: RGB = .black) {
        self.width = min(max(width, 1), Frame.maxWidth)
        self.height = min(max(height, 1), Frame.maxHeight)
        bytes = [UInt8](repeating: 0, count: self.width * self.height * 3)
        if background != .black { fill(bounds, background) }
    }

    /// A frame from raw RGB bytes; nil when the count does not match the size.
    public init?(width: Int, height: Int, bytes: [UInt8]) {
        guard width >= 1, height >= 1, width <= Frame.maxWidth, height <= Frame.maxHeight,
              bytes.count == width * height * 3 else { return nil }
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    @inline(__always)
    public mutating func setPixel(x: Int, y: Int, _ color: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        bytes.withUnsafeMutableBufferPointer { p in
            p[i] = color.r
            p[i + 1] = color.g
            p[i + 2] = color.b
        }
    }

    public func pixel(x: Int, y: Int) -> RGB {
        guard x >= 0, y >= 0, x < width, y < height else { return .black }
        let i = (y * width + x) * 3
        return RGB(bytes[i], bytes[i + 1], bytes[i + 2])
    }

    public mutating func fill(_ rect: Rect, _ color: RGB) {
        let r = bounds.intersection(rect)
        guard !r.isEmpty else { return }
        let w = width
        // A full-width rect is one contiguous span; filling it at once runs at memset speed.
        let (spans, span) = r.width == w ? (1, r.width * r.height) : (r.height, r.width)
        bytes.withUnsafeMutableBufferPointer { p in
            for i in 0..<spans {
                Frame.fill(p.baseAddress! + ((r.y + i) * w + r.x) * 3, pixels: span, color)
            }
        }
    }

    /// Writes `pixels` copies of `color` from `start`: one memset for greys, otherwise one pixel
    /// copied onto itself in doubling chunks, so long spans cost a few memcpy calls.
    private static func fill(_ start: UnsafeMutablePointer<UInt8>, pixels: Int, _ color: RGB) {
        let count = pixels * 3
        if color.r == color.g && color.g == color.b {
            start.update(repeating: color.r, count: count)
            return
        }
        start[0] = color.r
        start[1] = color.g
        start[2] = color.b
        var filled = 3
        while filled < count {
            let chunk = min(filled, count - filled)
            (start + filled).update(from: start, count: chunk)
            filled += chunk
        }
    }
}
