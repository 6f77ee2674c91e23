import Foundation
import Testing
import TentacleCore

private typealias P = GeoGeometry.Position

private func decode(_ json: String) throws -> GeoGeometry {
    try JSONDecoder().decode(GeoGeometry.self, from: Data(json.utf8))
}

/// A ring through the given (lon, lat) corners, closed by repeating the first.
private func ring(_ corners: [(Double, Double)]) -> [P] {
    let positions = corners.map { P(lon: $0.0, lat: $0.1) }
    return positions + [positions[0]]
}

private let square = GeoGeometry(polygon: [ring([(0, 0), (10, 0), (10, 10), (0, 10)])])

@Suite struct GeoGeometryTests {
    // MARK: decoding and encoding

    @Test func decodesPolygon() throws {
        let g = try decode(#"{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}"#)
        #expect(g == square)
        #expect(g.type == .polygon)
    }

    @Test func decodesMultiPolygonWithHole() throws {
        let g = try decode("""
            {"type":"MultiPolygon","coordinates":[
              [[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]],
              [[[20,20],[21,20],[21,21],[20,20]]]
            ]}
            """)
        #expect(g.type == .multiPolygon)
        #expect(g.polygons.count == 2)
        #expect(g.polygons[0].count == 2)
        #expect(g.polygons[1][0].count == 4)
        #expect(g.issues(field: "area").isEmpty)
    }

    @Test func polygonRoundTripsThroughJSON() throws {
        let data = try JSONEncoder().encode(square)
        #expect(try JSONDecoder().decode(GeoGeometry.self, from: data) == square)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["type"] as? String == "Polygon")
        let coordinates = try #require(object["coordinates"] as? [[[Double]]])
        #expect(coordinates[0][1] == [10, 0])
    }

    @Test func multiPolygonRoundTripsThroughJSON() throws {
        let json = #"{"type":"MultiPolygon","coordinates":[[[[1,1],[2,1],[2,2],[1,1]]],[[[5,5],[6,5],[6,6],[5,5]]]]}"#
        let g = try decode(json)
        let again = try JSONDecoder().decode(GeoGeometry.self, from: JSONEncoder().encode(g))
        #expect(again == g)
    }

    @Test func positionsKeepLonLatOrderAndIgnoreAltitude() throws {
        let g = try decode(#"{"type":"Polygon","coordinates":[[[121.4,31.2,5],[121.5,31.2,5],[121.5,31.3,5],[121.4,31.2,5]]]}"#)
        #expect(g.polygons[0][0][1] == P(lon: 121.5, lat: 31.2))
    }

    @Test(arguments: [
        #"{"type":"Point","coordinates":[1,2]}"#,
        #"{"type":"Polygon"}"#,
        #"{"type":"Polygon","coordinates":[[1,2]]}"#,
        #"{"type":"MultiPolygon","coordinates":[[[1,2]]]}"#,
        #"{"coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#,
        #"[]"#,
    ])
    func malformedGeometryFailsToDecode(_ json: String) {
        #expect(throws: (any Error).self) { try decode(json) }
    }

    @Test func positionWithOneNumberIsNamedByIssues() throws {
        let g = try decode(#"{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}"#)
        #expect(g.issues(field: "boundary").map(\.field) == ["boundary.coordinates[0][1]"])
    }

    // MARK: issues

    @Test func validSquareHasNoIssues() {
        #expect(square.issues(field: "boundary").isEmpty)
    }

    @Test func openRingIsReported() {
        let open = GeoGeometry(polygon: [[P(lon: 0, lat: 0), P(lon: 1, lat: 0), P(lon: 1, lat: 1), P(lon: 0, lat: 1)]])
        #expect(open.issues(field: "boundary") == [
            FieldIssue(field: "boundary.coordinates[0]", message: "ring is not closed: the last position must equal the first"),
        ])
    }

    @Test func ringWithTooFewPositionsIsReported() {
        let tiny = GeoGeometry(polygon: [[P(lon: 0, lat: 0), P(lon: 1, lat: 0), P(lon: 0, lat: 0)]])
        let found = tiny.issues(field: "boundary")
        #expect(found.map(\.field) == ["boundary.coordinates[0]"])
        #expect(found.first?.message.contains("at least 4 positions") == true)
    }

    @Test func holeIsCheckedToo() {
        let g = GeoGeometry(polygon: [ring([(0, 0), (10, 0), (10, 10), (0, 10)]), [P(lon: 4, lat: 4), P(lon: 6, lat: 4)]])
        #expect(g.issues(field: "b").map(\.field) == ["b.coordinates[1]"])
    }

    @Test(arguments: [(181.0, 0.0), (-181, 0), (0, 91), (0, -91), (.nan, 0), (0, .infinity)])
    func positionOutOfRangeIsNamed(_ bad: (Double, Double)) {
        var rings = square.polygons[0]
        rings[0][2] = P(lon: bad.0, lat: bad.1)
        let found = GeoGeometry(polygon: rings).issues(field: "boundary")
        #expect(found.map(\.field) == ["boundary.coordinates[0][2]"])
    }

    @Test func multiPolygonIssuesNameThePolygon() throws {
        let g = try decode(#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[1,0],[1,1],[0,1]]]]}"#)
        #expect(g.issues(field: "area").map(\.field) == ["area.coordinates[1][0]"])
    }

    @Test func emptyGeometryIsReported() throws {
        #expect(try decode(#"{"type":"MultiPolygon","coordinates":[]}"#).issues(field: "a").map(\.field) == ["a.coordinates"])
        #expect(try decode(#"{"type":"Polygon","coordinates":[]}"#).issues(field: "a") == [
            FieldIssue(field: "a.coordinates", message: "polygon has no ring"),
        ])
    }

