import Foundation
import Testing
@testable import TentacleCore

private typealias P = GeoGeometry.Position

private func geo(_ georel: String, _ geometry: String, _ coordinates: String, geoproperty: String? = nil) throws(NGSIQueryError) -> NGSIGeoQuery {
    try NGSIGeoQuery.parse(georel: georel, geometry: geometry, coordinates: coordinates, geoproperty: geoproperty)
}

/// The refusal's parameter and message, or nil when the query parses.
private func refusal(_ georel: String, _ geometry: String, _ coordinates: String, geoproperty: String? = nil) -> NGSIQueryError? {
    do {
        _ = try geo(georel, geometry, coordinates, geoproperty: geoproperty)
        return nil
    } catch {
        return error
    }
}

/// 8..9 east, 49..50 north, with a hole 8.4..8.6 east, 49.4..49.6 north.
private let squareWithHole = "[[[8,49],[9,49],[9,50],[8,50],[8,49]],[[8.4,49.4],[8.6,49.4],[8.6,49.6],[8.4,49.6],[8.4,49.4]]]"
private let line = "[[8,49],[9,49],[9,50]]"

@Suite struct NGSIGeoQueryTests {
    // MARK: parsing

    @Test func parsesTheSeparateParameters() throws {
        let query = try geo("near;maxDistance==2000", "Point", "[8.6,49.4]")
        #expect(query.relation == .near(maxDistance: 2000, minDistance: nil))
        #expect(query.geometry == .point(P(lon: 8.6, lat: 49.4)))
        #expect(query.geoproperty == "location")
        #expect(try geo(" near ; minDistance == 5 ; maxDistance == 2.5e3 ", " point ", " [ 8.6 , 49.4 , 120 ] ", geoproperty: " position ")
            == NGSIGeoQuery(relation: .near(maxDistance: 2500, minDistance: 5), geometry: .point(P(lon: 8.6, lat: 49.4)), geoproperty: "position"))
    }

    @Test(arguments: [
        ("within", NGSIGeoQuery.Relation.within), ("contains", .contains), ("intersects", .intersects), ("equals", .equals),
        ("disjoint", .disjoint), ("overlaps", .overlaps), ("near;minDistance==0", .near(maxDistance: nil, minDistance: 0)),
    ])
    func parsesEveryRelation(georel: String, relation: NGSIGeoQuery.Relation) throws {
        #expect(try geo(georel, "Point", "[0,0]").relation == relation)
    }

    @Test func parsesEveryGeometry() throws {
        #expect(try geo("intersects", "MultiPoint", "[[1,2],[3,4]]").geometry == .multiPoint([P(lon: 1, lat: 2), P(lon: 3, lat: 4)]))
        #expect(try geo("intersects", "LineString", "[[1,2],[3,4]]").geometry == .lineString([P(lon: 1, lat: 2), P(lon: 3, lat: 4)]))
        #expect(try geo("intersects", "MultiLineString", "[[[1,2],[3,4]],[[5,6],[7,8]]]").geometry
            == .multiLineString([[P(lon: 1, lat: 2), P(lon: 3, lat: 4)], [P(lon: 5, lat: 6), P(lon: 7, lat: 8)]]))
        guard case .polygon(let polygon) = try geo("within", "Polygon", squareWithHole).geometry else {
            Issue.record("not a polygon")
            return
        }
        #expect(polygon.type == .polygon)
        #expect(polygon.polygons.count == 1 && polygon.polygons[0].count == 2)
        guard case .polygon(let multi) = try geo("within", "MultiPolygon", "[\(squareWithHole),[[[0,0],[1,0],[1,1],[0,0]]]]").geometry else {
            Issue.record("not a polygon")
            return
        }
        #expect(multi.type == .multiPolygon)
        #expect(multi.polygons.map(\.count) == [2, 1])
    }

    @Test func parsesTheCombinedForm() throws {
        let separate = try geo("near;maxDistance==2000", "Point", "[8.6,49.4]")
        #expect(try NGSIGeoQuery.parse(combined: "georel=near;maxDistance==2000&geometry=Point&coordinates=[8.6,49.4]") == separate)
        #expect(try NGSIGeoQuery.parse(combined: " coordinates = [ 8.6, 49.4 ] & georel = near; maxDistance == 2000 & geometry = Point &") == separate)
        let withProperty = try NGSIGeoQuery.parse(combined: "georel=within&geometry=Polygon&coordinates=\(squareWithHole)&geoproperty=position")
        #expect(withProperty.geoproperty == "position")
        #expect(withProperty.relation == .within)
    }

    @Test(arguments: [
        ("geometry=Point&coordinates=[0,0]", "georel", "is missing"),
        ("georel=within&coordinates=[0,0]", "geometry", "is missing"),
        ("georel=within&geometry=Point", "coordinates", "is missing"),
        ("georel=within&geometry=Point&coordinates=[0,0]&georel=equals", "georel", "is given twice"),
        ("georel=within&geometry=Point&coordinates=[0,0]&radius=5", "radius", "is not a geo-query parameter: use georel, geometry, coordinates and geoproperty"),
        ("georel=within&geometry&coordinates=[0,0]", "geometry", "has no value: write geometry=…"),
        ("georel=within&geometry=Point&coordinates=[0,0]&geoproperty=", "geoproperty", "'' is not an attribute name"),
    ])
    func refusesBadCombinedForms(text: String, parameter: String, message: String) {
        #expect(throws: NGSIQueryError(parameter: parameter, message: message)) { try NGSIGeoQuery.parse(combined: text) }
    }

    // MARK: refusals

    @Test(arguments: [
        ("", "Point", "[0,0]", "georel", "'' is not a relation: use near, within, contains, intersects, equals, disjoint or overlaps"),
        ("nearby", "Point", "[0,0]", "georel", "'nearby' is not a relation"),
        ("Within", "Point", "[0,0]", "georel", "'Within' is not a relation"),
        ("near", "Point", "[0,0]", "georel", "near needs a distance: near;maxDistance==metres or near;minDistance==metres"),
        ("near;", "Point", "[0,0]", "georel", "'' is not a distance: write maxDistance==metres or minDistance==metres"),
        ("near;distance==5", "Point", "[0,0]", "georel", "'distance==5' is not a distance"),
        ("near;maxDistance=5", "Point", "[0,0]", "georel", "'maxDistance=5' is not a distance"),
        ("near;maxDistance==", "Point", "[0,0]", "georel", "maxDistance must be a finite non-negative number of metres, not ''"),
        ("near;maxDistance==-1", "Point", "[0,0]", "georel", "maxDistance must be a finite non-negative number of metres, not '-1'"),
        ("near;minDistance==abc", "Point", "[0,0]", "georel", "minDistance must be a finite non-negative number of metres, not 'abc'"),
        ("near;maxDistance==1e999", "Point", "[0,0]", "georel", "maxDistance must be a finite non-negative number of metres, not '1e999'"),
        ("near;maxDistance==nan", "Point", "[0,0]", "georel", "maxDistance must be a finite non-negative number of metres, not 'nan'"),
        ("near;maxDistance==inf", "Point", "[0,0]", "georel", "maxDistance must be a finite non-negative number of metres, not 'inf'"),
        ("near;maxDistance==1;maxDistance==2", "Point", "[0,0]", "georel", "maxDistance is given twice"),
        ("near;minDistance==5;maxDistance==1", "Point", "[0,0]", "georel", "minDistance is greater than maxDistance: nothing could match"),
        ("within;maxDistance==5", "Point", "[0,0]", "georel", "'within' takes nothing after it: only near takes a distance"),
        ("within", "Circle", "[0,0]", "geometry", "'Circle' is not a geometry: use Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon"),
        ("within", "", "[0,0]", "geometry", "'' is not a geometry"),
        ("near;maxDistance==5", "Polygon", squareWithHole, "geometry", "near needs geometry Point, not Polygon"),
        ("within", "Point", "", "coordinates", "at the end: expected a number or '['"),
        ("within", "Point", "8.6,49.4", "coordinates", "at character 4: unexpected text after the coordinates"),
        ("within", "Point", "[8.6,49.4", "coordinates", "at the end: expected ',' or ']'"),
        ("within", "Point", "[8.6 49.4]", "coordinates", "at character 6: expected ',' or ']'"),
        ("within", "Point", "[8.6,]", "coordinates", "at character 6: expected a number or '['"),
        ("within", "Point", #"["a",1]"#, "coordinates", "at character 2: expected a number or '['"),
        ("within", "Point", "[1e999,0]", "coordinates", "at character 2: number out of range"),
        ("within", "Point", "[[[[[0]]]]]", "coordinates", "at character 5: nested deeper than any geometry (a MultiPolygon nests four deep)"),
        ("within", "Point", "[8.6]", "coordinates", "Point: expected a position [lon, lat]"),
        ("within", "Point", "[[8.6,49.4]]", "coordinates", "Point: expected a position [lon, lat]"),
        ("within", "Point", "[1,2,3,4]", "coordinates", "Point: expected a position [lon, lat]"),
        ("within", "Point", "[1,2,[3]]", "coordinates", "Point: expected a position [lon, lat]"),
        ("within", "Point", "[181,0]", "coordinates", "Point: longitude 181.0 is outside -180...180"),
        ("within", "Point", "[0,-90.5]", "coordinates", "Point: latitude -90.5 is outside -90...90"),
        ("within", "MultiPoint", "[]", "coordinates", "MultiPoint: has no positions"),
        ("within", "MultiPoint", "[[0,0],[0,100]]", "coordinates", "MultiPoint [1]: latitude 100.0 is outside -90...90"),
        ("within", "LineString", "[0,0]", "coordinates", "LineString: expected a list of positions"),
        ("within", "LineString", "[[0,0]]", "coordinates", "LineString: needs at least 2 positions, got 1"),
        ("within", "MultiLineString", "[[[0,0],[1,1]],[[0,0]]]", "coordinates", "MultiLineString [1]: needs at least 2 positions, got 1"),
        ("within", "Polygon", "[]", "coordinates", "Polygon: has no rings"),
        ("within", "Polygon", "[[0,0],[1,0],[1,1],[0,0]]", "coordinates", "Polygon [0]: expected a list of positions"),
        ("within", "Polygon", "[[[0,0],[1,0],[0,0]]]", "coordinates", "Polygon [0]: needs at least 4 positions (a ring repeats its first position last), got 3"),
        ("within", "Polygon", "[[[0,0],[1,0],[1,1],[0,1]]]", "coordinates", "Polygon [0]: the ring is not closed: the last position must equal the first"),
        ("within", "Polygon", "[[[0,0],[1,0],[200,1],[0,0]]]", "coordinates", "Polygon [0][2]: longitude 200.0 is outside -180...180"),
        ("within", "MultiPolygon", "[\(squareWithHole),[[[0,0],[1,0],[1,1],[0,1]]]]", "coordinates", "MultiPolygon [1][0]: the ring is not closed"),
        ("within", "MultiPolygon", "[]", "coordinates", "MultiPolygon: has no polygons"),
        ("within", "Point", "[0,0]", "coordinates", nil as String?),
        ("within", "Point", "[0,0]", "geoproperty", "'a b' is not an attribute name"),
    ] as [(String, String, String, String, String?)])
    func refuses(georel: String, geometry: String, coordinates: String, parameter: String, message: String?) {
        let refused = refusal(georel, geometry, coordinates, geoproperty: parameter == "geoproperty" ? "a b" : nil)
        guard let message else {
            #expect(refused == nil)
            return
        }
        #expect(refused?.parameter == parameter)
        #expect(refused?.message.hasPrefix(message) == true, "\(refused?.message ?? "accepted")")
    }

    @Test func limitsThePositions() throws {
        func line(_ count: Int) -> String {
            "[" + (0..<count).map { "[\(Double($0) / 1000),0]" }.joined(separator: ",") + "]"
        }
        #expect(try geo("intersects", "LineString", line(NGSIGeoQuery.maxPositions)).matches(lat: 0, lon: 5))
        let tooMany = NGSIQueryError(parameter: "coordinates", message: "has more than 10000 positions")
        #expect(refusal("intersects", "LineString", line(NGSIGeoQuery.maxPositions + 1)) == tooMany)
        #expect(refusal("intersects", "LineString", "[" + String(repeating: "0,", count: 100_000) + "0]") == tooMany)
    }

    // MARK: near

    @Test func nearMeasuresGreatCircleMetres() throws {
        let within2km = try geo("near;maxDistance==2000", "Point", "[8.6,49.4]")
        #expect(within2km.matches(lat: 49.4, lon: 8.6))
        #expect(within2km.matches(lat: 49.41, lon: 8.6))  // 1,112 m north
        #expect(!within2km.matches(lat: 49.42, lon: 8.6))  // 2,224 m north
        #expect(within2km.matches(lat: 49.4, lon: 8.62))  // 1,448 m east: a degree of longitude is shorter here
        #expect(!within2km.matches(lat: 49.4, lon: 8.63))  // 2,172 m east

        let beyond1500 = try geo("near;minDistance==1500", "Point", "[8.6,49.4]")
        #expect(!beyond1500.matches(lat: 49.41, lon: 8.6))
        #expect(beyond1500.matches(lat: 49.42, lon: 8.6))
        #expect(beyond1500.matches(lat: -49.4, lon: -171.4))

        let ring = try geo("near;maxDistance==2000;minDistance==1000", "Point", "[8.6,49.4]")
        #expect(!ring.matches(lat: 49.405, lon: 8.6))
        #expect(ring.matches(lat: 49.41, lon: 8.6))
        #expect(!ring.matches(lat: 49.42, lon: 8.6))
    }

    @Test func nearIncludesBothDistances() throws {
        let distance = GeoCircle.distanceMeters(lat1: 0, lon1: 0, lat2: 0.01, lon2: 0)
        #expect(try geo("near;maxDistance==\(distance)", "Point", "[0,0]").matches(lat: 0.01, lon: 0))
        #expect(try geo("near;minDistance==\(distance)", "Point", "[0,0]").matches(lat: 0.01, lon: 0))
        #expect(try geo("near;maxDistance==0", "Point", "[0,0]").matches(lat: 0, lon: 0))
        #expect(try !geo("near;maxDistance==0", "Point", "[0,0]").matches(lat: 0.000_01, lon: 0))
    }

    @Test func nearCrossesTheAntimeridian() throws {
        let query = try geo("near;maxDistance==5000", "Point", "[179.99,0]")
        #expect(query.matches(lat: 0, lon: -179.99))  // 2,224 m the short way
        #expect(!query.matches(lat: 0, lon: -179.9))
    }

    // MARK: within, intersects and disjoint

    @Test(arguments: ["within", "intersects"])
    func aPolygonHoldsItsInsideAndBoundaryButNotItsHoles(georel: String) throws {
        let query = try geo(georel, "Polygon", squareWithHole)
        #expect(query.matches(lat: 49.2, lon: 8.2))
        #expect(query.matches(lat: 49, lon: 8.5))  // outer edge
        #expect(query.matches(lat: 50, lon: 9))  // corner
        #expect(!query.matches(lat: 49.5, lon: 8.5))  // in the hole
        #expect(query.matches(lat: 49.4, lon: 8.5))  // on the hole's edge
        #expect(!query.matches(lat: 48.99, lon: 8.5))
        #expect(!query.matches(lat: 49.5, lon: 9.01))
        #expect(!query.matches(lat: .nan, lon: 8.5))
    }

    @Test func aMultiPolygonHoldsWhatAnyOfItsPolygonsHolds() throws {
        let query = try geo("within", "MultiPolygon", "[\(squareWithHole),[[[0,0],[1,0],[1,1],[0,1],[0,0]]]]")
        #expect(query.matches(lat: 0.5, lon: 0.5))
        #expect(query.matches(lat: 49.2, lon: 8.2))
        #expect(!query.matches(lat: 49.5, lon: 8.5))
        #expect(!query.matches(lat: 5, lon: 5))
    }

    @Test func aPolygonMayCrossTheAntimeridian() throws {
        let query = try geo("within", "Polygon", "[[[170,-10],[-170,-10],[-170,10],[170,10],[170,-10]]]")
        #expect(query.matches(lat: 0, lon: 179.5))
        #expect(query.matches(lat: 0, lon: -175))
        #expect(!query.matches(lat: 0, lon: 0))
        #expect(query.boundingBox == BoundingBox(minLat: -10 - 1e-9, minLon: -180, maxLat: 10 + 1e-9, maxLon: 180))
    }

    @Test(arguments: ["within", "intersects"])
    func pointsAndLinesHoldOnlyWhatLiesOnThem(georel: String) throws {
        let point = try geo(georel, "Point", "[8.6,49.4]")
        #expect(point.matches(lat: 49.4, lon: 8.6))
        #expect(point.matches(lat: 49.4 + 1e-10, lon: 8.6))
        #expect(!point.matches(lat: 49.400_001, lon: 8.6))

        let multiPoint = try geo(georel, "MultiPoint", "[[8.6,49.4],[1,2]]")
        #expect(multiPoint.matches(lat: 2, lon: 1))
        #expect(!multiPoint.matches(lat: 1, lon: 2))

        let lineString = try geo(georel, "LineString", line)
        #expect(lineString.matches(lat: 49, lon: 8.5))
        #expect(lineString.matches(lat: 49.5, lon: 9))
        #expect(lineString.matches(lat: 50, lon: 9))  // an end
        #expect(lineString.matches(lat: 49 + 5e-10, lon: 8.5))
        #expect(!lineString.matches(lat: 49 + 1e-8, lon: 8.5))
        #expect(!lineString.matches(lat: 49.5, lon: 8.5))  // inside the corner, not on the line
        #expect(!lineString.matches(lat: 49, lon: 7.9))  // on the line's extension

        let multiLine = try geo(georel, "MultiLineString", "[[[0,0],[1,1]],\(line)]")
        #expect(multiLine.matches(lat: 0.5, lon: 0.5))
        #expect(multiLine.matches(lat: 49, lon: 8.5))
        #expect(!multiLine.matches(lat: 0.5, lon: 0.6))
    }

    @Test func disjointIsTheOppositeOfIntersects() throws {
        var random = SplitMix64(seed: 7)
        let geometries = [("Point", "[8.6,49.4]"), ("LineString", line), ("Polygon", squareWithHole), ("MultiPoint", "[[8,49],[8.5,49.5]]")]
        for (geometry, coordinates) in geometries {
            let intersects = try geo("intersects", geometry, coordinates), disjoint = try geo("disjoint", geometry, coordinates)
            var points = [(49.4, 8.6), (49, 8.5), (49.5, 8.5), (49.2, 8.2), (0, 0)]
            for _ in 0..<200 { points.append((random.double(in: 48.5...50.5), random.double(in: 7.5...9.5))) }
            for (lat, lon) in points {
                #expect(disjoint.matches(lat: lat, lon: lon) == !intersects.matches(lat: lat, lon: lon), "\(geometry) at \(lat), \(lon)")
            }
        }
    }

    // MARK: equals, contains and overlaps

    @Test(arguments: ["equals", "contains"])
    func aPointEqualsAndContainsOnlyTheSamePoint(georel: String) throws {
        #expect(try geo(georel, "Point", "[8.6,49.4]").matches(lat: 49.4, lon: 8.6))
        #expect(try !geo(georel, "Point", "[8.6,49.4]").matches(lat: 49.4, lon: 8.7))
        #expect(try geo(georel, "MultiPoint", "[[8.6,49.4],[8.6,49.4]]").matches(lat: 49.4, lon: 8.6))
        #expect(try !geo(georel, "MultiPoint", "[[8.6,49.4],[1,2]]").matches(lat: 49.4, lon: 8.6))
        #expect(try !geo(georel, "LineString", line).matches(lat: 49, lon: 8))
        #expect(try !geo(georel, "Polygon", squareWithHole).matches(lat: 49.2, lon: 8.2))
        #expect(try !geo(georel, "Polygon", squareWithHole).matches(lat: 49, lon: 8))
    }

    @Test func nothingOverlapsAPoint() throws {
        for (geometry, coordinates) in [("Point", "[8.6,49.4]"), ("LineString", line), ("Polygon", squareWithHole)] {
            let query = try geo("overlaps", geometry, coordinates)
            for (lat, lon) in [(49.4, 8.6), (49.2, 8.2), (49, 8.5), (0, 0)] { #expect(!query.matches(lat: lat, lon: lon)) }
        }
    }

    // MARK: bounding boxes

    @Test func boundingBoxes() throws {
        let t = 1e-9
        #expect(try geo("within", "Polygon", squareWithHole).boundingBox == BoundingBox(minLat: 49 - t, minLon: 8 - t, maxLat: 50 + t, maxLon: 9 + t))
        #expect(try geo("intersects", "LineString", line).boundingBox == BoundingBox(minLat: 49 - t, minLon: 8 - t, maxLat: 50 + t, maxLon: 9 + t))
        #expect(try geo("equals", "Point", "[180,90]").boundingBox == BoundingBox(minLat: 90 - t, minLon: 180 - t, maxLat: 90, maxLon: 180))
        #expect(try geo("contains", "MultiPoint", "[[1,2],[3,-4]]").boundingBox == BoundingBox(minLat: -4 - t, minLon: 1 - t, maxLat: 2 + t, maxLon: 3 + t))
        #expect(try geo("near;maxDistance==2000", "Point", "[8.6,49.4]").boundingBox == GeoCircle(lat: 49.4, lon: 8.6, radiusMeters: 2000).boundingBox)
        #expect(try geo("near;maxDistance==2000;minDistance==5", "Point", "[8.6,49.4]").boundingBox != nil)
        #expect(try geo("near;minDistance==5", "Point", "[8.6,49.4]").boundingBox == nil)
        #expect(try geo("disjoint", "Polygon", squareWithHole).boundingBox == nil)
        #expect(try geo("overlaps", "Polygon", squareWithHole).boundingBox == nil)
    }

    @Test func theBoundingBoxHoldsEveryMatch() throws {
        var random = SplitMix64(seed: 11)
        let queries = [
            try geo("near;maxDistance==20000", "Point", "[8.6,49.4]"), try geo("near;maxDistance==500000", "Point", "[179.5,-80]"),
            try geo("within", "Polygon", squareWithHole), try geo("equals", "Point", "[8.6,49.4]"),
        ]
        for query in queries {
            let box = try #require(query.boundingBox)
            var matched = 0
            for _ in 0..<5000 {
                let anywhere = (random.double(in: -90...90), random.double(in: -180...180))
                let nearby = (49.4 + random.double(in: -1...1), 8.6 + random.double(in: -1...1))
                let close = (49.4 + random.double(in: -2e-9...2e-9), 8.6 + random.double(in: -2e-9...2e-9))
                for (lat, lon) in [anywhere, nearby, close] where query.matches(lat: lat, lon: lon) {
                    matched += 1
                    #expect(box.contains(lat: lat, lon: lon), "\(query.relation) at \(lat), \(lon)")
                }
            }
            #expect(matched > 0, "\(query.relation)")
        }
    }

    // MARK: against brute force

    /// Even-odd ray casting, without a boundary tolerance.
    private static func inside(_ ring: [P], lat: Double, lon: Double) -> Bool {
        var inside = false
        for (a, b) in zip(ring, ring.dropFirst()) where (a.lat > lat) != (b.lat > lat) {
            if lon < a.lon + (lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat) { inside.toggle() }
        }
        return inside
    }

    private static func nearAnEdge(_ ring: [P], lat: Double, lon: Double) -> Bool {
        zip(ring, ring.dropFirst()).contains { a, b in
            PreparedPolygon.distanceSquared(lon, lat, a.lon, a.lat, b.lon, b.lat) < 1e-12
        }
    }

    @Test func withinAgreesWithRayCastingForRandomPolygons() throws {
        var random = SplitMix64(seed: 2026)
        var inside = 0
        for _ in 0..<50 {
            // A star-shaped ring around a random centre: sorted angles, random radii; self-intersections are fine for even-odd.
            let centreLat = random.double(in: -60...60), centreLon = random.double(in: -170...170)
            let count = 3 + random.int(below: 30)
            let angles = (0..<count).map { _ in random.double(in: 0...(2 * .pi)) }.sorted()
            var ring = angles.map { angle in
                let r = random.double(in: 0.1...5)
                return P(lon: centreLon + r * cos(angle), lat: centreLat + r * sin(angle))
            }
            if random.int(below: 4) == 0 { random.shuffle(&ring) }
            ring.append(ring[0])
            let coordinates = "[[" + ring.map { "[\($0.lon),\($0.lat)]" }.joined(separator: ",") + "]]"
            let query = try geo("within", "Polygon", coordinates)
            for _ in 0..<400 {
                let lat = centreLat + random.double(in: -6...6), lon = centreLon + random.double(in: -6...6)
                if Self.nearAnEdge(ring, lat: lat, lon: lon) { continue }
                let expected = Self.inside(ring, lat: lat, lon: lon)
                if expected { inside += 1 }
                #expect(query.matches(lat: lat, lon: lon) == expected, "\(coordinates) at \(lat), \(lon)")
            }
        }
        #expect(inside > 500)
    }
}
