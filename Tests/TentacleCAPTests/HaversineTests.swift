import TentacleCAP
import Testing

private let radius = 6_371_008.8

@Suite struct HaversineTests {
    private func distance(_ a: (Double, Double), _ b: (Double, Double)) -> Double {
        CAPCircle.distanceMeters(from: CAPPoint(lat: a.0, lon: a.1), to: CAPPoint(lat: b.0, lon: b.1))
    }

    @Test func arcsOfKnownLength() {
        #expect(abs(distance((0, 0), (1, 0)) - radius * .pi / 180) < 1e-6)
        #expect(abs(distance((0, 0), (90, 0)) - radius * .pi / 2) < 1e-6)
        #expect(abs(distance((0, 0), (0, 180)) - radius * .pi) < 1e-6)
        #expect(abs(distance((0, 179.5), (0, -179.5)) - radius * .pi / 180) < 1e-6)
        #expect(distance((32.9525, -115.5527), (32.9525, -115.5527)) == 0)
    }

    /// Nashville BNA to Los Angeles LAX is 2887.2599506071106 km on a 6372.8 km sphere (the classic
    /// haversine worked example); on the mean-radius sphere it scales with the radius.
    @Test func nashvilleToLosAngeles() {
        let expected = 2_887_259.9506071106 * radius / 6_372_800
        #expect(abs(distance((36.12, -86.67), (33.94, -118.40)) - expected) < 1e-3)
    }

    @Test func circlesIncludeTheirRim() {
        let oneDegree = CAPCircle(center: CAPPoint(lat: 0, lon: 0), radiusKm: radius * .pi / 180 / 1000 + 1e-9)
        #expect(oneDegree.contains(lat: 1, lon: 0))
        #expect(oneDegree.contains(lat: 0, lon: -1))
        #expect(!oneDegree.contains(lat: 1.001, lon: 0))
        let dateLine = CAPCircle(center: CAPPoint(lat: 0, lon: 180), radiusKm: 120)
        #expect(dateLine.contains(lat: 0, lon: -179.5))
        #expect(dateLine.contains(lat: 0.5, lon: 179.5))
        let point = CAPCircle(center: CAPPoint(lat: 10, lon: 20), radiusKm: 0)
        #expect(point.contains(lat: 10, lon: 20))
        #expect(!point.contains(lat: 10, lon: 20.000001))
    }
}
