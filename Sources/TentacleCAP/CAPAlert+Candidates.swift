public import TentacleCore

extension CAPAlert {
    /// The alert in the shape the resolution function takes: for each info block, candidates with the
    /// alert's identifier, the block's severity and `expires`, the alert's `sent`, and a target made of
    /// the block's areas (polygons, circles, and the districts its geocodes map to through `geocodes`).
    ///
    /// - `Target` holds one circle, so each further circle of a block gets a candidate of its own.
    /// - A polygon across the antimeridian becomes two rings, one a whole turn east or west of the
    ///   other, so that each lies within reach of a query's longitude (those rings leave -180...180).
    /// - Identical candidates (language blocks with the same areas and severity) appear once.
    /// - Cancel, Ack and Error messages show nothing, and a block without areas targets no display;
    ///   `status` (Test, Exercise, ...) is left to the caller.
    public func candidates(geocodes: GeocodeTable = GeocodeTable()) -> [AlertCandidate] {
        guard msgType == .alert || msgType == .update else { return [] }
        var result: [AlertCandidate] = []
        for info in infos {
            let rings = info.areas.flatMap(\.polygons).flatMap(\.prepared.planarRings).map { [$0] }
            var geometry: GeoGeometry?
            if let first = rings.first {
                geometry = GeoGeometry(polygon: first)
                if rings.count > 1 {
                    geometry?.type = .multiPolygon
                    geometry?.polygons = rings
                }
            }
            let circles = info.areas.flatMap(\.circles).map {
                GeoCircle(lat: $0.center.lat, lon: $0.center.lon, radiusMeters: $0.radiusKm * 1000)
            }
            let districts = Set(info.areas.flatMap { $0.districts(in: geocodes) }).sorted()
            let targets = [Target(districts: districts, polygon: geometry, circle: circles.first)]
                + circles.dropFirst().map { Target(circle: $0) }
            for target in targets where !target.isEmpty {
                let candidate = AlertCandidate(id: identifier, severity: info.severity, sent: sent, expires: info.expires, target: target)
                if !result.contains(candidate) { result.append(candidate) }
            }
        }
        return result
    }
}
