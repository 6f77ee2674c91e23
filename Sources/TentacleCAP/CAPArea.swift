/// A CAP `area`: a description and any number of polygons, circles and geocodes; the area is their union.
public struct CAPArea: Hashable, Sendable {
    public var areaDesc: String
    public var polygons: [CAPPolygon]
    public var circles: [CAPCircle]
    public var geocodes: [CAPNamedValue]
    /// Altitude and ceiling in feet above mean sea level, as CAP defines them; targeting ignores them.
    public var altitude: Double?
    public var ceiling: Double?

    public init(
        areaDesc: String, polygons: [CAPPolygon] = [], circles: [CAPCircle] = [], geocodes: [CAPNamedValue] = [],
        altitude: Double? = nil, ceiling: Double? = nil
    ) {
        self.areaDesc = areaDesc
        self.polygons = polygons
        self.circles = circles
        self.geocodes = geocodes
        self.altitude = altitude
        self.ceiling = ceiling
    }
}
