/// A polygon ring prepared for fast point-in-polygon queries: Tentacle's one geometry engine, for
/// CAP alert areas, GeoJSON district boundaries and campaign polygons alike.
///
/// - A point on an edge or a vertex (within `boundaryTolerance`) is inside.
/// - Each edge takes the shorter way in longitude, so a ring may cross the antimeridian: longitudes
///   are unwrapped from the first vertex and a query is tried at `lon`, `lon ± 360`.
/// - A ring that winds around a pole has no such reading (`windsAroundPole`); its answers mean nothing.
/// - A query checks the bounding box, then only the edges whose latitude span holds the point
///   (an interval tree): O(log n + k) for k such edges, instead of O(n).
public struct PreparedPolygon: Sendable {
    /// How far from an edge, in degrees (about 0.1 mm), a point still counts as on it.
    public static let boundaryTolerance = 1e-9

    /// The ring's vertices, closed, with unwrapped longitudes.
    let lats: [Double]
    let lons: [Double]
    private let index: EdgeIndex
    /// The box around the ring in unwrapped longitudes, which pass ±180 when the ring crosses the antimeridian.
    public let boundingBox: BoundingBox
    /// Whether the unwrapped ring fails to close: it goes once (or more) around a pole.
    public let windsAroundPole: Bool

    /// Prepares the ring through the given vertices; the closing vertex is added when the last
    /// point differs from the first.
    public init(lats ringLats: [Double], lons ringLons: [Double]) {
        precondition(ringLats.count == ringLons.count, "a vertex needs both coordinates")
        var lats: [Double] = [], lons: [Double] = []
        lats.reserveCapacity(ringLats.count + 1)
        lons.reserveCapacity(ringLats.count + 1)
        for i in ringLats.indices {
            lats.append(ringLats[i])
            lons.append(i == 0 ? ringLons[0] : lons[i - 1] + Self.shortestDelta(from: ringLons[i - 1], to: ringLons[i]))
        }
        if let firstLat = ringLats.first, let lastLat = ringLats.last, let firstLon = ringLons.first, let lastLon = ringLons.last,
           firstLat != lastLat || firstLon != lastLon
        {
            lats.append(firstLat)
            lons.append(lons[lons.count - 1] + Self.shortestDelta(from: lastLon, to: firstLon))
        }
        windsAroundPole = !lons.isEmpty && abs(lons[lons.count - 1] - lons[0]) > 180

        let tolerance = Self.boundaryTolerance
        var low: [Double] = [], high: [Double] = []
        let edges = max(lats.count - 1, 0)
        low.reserveCapacity(edges)
        high.reserveCapacity(edges)
        for i in 0..<edges {
            low.append(min(lats[i], lats[i + 1]) - tolerance)
            high.append(max(lats[i], lats[i + 1]) + tolerance)
        }
        // A single point is its own (zero-length) edge, so it still contains itself.
        if lats.count == 1 {
            lats.append(lats[0])
            lons.append(lons[0])
            low.append(lats[0] - tolerance)
            high.append(lats[0] + tolerance)
        }
        self.lats = lats
        self.lons = lons
        index = EdgeIndex(low: low, high: high)
        boundingBox = BoundingBox(
            minLat: lats.min() ?? .infinity, minLon: lons.min() ?? .infinity,
            maxLat: lats.max() ?? -.infinity, maxLon: lons.max() ?? -.infinity
        )
    }

    /// Whether the ring crosses the antimeridian (its unwrapped longitudes leave -180...180).
    public var crossesAntimeridian: Bool {
        boundingBox.minLon < -180 || boundingBox.maxLon > 180
    }

    /// Where a point lies against the ring.
    public enum Location: Sendable {
        case outside, boundary, inside
    }

    /// Inside, or on the boundary.
    public func contains(lat: Double, lon: Double) -> Bool {
        locate(lat: lat, lon: lon) != .outside
    }

    /// Inside, on the boundary (within `boundaryTolerance`) or outside.
    public func locate(lat: Double, lon: Double) -> Location {
        let t = Self.boundaryTolerance
        let box = boundingBox
        guard lat >= box.minLat - t, lat <= box.maxLat + t else { return .outside }
        var best = Location.outside
        for x in [lon, lon + 360, lon - 360] where x >= box.minLon - t && x <= box.maxLon + t {
            switch locateUnwrapped(lat: lat, x: x) {
            case .boundary: return .boundary
            case .inside: best = .inside
            case .outside: break
            }
        }
        return best
    }

    /// Even-odd ray casting towards east over the candidate edges, noting a point on an edge.
    private func locateUnwrapped(lat y: Double, x: Double) -> Location {
        let t = Self.boundaryTolerance
        var inside = false
        var onBoundary = false
        index.forEach(containing: y) { e in
            let ay = lats[e], ax = lons[e], by = lats[e + 1], bx = lons[e + 1]
            if x >= min(ax, bx) - t, x <= max(ax, bx) + t, Self.distanceSquared(x, y, ax, ay, bx, by) <= t * t {
                onBoundary = true
            }
            if (ay > y) != (by > y), x < ax + (y - ay) * (bx - ax) / (by - ay) {
                inside.toggle()
            }
        }
        return onBoundary ? .boundary : inside ? .inside : .outside
    }

    /// Squared planar distance (in degrees) from (x, y) to the segment a–b.
    package static func distanceSquared(_ x: Double, _ y: Double, _ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Double {
        let dx = bx - ax, dy = by - ay
        let length2 = dx * dx + dy * dy
        let s = length2 > 0 ? min(1, max(0, ((x - ax) * dx + (y - ay) * dy) / length2)) : 0
        let px = ax + s * dx - x, py = ay + s * dy - y
        return px * px + py * py
    }

    /// The longitude step from `a` to `b` the short way round, in -180...180.
    private static func shortestDelta(from a: Double, to b: Double) -> Double {
        var d = b - a
        if d > 180 { d -= 360 } else if d < -180 { d += 360 }
        return d
    }

    /// The ring as unwrapped positions, and, when it crosses the antimeridian, the same ring shifted a
    /// whole turn so that the part beyond ±180 lines up with longitudes in -180...180.
    public var planarRings: [[GeoGeometry.Position]] {
        let ring = zip(lats, lons).map { GeoGeometry.Position(lon: $1, lat: $0) }
        if boundingBox.maxLon > 180 { return [ring, ring.map { GeoGeometry.Position(lon: $0.lon - 360, lat: $0.lat) }] }
        if boundingBox.minLon < -180 { return [ring, ring.map { GeoGeometry.Position(lon: $0.lon + 360, lat: $0.lat) }] }
        return [ring]
    }
}
