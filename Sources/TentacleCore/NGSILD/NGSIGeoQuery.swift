import Foundation

/// An NGSI-LD geo-query (ETSI GS CIM 009 §4.10), evaluated against entities located at a point.
///
/// Coordinates are GeoJSON's `[lon, lat]`. Matching and the boundary follow `PreparedPolygon`:
/// a point within `PreparedPolygon.boundaryTolerance` degrees of a position, an edge or a line
/// counts as on it; line segments are straight in longitude and latitude.
public struct NGSIGeoQuery: Hashable, Sendable {
    public static let maxPositions = 10_000

    public enum Relation: Hashable, Sendable {
        case near(maxDistance: Double?, minDistance: Double?), within, contains, intersects, equals, disjoint, overlaps
    }

    /// The query's geometry, by GeoJSON type.
    public enum Geometry: Hashable, Sendable {
        case point(GeoGeometry.Position)
        case multiPoint([GeoGeometry.Position])
        case lineString([GeoGeometry.Position])
        case multiLineString([[GeoGeometry.Position]])
        /// A Polygon or a MultiPolygon, as the geometry's `type` says, prepared for point queries.
        case polygon(GeoGeometry)
    }

    public var relation: Relation
    public var geometry: Geometry
    public var geoproperty: String

    public init(relation: Relation, geometry: Geometry, geoproperty: String = "location") {
        self.relation = relation
        self.geometry = geometry
        self.geoproperty = geoproperty
    }

    /// From the separate query parameters `georel`, `geometry`, `coordinates` (JSON array text), `geoproperty`.
    public static func parse(georel: String, geometry: String, coordinates: String, geoproperty: String?) throws(NGSIQueryError) -> NGSIGeoQuery {
        let relation = try parseRelation(georel)
        let kind = try GeometryKind(parsing: geometry)
        if case .near = relation, kind != .point {
            throw NGSIQueryError(parameter: "geometry", message: "near needs geometry Point, not \(kind.rawValue)")
        }
        let shape = try CoordinateReader.read(coordinates)
        let parsed = try kind.geometry(from: shape)
        var property = "location"
        if let geoproperty {
            property = geoproperty.trimmingCharacters(in: .whitespaces)
            guard NGSIQuery.isName(property) else {
                throw NGSIQueryError(parameter: "geoproperty", message: "'\(property.prefix(80))' is not an attribute name")
            }
        }
        return NGSIGeoQuery(relation: relation, geometry: parsed, geoproperty: property)
    }

    /// From one combined string as some clients send: `georel=near;maxDistance==2000&geometry=Point&coordinates=[8.6,49.4]` (URL-decoded already; tolerate spaces).
    public static func parse(combined: String) throws(NGSIQueryError) -> NGSIGeoQuery {
        var parameters: [String: String] = [:]
        for part in combined.split(separator: "&") {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = pair[0].trimmingCharacters(in: .whitespaces)
            if key.isEmpty && pair.count == 1 { continue }
            guard ["georel", "geometry", "coordinates", "geoproperty"].contains(key) else {
                throw NGSIQueryError(
                    parameter: String(key.prefix(80)), message: "is not a geo-query parameter: use georel, geometry, coordinates and geoproperty"
                )
            }
            guard pair.count == 2 else { throw NGSIQueryError(parameter: key, message: "has no value: write \(key)=…") }
            guard parameters.updateValue(String(pair[1]), forKey: key) == nil else {
                throw NGSIQueryError(parameter: key, message: "is given twice")
            }
        }
        func required(_ key: String) throws(NGSIQueryError) -> String {
            guard let value = parameters[key] else { throw NGSIQueryError(parameter: key, message: "is missing") }
            return value
        }
        return try parse(
            georel: try required("georel"), geometry: try required("geometry"), coordinates: try required("coordinates"),
            geoproperty: parameters["geoproperty"]
        )
    }

    /// Whether an entity whose geoproperty is the point (lat, lon) satisfies the query.
    public func matches(lat: Double, lon: Double) -> Bool {
        guard lat.isFinite, lon.isFinite else { return false }
        switch relation {
        case .near(let maxDistance, let minDistance):
            guard case .point(let centre) = geometry else { return false }
            let distance = GeoCircle.distanceMeters(lat1: centre.lat, lon1: centre.lon, lat2: lat, lon2: lon)
            return distance <= (maxDistance ?? .infinity) && distance >= (minDistance ?? 0)
        case .within, .intersects: return geometry.touches(lat: lat, lon: lon)
        case .disjoint: return !geometry.touches(lat: lat, lon: lon)
        case .equals, .contains: return geometry.isOnly(lat: lat, lon: lon)
        case .overlaps: return false
        }
    }

