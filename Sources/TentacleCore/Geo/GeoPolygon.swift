import Foundation

/// A GeoJSON Polygon or MultiPolygon geometry: rings of [lon, lat] positions.
///
/// Point queries go through `PreparedPolygon`, prepared once whenever the rings are set. Each edge
/// takes the shorter way in longitude, as CAP's do.
public struct GeoGeometry: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case polygon = "Polygon"
        case multiPolygon = "MultiPolygon"
    }

    public var type: Kind
    /// Polygons, each a list of rings (the first is the outer boundary, the rest are holes).
    public var polygons: [[[Position]]] {
        didSet { prepared = Self.prepare(polygons) }
    }
    /// `polygons`, ring for ring, ready for point queries.
    private var prepared: [[PreparedPolygon]]

    public struct Position: Hashable, Sendable {
        public var lon: Double
        public var lat: Double

        public init(lon: Double, lat: Double) {
            self.lon = lon
            self.lat = lat
        }
    }

    public init(polygon rings: [[Position]]) {
        type = .polygon
        polygons = [rings]
        prepared = Self.prepare(polygons)
    }

    private static func prepare(_ polygons: [[[Position]]]) -> [[PreparedPolygon]] {
        polygons.map { $0.map { ring in PreparedPolygon(lats: ring.map(\.lat), lons: ring.map(\.lon)) } }
    }

    // The prepared rings follow from the positions.
    public static func == (a: GeoGeometry, b: GeoGeometry) -> Bool {
        a.type == b.type && a.polygons == b.polygons
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(polygons)
    }

    enum CodingKeys: String, CodingKey { case type, coordinates }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(Kind.self, forKey: .type)
        let polygons: [[[Position]]] = switch type {
        case .polygon: [try c.decode([[[Double]]].self, forKey: .coordinates).map(Self.ring)]
        case .multiPolygon: try c.decode([[[[Double]]]].self, forKey: .coordinates).map { $0.map(Self.ring) }
        }
        self.polygons = polygons
        prepared = Self.prepare(polygons)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        let raw = polygons.map { $0.map { $0.map { [$0.lon, $0.lat] } } }
        switch type {
        case .polygon: try c.encode(raw.first ?? [], forKey: .coordinates)
        case .multiPolygon: try c.encode(raw, forKey: .coordinates)
        }
    }

    /// Positions with a missing coordinate decode as NaN so validation can name them.
    private static func ring(_ raw: [[Double]]) -> [Position] {
        raw.map { p in Position(lon: p.count >= 2 ? p[0] : .nan, lat: p.count >= 2 ? p[1] : .nan) }
    }

    /// Every structural problem: rings with fewer than 4 positions, open rings, coordinates out of range.
    public func issues(field: String) -> [FieldIssue] {
        var c = IssueCollector()
        if polygons.isEmpty { c.add("\(field).coordinates", "has no polygon") }
        for (pi, rings) in polygons.enumerated() {
            let base = type == .polygon ? "\(field).coordinates" : "\(field).coordinates[\(pi)]"
            if rings.isEmpty { c.add(base, "polygon has no ring") }
            for (ri, ring) in rings.enumerated() {
                let path = "\(base)[\(ri)]"
                if ring.count < 4 {
                    c.add(path, "a ring needs at least 4 positions (first repeated last), got \(ring.count)")
                    continue
                }
                if ring.first != ring.last {
                    c.add(path, "ring is not closed: the last position must equal the first")
                }
                for (i, p) in ring.enumerated() {
                    if !(p.lon.isFinite && (-180...180).contains(p.lon) && p.lat.isFinite && (-90...90).contains(p.lat)) {
                        c.add("\(path)[\(i)]", "position must be [lon, lat] with lon in -180...180 and lat in -90...90")
                    }
                }
            }
        }
        return c.issues
    }

    /// Whether the point lies inside (or on the boundary of) the geometry; holes exclude, but
    /// their boundary is the polygon's too.
    public func contains(lat: Double, lon: Double) -> Bool {
        prepared.contains { rings in
            guard let outer = rings.first, outer.contains(lat: lat, lon: lon) else { return false }
            return !rings.dropFirst().contains { $0.locate(lat: lat, lon: lon) == .inside }
        }
    }

    /// The smallest box holding every position.
    public var boundingBox: BoundingBox? {
        let all = polygons.flatMap { $0.flatMap { $0 } }
        guard let first = all.first else { return nil }
        var box = BoundingBox(minLat: first.lat, minLon: first.lon, maxLat: first.lat, maxLon: first.lon)
        for p in all {
            box.minLat = min(box.minLat, p.lat)
            box.maxLat = max(box.maxLat, p.lat)
            box.minLon = min(box.minLon, p.lon)
            box.maxLon = max(box.maxLon, p.lon)
        }
        return box
    }
}

/// A latitude/longitude box, used for map viewport filters.
public struct BoundingBox: Hashable, Sendable, Codable {
    public var minLat: Double
    public var minLon: Double
    public var maxLat: Double
    public var maxLon: Double

    public init(minLat: Double, minLon: Double, maxLat: Double, maxLon: Double) {
        self.minLat = minLat
        self.minLon = minLon
        self.maxLat = maxLat
        self.maxLon = maxLon
    }

    /// Parses `minLon,minLat,maxLon,maxLat` (the GeoJSON bbox order).
    public init(parsing text: String) throws(ValidationError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let minLon = parts[0], let minLat = parts[1], let maxLon = parts[2], let maxLat = parts[3] else {
            throw ValidationError(field: "bbox", "must be four numbers: minLon,minLat,maxLon,maxLat")
        }
        guard (-90...90).contains(minLat), (-90...90).contains(maxLat), (-180...180).contains(minLon), (-180...180).contains(maxLon) else {
            throw ValidationError(field: "bbox", "coordinates out of range (lon -180...180, lat -90...90)")
        }
        guard minLat <= maxLat, minLon <= maxLon else {
            throw ValidationError(field: "bbox", "minimum must not exceed maximum")
        }
        self.init(minLat: minLat, minLon: minLon, maxLat: maxLat, maxLon: maxLon)
    }

    public func contains(lat: Double, lon: Double) -> Bool {
        lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon
    }
}
