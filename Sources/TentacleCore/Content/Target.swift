import Foundation

/// Which displays a campaign or alert reaches: the union of every criterion it lists.
///
/// A display matches when its id, its district, any of its groups or any of its tags is listed,
/// or when it lies inside the polygon or the circle. Points on the polygon's boundary (edges and
/// vertices) are inside, as `GeoGeometry.contains` defines. A target listing nothing matches nothing.
public struct Target: Codable, Hashable, Sendable {
    public var displayIds: [String]
    public var groups: [String]
    public var tags: [String]
    public var districts: [String]
    public var polygon: GeoGeometry?
    public var circle: GeoCircle?

    public static let maxCodes = 1000

    public init(
        displayIds: [String] = [], groups: [String] = [], tags: [String] = [], districts: [String] = [],
        polygon: GeoGeometry? = nil, circle: GeoCircle? = nil
    ) {
        self.displayIds = displayIds
        self.groups = groups
        self.tags = tags
        self.districts = districts
        self.polygon = polygon
        self.circle = circle
    }

    enum CodingKeys: String, CodingKey { case displayIds, groups, tags, districts, polygon, circle }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        displayIds = try c.decodeIfPresent([String].self, forKey: .displayIds) ?? []
        groups = try c.decodeIfPresent([String].self, forKey: .groups) ?? []
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        districts = try c.decodeIfPresent([String].self, forKey: .districts) ?? []
        polygon = try c.decodeIfPresent(GeoGeometry.self, forKey: .polygon)
        circle = try c.decodeIfPresent(GeoCircle.self, forKey: .circle)
    }

    public var isEmpty: Bool {
        displayIds.isEmpty && groups.isEmpty && tags.isEmpty && districts.isEmpty && polygon == nil && circle == nil
    }

    /// Whether the target can reach displays only through their district codes.
    public var isDistrictsOnly: Bool {
        !districts.isEmpty && displayIds.isEmpty && groups.isEmpty && tags.isEmpty && polygon == nil && circle == nil
    }

    public func matches(_ display: Display) -> Bool {
        if displayIds.contains(display.id) || districts.contains(display.district) { return true }
        if groups.contains(where: display.groups.contains) || tags.contains(where: display.tags.contains) { return true }
        if let polygon, polygon.contains(lat: display.lat, lon: display.lon) { return true }
        if let circle, circle.contains(lat: display.lat, lon: display.lon) { return true }
        return false
    }

    /// Every issue with the target, with field paths under `field`.
    public func issues(field: String = "target") -> [FieldIssue] {
        var c = IssueCollector()
        let lists: [(String, [String], Int)] = [
            ("displayIds", displayIds, 64), ("groups", groups, 64), ("tags", tags, 32), ("districts", districts, 32),
        ]
        for (name, codes, maxLength) in lists {
            if codes.count > Self.maxCodes { c.add("\(field).\(name)", "at most \(Self.maxCodes) entries allowed") }
            for (i, code) in codes.enumerated() where !Identifier.isValid(code, maxLength: maxLength) {
                c.add("\(field).\(name)[\(i)]", "'\(code.prefix(80))' is not a valid code: use 1-\(maxLength) lowercase letters, digits, '-' or '_'")
            }
            if Set(codes).count != codes.count { c.add("\(field).\(name)", "lists an entry twice") }
        }
        if let polygon { c.merge(polygon.issues(field: "\(field).polygon")) }
        if let circle { c.merge(circle.issues(field: "\(field).circle")) }
        return c.issues
    }
}

/// A circle on the Earth's surface: a centre and a great-circle radius in metres.
public struct GeoCircle: Codable, Hashable, Sendable {
    public var lat: Double
    public var lon: Double
    public var radiusMeters: Double

    /// The IUGG mean Earth radius; distances use the haversine formula on this sphere.
    public static let earthRadiusMeters = 6_371_008.8
    public static let maxRadiusMeters = 100_000.0

    public init(lat: Double, lon: Double, radiusMeters: Double) {
        self.lat = lat
        self.lon = lon
        self.radiusMeters = radiusMeters
    }

    /// Inside or on the circle.
    public func contains(lat: Double, lon: Double) -> Bool {
        Self.distanceMeters(lat1: self.lat, lon1: self.lon, lat2: lat, lon2: lon) <= radiusMeters
    }

    public static func distanceMeters(lat1: Double, lon1: Double, lat2: Double, lon2: Double) -> Double {
        let rad = Double.pi / 180
        let dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * earthRadiusMeters * asin(min(1, h.squareRoot()))
    }

    /// A box holding the whole circle, a little generous so rounding never drops a point the
    /// exact test keeps; the full longitude range when the circle reaches a pole or the antimeridian.
    public var boundingBox: BoundingBox {
        let angular = radiusMeters / Self.earthRadiusMeters
        let dLat = angular * 180 / .pi * 1.001 + 1e-9
        let minLat = max(-90, lat - dLat), maxLat = min(90, lat + dLat)
        let s = sin(angular) / cos(lat * .pi / 180)
        guard minLat > -90, maxLat < 90, s < 1 else { return BoundingBox(minLat: minLat, minLon: -180, maxLat: maxLat, maxLon: 180) }
        let dLon = asin(s) * 180 / .pi * 1.001 + 1e-9
        guard lon - dLon >= -180, lon + dLon <= 180 else { return BoundingBox(minLat: minLat, minLon: -180, maxLat: maxLat, maxLon: 180) }
        return BoundingBox(minLat: minLat, minLon: lon - dLon, maxLat: maxLat, maxLon: lon + dLon)
    }

    public func issues(field: String) -> [FieldIssue] {
        var c = IssueCollector()
        if !(lat.isFinite && (-90...90).contains(lat)) { c.add("\(field).lat", "\(lat) is out of range -90...90") }
        if !(lon.isFinite && (-180...180).contains(lon)) { c.add("\(field).lon", "\(lon) is out of range -180...180") }
        if !(radiusMeters.isFinite && radiusMeters > 0 && radiusMeters <= Self.maxRadiusMeters) {
            c.add("\(field).radiusMeters", "\(radiusMeters) must be more than 0 and at most \(Int(Self.maxRadiusMeters)) metres")
        }
        return c.issues
    }
}