    // MARK: contains

    @Test func pointInsideAndOutside() {
        #expect(square.contains(lat: 5, lon: 5))
        #expect(square.contains(lat: 0.001, lon: 9.999))
        #expect(!square.contains(lat: 11, lon: 5))
        #expect(!square.contains(lat: 5, lon: -0.001))
        #expect(!square.contains(lat: -5, lon: -5))
    }

    @Test func pointOnEdgeIsInside() {
        #expect(square.contains(lat: 0, lon: 5))
        #expect(square.contains(lat: 10, lon: 5))
        #expect(square.contains(lat: 5, lon: 0))
        #expect(square.contains(lat: 5, lon: 10))
    }

    @Test func pointOnVertexIsInside() {
        #expect(square.contains(lat: 0, lon: 0))
        #expect(square.contains(lat: 10, lon: 10))
        #expect(square.contains(lat: 10, lon: 0))
    }

    @Test func pointOnSlantedEdgeIsInside() {
        let triangle = GeoGeometry(polygon: [ring([(121.40, 31.20), (121.50, 31.20), (121.40, 31.30)])])
        #expect(triangle.contains(lat: 31.25, lon: 121.45))
        #expect(!triangle.contains(lat: 31.2501, lon: 121.4501))
    }

    @Test func concavePolygon() {
        // A U shape: two arms joined at the bottom, open to the north.
        let u = GeoGeometry(polygon: [ring([(0, 0), (9, 0), (9, 9), (6, 9), (6, 3), (3, 3), (3, 9), (0, 9)])])
        #expect(u.contains(lat: 6, lon: 1.5))
        #expect(u.contains(lat: 6, lon: 7.5))
        #expect(u.contains(lat: 1, lon: 4.5))
        #expect(!u.contains(lat: 6, lon: 4.5))
        #expect(!u.contains(lat: 8.99, lon: 4.5))
        #expect(u.contains(lat: 3, lon: 4.5))
    }

    @Test func holeExcludesItsInteriorButNotItsEdge() {
        let donut = GeoGeometry(polygon: [
            ring([(0, 0), (10, 0), (10, 10), (0, 10)]),
            ring([(4, 4), (6, 4), (6, 6), (4, 6)]),
        ])
        #expect(!donut.contains(lat: 5, lon: 5))
        #expect(donut.contains(lat: 2, lon: 2))
        #expect(donut.contains(lat: 4, lon: 5))
        #expect(donut.contains(lat: 4, lon: 4))
    }

