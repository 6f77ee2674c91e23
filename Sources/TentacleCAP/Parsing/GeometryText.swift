import TentacleCore
/// Reads the text of CAP `polygon` and `circle` elements.
///
/// Points are `lat,lon` pairs separated by any whitespace (spaces, tabs, newlines); latitude must be
/// in -90...90 and longitude in -180...180. Two things real feeds send are mended, not refused: an
/// empty `<polygon/>` (it adds no geometry) and a ring whose longitudes run past ±180 (wrapped back).
enum GeometryText {
    /// The polygon, or nil for an empty element.
    static func polygon(_ text: String, path: String, log: RepairLog) throws(CAPError) -> CAPPolygon? {
        let tokens = text.xmlWords
        if tokens.isEmpty {
            log.note(path, "empty polygon ignored")
            return nil
        }
        var points: [CAPPoint] = []
        points.reserveCapacity(tokens.count)
        for (i, token) in tokens.enumerated() {
            points.append(try point(token, path: path, what: "point \(i + 1)", longitudes: -360...360))
        }
        guard points.count >= 4 else {
            throw CAPError(.invalidGeometry, path, "a polygon needs at least 4 points (the first repeated last), got \(points.count)")
        }
        guard points.first == points.last else {
            throw CAPError(.invalidGeometry, path, "ring is not closed: the last point must equal the first")
        }
        if points.contains(where: { !(-180...180).contains($0.lon) }) {
            try wrapLongitudes(&points, path: path)
            log.note(path, "longitudes past ±180 wrapped into -180...180")
        }
        let polygon = CAPPolygon(points: points)
        if polygon.prepared.windsAroundPole {
            throw CAPError(.invalidGeometry, path, "ring winds around a pole; split it into polygons that do not")
        }
        return polygon
    }

    /// A ring drawn past the antimeridian (`…,179 …,181 …`) means the same place with its
    /// longitudes wrapped, as long as no edge spans half the globe or more: then which way the
    /// edge goes would be a guess, and the ring is refused.
    private static func wrapLongitudes(_ points: inout [CAPPoint], path: String) throws(CAPError) {
        for i in 1..<points.count where abs(points[i].lon - points[i - 1].lon) >= 180 {
            throw CAPError(
                .invalidGeometry, path,
                "point \(i + 1): longitudes run past ±180 and an edge spans 180° or more, so the ring's way round is ambiguous")
        }
        for i in points.indices {
            let lon = points[i].lon
            if lon > 180 { points[i].lon = lon - 360 } else if lon < -180 { points[i].lon = lon + 360 }
        }
    }

    /// `lat,lon radius` with the radius in kilometres, at least 0.
    static func circle(_ text: String, path: String) throws(CAPError) -> CAPCircle {
        let tokens = text.xmlWords
        guard tokens.count == 2 else {
            throw CAPError(.invalidGeometry, path, "'\(text.prefix(80))' is not 'lat,lon radius' (radius in km)")
        }
        let center = try point(tokens[0], path: path, what: "centre", longitudes: -180...180)
        guard let radius = Double(tokens[1]), radius.isFinite, radius >= 0 else {
            throw CAPError(.invalidGeometry, path, "radius '\(tokens[1].prefix(40))' is not a number of kilometres, 0 or more")
        }
        return CAPCircle(center: center, radiusKm: radius)
    }

    private static func point(_ token: Substring, path: String, what: String, longitudes: ClosedRange<Double>) throws(CAPError) -> CAPPoint {
        let comma = token.utf8.firstIndex(of: UInt8(ascii: ","))
        guard let comma, let lat = Double(token[..<comma]), let lon = Double(token[token.index(after: comma)...]) else {
            throw CAPError(.invalidGeometry, path, "\(what) '\(token.prefix(60))' is not 'lat,lon'")
        }
        guard (-90...90).contains(lat), longitudes.contains(lon) else {
            throw CAPError(.invalidGeometry, path, "\(what) '\(token.prefix(60))' is out of range (lat -90...90, lon -180...180)")
        }
        return CAPPoint(lat: lat, lon: lon)
    }
}
