/// Reads the text of CAP `polygon` and `circle` elements.
///
/// Points are `lat,lon` pairs separated by any whitespace (spaces, tabs, newlines); latitude must be
/// in -90...90 and longitude in -180...180.
enum GeometryText {
    static func polygon(_ text: String, path: String) throws(CAPError) -> CAPPolygon {
        let tokens = text.xmlWords
        var points: [CAPPoint] = []
        points.reserveCapacity(tokens.count)
        for (i, token) in tokens.enumerated() {
            points.append(try point(token, path: path, what: "point \(i + 1)"))
        }
        guard points.count >= 4 else {
            throw CAPError(.invalidGeometry, path, "a polygon needs at least 4 points (the first repeated last), got \(points.count)")
        }
        guard points.first == points.last else {
            throw CAPError(.invalidGeometry, path, "ring is not closed: the last point must equal the first")
        }
        let polygon = CAPPolygon(points: points)
        if polygon.prepared.windsAroundPole {
            throw CAPError(.invalidGeometry, path, "ring winds around a pole; split it into polygons that do not")
        }
        return polygon
    }

    /// `lat,lon radius` with the radius in kilometres, at least 0.
    static func circle(_ text: String, path: String) throws(CAPError) -> CAPCircle {
        let tokens = text.xmlWords
        guard tokens.count == 2 else {
            throw CAPError(.invalidGeometry, path, "'\(text.prefix(80))' is not 'lat,lon radius' (radius in km)")
        }
        let center = try point(tokens[0], path: path, what: "centre")
        guard let radius = Double(tokens[1]), radius.isFinite, radius >= 0 else {
            throw CAPError(.invalidGeometry, path, "radius '\(tokens[1].prefix(40))' is not a number of kilometres, 0 or more")
        }
        return CAPCircle(center: center, radiusKm: radius)
    }

    private static func point(_ token: Substring, path: String, what: String) throws(CAPError) -> CAPPoint {
        let comma = token.utf8.firstIndex(of: UInt8(ascii: ","))
        guard let comma, let lat = Double(token[..<comma]), let lon = Double(token[token.index(after: comma)...]) else {
            throw CAPError(.invalidGeometry, path, "\(what) '\(token.prefix(60))' is not 'lat,lon'")
        }
        guard (-90...90).contains(lat), (-180...180).contains(lon) else {
            throw CAPError(.invalidGeometry, path, "\(what) '\(token.prefix(60))' is out of range (lat -90...90, lon -180...180)")
        }
        return CAPPoint(lat: lat, lon: lon)
    }
}