    @Test func multiPolygonContainsPointsOfEitherPart() throws {
        let g = try decode(#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]}"#)
        #expect(g.contains(lat: 0.5, lon: 0.5))
        #expect(g.contains(lat: 5.5, lon: 5.5))
        #expect(!g.contains(lat: 3, lon: 3))
    }

    @Test func boundingBoxHoldsEveryPosition() throws {
        let g = try decode(#"{"type":"Polygon","coordinates":[[[121.4,31.2],[121.6,31.25],[121.5,31.3],[121.4,31.2]]]}"#)
        #expect(g.boundingBox == BoundingBox(minLat: 31.2, minLon: 121.4, maxLat: 31.3, maxLon: 121.6))
        #expect(try decode(#"{"type":"MultiPolygon","coordinates":[]}"#).boundingBox == nil)
    }
}

@Suite struct BoundingBoxTests {
    @Test func parsesLonLatOrder() throws {
        let box = try BoundingBox(parsing: "121.4,31.2,121.5,31.3")
        #expect(box == BoundingBox(minLat: 31.2, minLon: 121.4, maxLat: 31.3, maxLon: 121.5))
    }

    @Test func toleratesSpacesAroundNumbers() throws {
        #expect(try BoundingBox(parsing: " -1 , -2 ,3, 4 ") == BoundingBox(minLat: -2, minLon: -1, maxLat: 4, maxLon: 3))
    }

    @Test(arguments: ["", "1,2,3", "1,2,3,4,5", "a,2,3,4", "1,,3,4", "1;2;3;4"])
    func rejectsAnythingButFourNumbers(_ text: String) {
        #expect(throws: ValidationError(field: "bbox", "must be four numbers: minLon,minLat,maxLon,maxLat")) {
            try BoundingBox(parsing: text)
        }
    }

    @Test(arguments: ["0,91,1,92", "0,-91,1,0", "-181,0,0,1", "0,0,181,1", "nan,0,1,1", "0,0,inf,1"])
    func rejectsCoordinatesOutOfRange(_ text: String) {
        #expect(throws: ValidationError(field: "bbox", "coordinates out of range (lon -180...180, lat -90...90)")) {
            try BoundingBox(parsing: text)
        }
    }

    @Test(arguments: ["2,0,1,1", "0,2,1,1"])
    func rejectsMinimumAboveMaximum(_ text: String) {
        #expect(throws: ValidationError(field: "bbox", "minimum must not exceed maximum")) {
            try BoundingBox(parsing: text)
        }
    }

    @Test func containsIsInclusive() {
        let box = BoundingBox(minLat: 0, minLon: 0, maxLat: 1, maxLon: 1)
        #expect(box.contains(lat: 0, lon: 0))
        #expect(box.contains(lat: 1, lon: 1))
        #expect(box.contains(lat: 0.5, lon: 0.5))
        #expect(!box.contains(lat: 1.01, lon: 0.5))
        #expect(!box.contains(lat: 0.5, lon: -0.01))
    }
}

@Suite struct PreparedGeometryTests {
    static func square(_ lon: Double, _ lat: Double, _ size: Double) -> [GeoGeometry.Position] {
        [(0, 0), (size, 0), (size, size), (0, size), (0, 0)].map { GeoGeometry.Position(lon: lon + $0.0, lat: lat + $0.1) }
    }

    @Test func changedRingsAreQueriedAsChangedAndEqualityIgnoresThePreparation() {
        var geometry = GeoGeometry(polygon: [Self.square(10, 50, 1)])
        #expect(geometry.contains(lat: 50.5, lon: 10.5))
        geometry.polygons = [[Self.square(20, 50, 1)]]
        #expect(!geometry.contains(lat: 50.5, lon: 10.5))
        #expect(geometry.contains(lat: 50.5, lon: 20.5))
        #expect(geometry == GeoGeometry(polygon: [Self.square(20, 50, 1)]))
        #expect(Set([geometry, GeoGeometry(polygon: [Self.square(20, 50, 1)])]).count == 1)
    }

    @Test func aBoundaryAcrossTheAntimeridianIsReadTheShortWay() {
        let fiji = GeoGeometry(polygon: [[(178.0, -16.0), (-178, -16), (-178, -20), (178, -20), (178, -16)].map { GeoGeometry.Position(lon: $0.0, lat: $0.1) }])
        #expect(fiji.contains(lat: -18, lon: 179.5))
        #expect(fiji.contains(lat: -18, lon: -179.5))
        #expect(!fiji.contains(lat: -18, lon: 0))
    }

    @Test func aLargeRingAnswersLikeTheDefinition() {
        // A 2,000-vertex star: every answer agrees with ray casting over all edges.
        let ring = (0...2000).map { i -> GeoGeometry.Position in
            let angle = Double(i % 2000) / 2000 * 2 * .pi, r = i % 2 == 0 ? 1.0 : 0.4
            return GeoGeometry.Position(lon: 13 + r * cos(angle), lat: 52 + r * sin(angle))
        }
        let geometry = GeoGeometry(polygon: [ring])
        var random = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let lat = 52 + random.double(in: -1.1...1.1), lon = 13 + random.double(in: -1.1...1.1)
            var inside = false
            for i in 1..<ring.count {
                let a = ring[i - 1], b = ring[i]
                if (a.lat > lat) != (b.lat > lat), lon < a.lon + (lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat) { inside.toggle() }
            }
            #expect(geometry.contains(lat: lat, lon: lon) == inside, "\(lat), \(lon)")
        }
    }
}
