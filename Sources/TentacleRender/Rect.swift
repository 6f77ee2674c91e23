/// An integer rectangle in frame coordinates; x grows right, y grows down.
public struct Rect: Hashable, Sendable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// `x + width`, saturating at the ends of `Int` so no rectangle, however absurd, traps.
    public var maxX: Int { Self.saturatingSum(x, width) }
    public var maxY: Int { Self.saturatingSum(y, height) }
    public var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The overlap of two rectangles, empty (zero size) when they do not meet.
    public func intersection(_ other: Rect) -> Rect {
        let x0 = max(x, other.x), y0 = max(y, other.y)
        let x1 = min(maxX, other.maxX), y1 = min(maxY, other.maxY)
        return Rect(x: x0, y: y0, width: x1 > x0 ? Self.saturatingDifference(x1, x0) : 0, height: y1 > y0 ? Self.saturatingDifference(y1, y0) : 0)
    }

    private static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }

    private static func saturatingDifference(_ a: Int, _ b: Int) -> Int {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? (b < 0 ? .max : .min) : difference
    }

    public func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < maxX && py >= y && py < maxY
    }
}