    /// A box that holds every point that can match, or nil when unbounded (disjoint, minDistance only)
    /// or when no point matches (overlaps). A polygon ring across the antimeridian spans every longitude.
    public var boundingBox: BoundingBox? {
        switch relation {
        case .near(let maxDistance?, _):
            guard case .point(let centre) = geometry else { return nil }
            return GeoCircle(lat: centre.lat, lon: centre.lon, radiusMeters: maxDistance).boundingBox
        case .near, .disjoint, .overlaps: return nil
        case .within, .intersects, .equals, .contains: return geometry.boundingBox
        }
    }
}

// MARK: - Matching

extension NGSIGeoQuery.Geometry {
    private static let tolerance = PreparedPolygon.boundaryTolerance

    /// Whether the point lies on the geometry: equal to a point, on a line, inside or on a polygon.
    func touches(lat: Double, lon: Double) -> Bool {
        switch self {
        case .point(let p): Self.same(p, lat, lon)
        case .multiPoint(let points): points.contains { Self.same($0, lat, lon) }
        case .lineString(let line): Self.onLine(line, lat, lon)
        case .multiLineString(let lines): lines.contains { Self.onLine($0, lat, lon) }
        case .polygon(let g): g.contains(lat: lat, lon: lon)
        }
    }

    /// Whether the geometry is the point and nothing else: every position equals it.
    func isOnly(lat: Double, lon: Double) -> Bool {
        positions.allSatisfy { Self.same($0, lat, lon) }
    }

    private var positions: [GeoGeometry.Position] {
        switch self {
        case .point(let p): [p]
        case .multiPoint(let points), .lineString(let points): points
        case .multiLineString(let lines): lines.flatMap { $0 }
        case .polygon(let g): g.polygons.flatMap { $0.flatMap { $0 } }
        }
    }

    private static func same(_ p: GeoGeometry.Position, _ lat: Double, _ lon: Double) -> Bool {
        abs(p.lat - lat) <= tolerance && abs(p.lon - lon) <= tolerance
    }

    private static func onLine(_ line: [GeoGeometry.Position], _ lat: Double, _ lon: Double) -> Bool {
        zip(line, line.dropFirst()).contains { a, b in
            PreparedPolygon.distanceSquared(lon, lat, a.lon, a.lat, b.lon, b.lat) <= tolerance * tolerance
        }
    }

    /// The positions' box, widened by the tolerance; polygon rings go through `PreparedPolygon`, which
    /// knows when one crosses the antimeridian.
    var boundingBox: BoundingBox? {
        var boxes: [BoundingBox]
        if case .polygon(let g) = self {
            boxes = g.polygons.compactMap { rings in
                rings.first.map { ring in
                    let prepared = PreparedPolygon(lats: ring.map(\.lat), lons: ring.map(\.lon))
                    var box = prepared.boundingBox
                    if prepared.crossesAntimeridian { (box.minLon, box.maxLon) = (-180, 180) }
                    return box
                }
            }
        } else {
            boxes = positions.map { BoundingBox(minLat: $0.lat, minLon: $0.lon, maxLat: $0.lat, maxLon: $0.lon) }
        }
        guard var union = boxes.popLast() else { return nil }
        for box in boxes {
            union.minLat = min(union.minLat, box.minLat)
            union.minLon = min(union.minLon, box.minLon)
            union.maxLat = max(union.maxLat, box.maxLat)
            union.maxLon = max(union.maxLon, box.maxLon)
        }
        let t = Self.tolerance
        return BoundingBox(
            minLat: max(-90, union.minLat - t), minLon: max(-180, union.minLon - t),
            maxLat: min(90, union.maxLat + t), maxLon: min(180, union.maxLon + t)
        )
    }
}

// MARK: - Parsing

