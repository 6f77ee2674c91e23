import Foundation

/// How bright a panel should be in the light around it: percent of full drive by ambient lux,
/// linear in log10(1 + lux) between the points and flat beyond the first and the last.
///
/// The eye judges light by ratios, so the log scale spends as much of the curve on dusk
/// (1–100 lux) as on daylight (1,000–100,000 lux); the 1 + keeps 0 lux on the scale.
public struct BrightnessCurve: Hashable, Sendable {
    /// One point of the curve.
    public struct Point: Hashable, Sendable {
        public var lux: Double
        public var percent: Double

        public init(lux: Double, percent: Double) {
            self.lux = lux
            self.percent = percent
        }
    }

    /// At least one point, lux increasing.
    public let points: [Point]

    /// For outdoor LED panels: dim enough not to glare at night, full power in direct sun.
    public static let outdoor = BrightnessCurve(checked: [
        Point(lux: 0, percent: 10),
        Point(lux: 10, percent: 15),
        Point(lux: 100, percent: 30),
        Point(lux: 1_000, percent: 55),
        Point(lux: 10_000, percent: 85),
        Point(lux: 50_000, percent: 100),
    ])

    /// Checks that there is a point, that lux starts at 0 or above and increases, and that every
    /// percent lies in 0...100.
    public init(_ points: [Point]) throws(BrightnessCurveError) {
        guard !points.isEmpty else { throw BrightnessCurveError(point: nil, "needs at least one point") }
        for (index, point) in points.enumerated() {
            guard point.lux.isFinite, point.lux >= 0 else {
                throw BrightnessCurveError(point: index + 1, "lux must be a number from 0 up, not \(point.lux)")
            }
            guard point.percent.isFinite, (0...100).contains(point.percent) else {
                throw BrightnessCurveError(point: index + 1, "percent must be 0...100, not \(point.percent)")
            }
            if index > 0, point.lux <= points[index - 1].lux {
                throw BrightnessCurveError(point: index + 1, "lux must increase, but \(point.lux) follows \(points[index - 1].lux)")
            }
        }
        self.points = points
    }

    private init(checked points: [Point]) {
        self.points = points
    }

    /// Reads `LUX:PERCENT` points separated by commas, such as `0:10,100:30,10000:85`; a percent
    /// may end in "%". The error names the point by its place and its text.
    public init(parsing text: String) throws(BrightnessCurveError) {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var points: [Point] = []
        for (index, item) in items.enumerated() {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let lux = Double(parts[0]),
                  let percent = Double(parts[1].hasSuffix("%") ? parts[1].dropLast() : parts[1]) else {
                throw BrightnessCurveError(point: index + 1, text: item, "write LUX:PERCENT, e.g. 100:30")
            }
            points.append(Point(lux: lux, percent: percent))
        }
        do {
            try self.init(points)
        } catch {
            throw BrightnessCurveError(point: error.point, text: error.point.map { items[$0 - 1] }, error.reason)
        }
    }

    /// The percent for `lux`: the first point's below it (and for NaN), the last point's above it.
    public func percent(lux: Double) -> Double {
        guard !lux.isNaN, lux > points[0].lux else { return points[0].percent }
        guard let above = points.firstIndex(where: { $0.lux >= lux }) else { return points[points.count - 1].percent }
        let low = points[above - 1], high = points[above]
        let t = (Self.scale(lux) - Self.scale(low.lux)) / (Self.scale(high.lux) - Self.scale(low.lux))
        return low.percent + t * (high.percent - low.percent)
    }

    private static func scale(_ lux: Double) -> Double {
        log10(1 + lux)
    }
}
