import TentacleCore

/// A CAP `circle`: a centre and a radius in kilometres, on the sphere.
public struct CAPCircle: Hashable, Sendable {
    public var center: CAPPoint
    /// At least 0; a radius of 0 covers the centre point exactly and nothing else.
    public var radiusKm: Double

    public init(center: CAPPoint, radiusKm: Double) {
        self.center = center
        self.radiusKm = radiusKm
    }

    /// Inside or on the circle, by great-circle (haversine) distance on the sphere of `GeoCircle.earthRadiusMeters`.
    public func contains(lat: Double, lon: Double) -> Bool {
        Self.distanceMeters(from: center, to: CAPPoint(lat: lat, lon: lon)) <= radiusKm * 1000
    }

    /// Great-circle distance in metres (haversine, mean Earth radius 6,371,008.8 m).
    public static func distanceMeters(from a: CAPPoint, to b: CAPPoint) -> Double {
        GeoCircle.distanceMeters(lat1: a.lat, lon1: a.lon, lat2: b.lat, lon2: b.lon)
    }
}
