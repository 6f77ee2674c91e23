import Foundation
import Testing
import TentacleCore

private typealias P = GeoGeometry.Position


/// A U open to the north: the square (0,0)-(3,3) in lon/lat with the notch (1,1)-(2,3) cut out.
private let uShape = GeoGeometry(polygon: [[
    P(lon: 0, lat: 0), P(lon: 3, lat: 0), P(lon: 3, lat: 3), P(lon: 2, lat: 3), P(lon: 2, lat: 1),
    P(lon: 1, lat: 1), P(lon: 1, lat: 3), P(lon: 0, lat: 3), P(lon: 0, lat: 0),
]])

@Suite struct TargetTests {
    @Test func matchesByCodes() {
        let d = Fixture.display("pole-7", district: "harbor", groups: ["bus-stops"], tags: ["outdoor", "large"])
        #expect(Target(displayIds: ["pole-7"]).matches(d))
        #expect(Target(districts: ["harbor"]).matches(d))
        #expect(Target(groups: ["bus-stops"]).matches(d))
        #expect(Target(tags: ["large"]).matches(d))
        #expect(!Target(displayIds: ["pole-8"]).matches(d))
        #expect(!Target(districts: ["north"]).matches(d))
        #expect(!Target(groups: ["light-poles"]).matches(d))
        #expect(!Target(tags: ["indoor"]).matches(d))
    }

    @Test func criteriaAreAUnion() {
        let d = Fixture.display("pole-7", district: "harbor", groups: ["bus-stops"])
        let target = Target(displayIds: ["other"], groups: ["light-poles"], districts: ["harbor"])
        #expect(target.matches(d))
        #expect(Target(groups: ["light-poles", "bus-stops"]).matches(d))
    }

    @Test func emptyTargetMatchesNothing() {
        #expect(Target().isEmpty)
        #expect(!Target().matches(Fixture.display()))
    }

    @Test func circleUsesHaversineDistance() {
        let center = GeoCircle(lat: 31.2, lon: 121.4, radiusMeters: 1000)
        // One metre of latitude is 180 / (pi * R) degrees on the sphere.
        let degreesPerMetre = 180 / (Double.pi * GeoCircle.earthRadiusMeters)
        #expect(Target(circle: center).matches(Fixture.display(lat: 31.2, lon: 121.4)))
        #expect(Target(circle: center).matches(Fixture.display(lat: 31.2 + 999 * degreesPerMetre, lon: 121.4)))
        #expect(!Target(circle: center).matches(Fixture.display(lat: 31.2 + 1001 * degreesPerMetre, lon: 121.4)))
        #expect(!Target(circle: center).matches(Fixture.display(lat: 31.3, lon: 121.4)))
        let distance = GeoCircle.distanceMeters(lat1: 52.52, lon1: 13.40, lat2: 48.8566, lon2: 2.3522)
        #expect(abs(distance - 877_500) < 1000)
    }

    @Test func circleBoundingBoxHoldsTheCircle() {
        for lat in [0.0, 31.2, 60.0, -45.0] {
            let circle = GeoCircle(lat: lat, lon: 10, radiusMeters: 5000)
            let box = circle.boundingBox
            for bearing in stride(from: 0.0, to: 360, by: 5) {
                // A point just inside the circle at this bearing (flat approximation, then checked exactly).
                let b = bearing * .pi / 180
                let dLat = 4990 * cos(b) / GeoCircle.earthRadiusMeters * 180 / .pi
                let dLon = 4990 * sin(b) / GeoCircle.earthRadiusMeters * 180 / .pi / cos(lat * .pi / 180)
                if circle.contains(lat: lat + dLat, lon: 10 + dLon) {
                    #expect(box.contains(lat: lat + dLat, lon: 10 + dLon))
                }
            }
        }
        #expect(GeoCircle(lat: 89.99, lon: 0, radiusMeters: 5000).boundingBox.minLon == -180)
        #expect(GeoCircle(lat: 0, lon: 179.99, radiusMeters: 5000).boundingBox.maxLon == 180)
    }

    @Test func concavePolygonExcludesTheNotch() {
        let target = Target(polygon: uShape)
        #expect(target.matches(Fixture.display(lat: 0.5, lon: 1.5)))
        #expect(target.matches(Fixture.display(lat: 2, lon: 0.5)))
        #expect(target.matches(Fixture.display(lat: 2, lon: 2.5)))
        #expect(!target.matches(Fixture.display(lat: 2, lon: 1.5)))
        #expect(!target.matches(Fixture.display(lat: 4, lon: 1.5)))
    }

    @Test func edgesAndVerticesAreInside() {
        let target = Target(polygon: uShape)
        #expect(target.matches(Fixture.display(lat: 0, lon: 1.5)))
        #expect(target.matches(Fixture.display(lat: 2, lon: 1)))
        #expect(target.matches(Fixture.display(lat: 1, lon: 1.5)))
        #expect(target.matches(Fixture.display(lat: 3, lon: 3)))
        #expect(target.matches(Fixture.display(lat: 1, lon: 2)))
        #expect(target.matches(Fixture.display(lat: 0, lon: 0)))
    }

    @Test func decodesWithAbsentListsAsEmpty() throws {
        let target = try JSONDecoder().decode(Target.self, from: Data(#"{"districts":["north"],"circle":{"lat":1,"lon":2,"radiusMeters":300}}"#.utf8))
        #expect(target == Target(districts: ["north"], circle: GeoCircle(lat: 1, lon: 2, radiusMeters: 300)))
        #expect(try JSONDecoder().decode(Target.self, from: Data("{}".utf8)).isEmpty)
    }

    @Test func validationNamesFields() {
        let open = GeoGeometry(polygon: [[P(lon: 0, lat: 0), P(lon: 1, lat: 0), P(lon: 1, lat: 1), P(lon: 0, lat: 1)]])
        let target = Target(
            displayIds: ["Bad Id"], groups: ["ok", "ok"], tags: [String(repeating: "t", count: 33)], districts: ["north"],
            polygon: open, circle: GeoCircle(lat: 91, lon: -181, radiusMeters: 0))
        let fields = target.issues().map(\.field)
        #expect(fields.contains("target.displayIds[0]"))
        #expect(fields.contains("target.groups"))
        #expect(fields.contains("target.tags[0]"))
        #expect(fields.contains("target.polygon.coordinates[0]"))
        #expect(fields.contains("target.circle.lat"))
        #expect(fields.contains("target.circle.lon"))
        #expect(fields.contains("target.circle.radiusMeters"))
        #expect(!fields.contains { $0.hasPrefix("target.districts") })
        #expect(GeoCircle(lat: 0, lon: 0, radiusMeters: 100_000).issues(field: "c").isEmpty)
        #expect(GeoCircle(lat: 0, lon: 0, radiusMeters: 100_001).issues(field: "c").map(\.field) == ["c.radiusMeters"])
        #expect(GeoCircle(lat: 0, lon: 0, radiusMeters: .nan).issues(field: "c").map(\.field) == ["c.radiusMeters"])
        #expect(Target(districts: ["north"], polygon: uShape).issues().isEmpty)
    }
}
