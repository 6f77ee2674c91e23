public import TentacleCore

/// A CAP `polygon`: a closed ring of at least four points, prepared for point queries.
public struct CAPPolygon: Hashable, Sendable {
    /// The points as the document lists them, the first repeated last.
    public let points: [CAPPoint]
    public let prepared: PreparedPolygon

    init(points: [CAPPoint]) {
        self.points = points
        prepared = PreparedPolygon(points)
    }

    /// Inside or on the boundary.
    public func contains(lat: Double, lon: Double) -> Bool {
        prepared.contains(lat: lat, lon: lon)
    }

    // The prepared index follows from the points.
    public static func == (a: CAPPolygon, b: CAPPolygon) -> Bool {
        a.points == b.points
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(points)
    }
}

extension PreparedPolygon {
    /// Prepares a ring of CAP points.
    public init(_ ring: [CAPPoint]) {
        self.init(lats: ring.map(\.lat), lons: ring.map(\.lon))
    }
}