extension NGSIGeoQuery {
    /// `near;maxDistance==2000`, `near;minDistance==10;maxDistance==2000`, `within`, …
    static func parseRelation(_ text: String) throws(NGSIQueryError) -> Relation {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let name = parts[0]
        let simple: [String: Relation] = [
            "within": .within, "contains": .contains, "intersects": .intersects, "equals": .equals,
            "disjoint": .disjoint, "overlaps": .overlaps,
        ]
        if let relation = simple[name] {
            guard parts.count == 1 else {
                throw NGSIQueryError(parameter: "georel", message: "'\(name)' takes nothing after it: only near takes a distance")
            }
            return relation
        }
        guard name == "near" else {
            throw NGSIQueryError(
                parameter: "georel",
                message: "'\(name.prefix(80))' is not a relation: use near, within, contains, intersects, equals, disjoint or overlaps"
            )
        }
        var distances: [String: Double] = [:]
        for modifier in parts.dropFirst() {
            let pair = modifier.split(separator: "==", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0] == "maxDistance" || pair[0] == "minDistance" else {
                throw NGSIQueryError(
                    parameter: "georel", message: "'\(modifier.prefix(80))' is not a distance: write maxDistance==metres or minDistance==metres"
                )
            }
            guard let metres = NGSIValue.number(spelledBy: pair[1]), metres.isFinite, metres >= 0 else {
                throw NGSIQueryError(
                    parameter: "georel", message: "\(pair[0]) must be a finite non-negative number of metres, not '\(pair[1].prefix(80))'"
                )
            }
            guard distances.updateValue(metres, forKey: pair[0]) == nil else {
                throw NGSIQueryError(parameter: "georel", message: "\(pair[0]) is given twice")
            }
        }
        let maxDistance = distances["maxDistance"], minDistance = distances["minDistance"]
        guard maxDistance != nil || minDistance != nil else {
            throw NGSIQueryError(parameter: "georel", message: "near needs a distance: near;maxDistance==metres or near;minDistance==metres")
        }
        if let maxDistance, let minDistance, minDistance > maxDistance {
            throw NGSIQueryError(parameter: "georel", message: "minDistance is greater than maxDistance: nothing could match")
        }
        return .near(maxDistance: maxDistance, minDistance: minDistance)
    }

    enum GeometryKind: String, CaseIterable {
        case point = "Point", multiPoint = "MultiPoint", lineString = "LineString", multiLineString = "MultiLineString"
        case polygon = "Polygon", multiPolygon = "MultiPolygon"

        /// The GeoJSON type name, in any case.
        init(parsing text: String) throws(NGSIQueryError) {
            let name = text.trimmingCharacters(in: .whitespaces)
            guard let kind = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
                let names = Self.allCases.map(\.rawValue).joined(separator: ", ")
                throw NGSIQueryError(parameter: "geometry", message: "'\(name.prefix(80))' is not a geometry: use \(names)")
            }
            self = kind
        }

