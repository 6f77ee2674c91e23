public import TentacleCore

/// A polygon ring prepared for fast point-in-polygon queries.
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

    /// Prepares `ring`; the closing vertex is added when the last point differs from the first.
    public init(_ ring: [CAPPoint]) {
        var lats: [Double] = [], lons: [Double] = []
        lats.reserveCapacity(ring.count + 1)
        lons.reserveCapacity(ring.count + 1)
        for p in ring {
            lats.append(p.lat)
            if let previous = lons.last {
                lons.append(previous + Self.shortestDelta(from: ring[lons.count - 1].lon, to: p.lon))
            } else {
                lons.append(p.lon)
            }
        }
        if let first = ring.first, let last = ring.last, first != last {
            lats.append(first.lat)
            lons.append(lons[lons.count - 1] + Self.shortestDelta(from: last.lon, to: first.lon))
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

    /// Inside, or on the boundary.
    public func contains(lat: Double, lon: Double) -> Bool {
        let t = Self.boundaryTolerance
        let box = boundingBox
        guard lat >= box.minLat - t, lat <= box.maxLat + t else { return false }
        func at(_ x: Double) -> Bool {
            x >= box.minLon - t && x <= box.maxLon + t && containsUnwrapped(lat: lat, x: x)
        }
        return at(lon) || at(lon + 360) || at(lon - 360)
    }

    /// Even-odd ray casting towards east over the candidate edges, with the boundary counted as inside.
    private func containsUnwrapped(lat y: Double, x: Double) -> Bool {
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
        return onBoundary || inside
    }

    /// Squared planar distance (in degrees) from (x, y) to the segment a–b.
    static func distanceSquared(_ x: Double, _ y: Double, _ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Double {
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
    var planarRings: [[CAPPoint]] {
        let ring = zip(lats, lons).map { CAPPoint(lat: $0, lon: $1) }
        if boundingBox.maxLon > 180 { return [ring, ring.map { CAPPoint(lat: $0.lat, lon: $0.lon - 360) }] }
        if boundingBox.minLon < -180 { return [ring, ring.map { CAPPoint(lat: $0.lat, lon: $0.lon + 360) }] }
        return [ring]
    }
}