        func geometry(from shape: CoordinateReader.Shape) throws(NGSIQueryError) -> Geometry {
            let root = Path(kind: self)
            switch self {
            case .point: return .point(try root.position(shape))
            case .multiPoint: return .multiPoint(try root.list(shape, atLeast: 1, of: "positions") { p, s throws(NGSIQueryError) in try p.position(s) })
            case .lineString: return .lineString(try root.line(shape))
            case .multiLineString:
                return .multiLineString(try root.list(shape, atLeast: 1, of: "lines") { p, s throws(NGSIQueryError) in try p.line(s) })
            case .polygon:
                return .polygon(GeoGeometry(polygon: try root.polygon(shape)))
            case .multiPolygon:
                let polygons = try root.list(shape, atLeast: 1, of: "polygons") { p, s throws(NGSIQueryError) in try p.polygon(s) }
                var g = GeoGeometry(polygon: polygons[0])
                g.type = .multiPolygon
                g.polygons = polygons
                return .polygon(g)
            }
        }
    }

    /// Where in the coordinates a part lies (`[0][3]`), for messages.
    struct Path {
        var kind: GeometryKind
        var indices = ""

        init(kind: GeometryKind) {
            self.kind = kind
        }

        func child(_ i: Int) -> Path {
            var path = self
            path.indices += "[\(i)]"
            return path
        }

        func error(_ message: String) -> NGSIQueryError {
            NGSIQueryError(parameter: "coordinates", message: indices.isEmpty ? "\(kind.rawValue): \(message)" : "\(kind.rawValue) \(indices): \(message)")
        }

        func list<T>(
            _ shape: CoordinateReader.Shape, atLeast count: Int, of what: String,
            _ element: (Path, CoordinateReader.Shape) throws(NGSIQueryError) -> T
        ) throws(NGSIQueryError) -> [T] {
            guard case .list(let items) = shape, !items.contains(where: { if case .number = $0 { true } else { false } }) else {
                throw error("expected a list of \(what)")
            }
            guard !items.isEmpty else { throw error("has no \(what)") }
            guard items.count >= count else { throw error("needs at least \(count) \(what), got \(items.count)") }
            var result: [T] = []
            result.reserveCapacity(items.count)
            for (i, item) in items.enumerated() { result.append(try element(child(i), item)) }
            return result
        }

        /// `[lon, lat]`, or `[lon, lat, altitude]` with the altitude ignored.
        func position(_ shape: CoordinateReader.Shape) throws(NGSIQueryError) -> GeoGeometry.Position {
            guard case .list(let items) = shape, items.count == 2 || items.count == 3,
                  case .number(let lon) = items[0], case .number(let lat) = items[1]
            else { throw error("expected a position [lon, lat]") }
            if items.count == 3, case .list = items[2] { throw error("expected a position [lon, lat]") }
            guard (-180...180).contains(lon) else { throw error("longitude \(lon) is outside -180...180") }
            guard (-90...90).contains(lat) else { throw error("latitude \(lat) is outside -90...90") }
            return GeoGeometry.Position(lon: lon, lat: lat)
        }

        func line(_ shape: CoordinateReader.Shape) throws(NGSIQueryError) -> [GeoGeometry.Position] {
            try list(shape, atLeast: 2, of: "positions") { p, s throws(NGSIQueryError) in try p.position(s) }
        }

        func polygon(_ shape: CoordinateReader.Shape) throws(NGSIQueryError) -> [[GeoGeometry.Position]] {
            try list(shape, atLeast: 1, of: "rings") { p, s throws(NGSIQueryError) in
                let ring = try p.list(s, atLeast: 4, of: "positions (a ring repeats its first position last)") { p, s throws(NGSIQueryError) in
                    try p.position(s)
                }
                guard ring.first == ring.last else { throw p.error("the ring is not closed: the last position must equal the first") }
                return ring
            }
        }
    }

    /// Reads JSON arrays of numbers, nested at most four deep (a MultiPolygon), holding at most
    /// `3 × maxPositions` numbers: enough for any valid geometry, and a bound on the work.
    struct CoordinateReader {
        indirect enum Shape {
            case number(Double)
            case list([Shape])
        }

        private let bytes: [UInt8]
        private var i = 0
        private var numbers = 0

        static func read(_ text: String) throws(NGSIQueryError) -> Shape {
            var reader = CoordinateReader(bytes: Array(text.utf8))
            reader.skipSpaces()
            let shape = try reader.value(depth: 0)
            reader.skipSpaces()
            guard reader.i == reader.bytes.count else { throw reader.error("unexpected text after the coordinates") }
            if reader.positions(shape) > NGSIGeoQuery.maxPositions {
                throw NGSIQueryError(parameter: "coordinates", message: "has more than \(NGSIGeoQuery.maxPositions) positions")
            }
            return shape
        }

        private init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        private mutating func value(depth: Int) throws(NGSIQueryError) -> Shape {
            guard i < bytes.count else { throw error("expected a number or '['") }
            if bytes[i] != UInt8(ascii: "[") {
                guard let (number, end) = NGSIValue.scanNumber(bytes, from: i) else { throw error("expected a number or '['") }
                guard number.isFinite else { throw error("number out of range") }
                numbers += 1
                guard numbers <= 3 * NGSIGeoQuery.maxPositions else {
                    throw NGSIQueryError(parameter: "coordinates", message: "has more than \(NGSIGeoQuery.maxPositions) positions")
                }
                i = end
                return .number(number)
            }
            guard depth < 4 else { throw error("nested deeper than any geometry (a MultiPolygon nests four deep)") }
            i += 1
            skipSpaces()
            var items: [Shape] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                i += 1
                return .list(items)
            }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpaces()
                guard i < bytes.count else { throw error("expected ',' or ']'") }
                if bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return .list(items)
                }
                guard bytes[i] == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
                i += 1
                skipSpaces()
            }
        }

        /// Lists of numbers count as one position each.
        private func positions(_ shape: Shape) -> Int {
            guard case .list(let items) = shape else { return 0 }
            if case .number? = items.first { return 1 }
            return items.reduce(0) { $0 + positions($1) }
        }

        private mutating func skipSpaces() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        private func error(_ message: String) -> NGSIQueryError {
            guard i < bytes.count else { return NGSIQueryError(parameter: "coordinates", message: "at the end: \(message)") }
            let character = String(decoding: bytes[..<i], as: UTF8.self).count + 1
            return NGSIQueryError(parameter: "coordinates", message: "at character \(character): \(message)")
        }
    }
}
