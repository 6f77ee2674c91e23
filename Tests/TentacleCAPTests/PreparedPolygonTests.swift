import Foundation
@testable import TentacleCAP
import TentacleCore
import Testing

private func ring(_ pairs: [(Double, Double)]) -> [CAPPoint] {
    pairs.map { CAPPoint(lat: $0.0, lon: $0.1) }
}

/// Every edge checked, in the most direct way: the reference the index must agree with.
/// Flat buffers keep it quick in debug builds.
private func bruteForceContains(lats: [Double], lons: [Double], lat y: Double, lon x: Double) -> Bool {
    let t = PreparedPolygon.boundaryTolerance
    var inside = false
    return lats.withUnsafeBufferPointer { lat in
        lons.withUnsafeBufferPointer { lon in
            for i in 0..<(lat.count - 1) {
                let ay = lat[i], by = lat[i + 1], ax = lon[i], bx = lon[i + 1]
                if min(ay, by) - t <= y, y <= max(ay, by) + t, min(ax, bx) - t <= x, x <= max(ax, bx) + t,
                   PreparedPolygon.distanceSquared(x, y, ax, ay, bx, by) <= t * t {
                    return true
                }
                if (ay > y) != (by > y), x < ax + (y - ay) * (bx - ax) / (by - ay) { inside.toggle() }
            }
            return inside
        }
    }
}

@Suite struct PreparedPolygonTests {
    private let square = PreparedPolygon(ring([(10, 20), (10, 21), (11, 21), (11, 20), (10, 20)]))

    @Test func verticesAndEdgesAreInside() {
        for (lat, lon) in [(10.0, 20.0), (10, 21), (11, 21), (11, 20)] {
            #expect(square.contains(lat: lat, lon: lon), "vertex \(lat),\(lon)")
        }
        for (lat, lon) in [(10.0, 20.5), (10.5, 21), (11, 20.25), (10.75, 20)] {
            #expect(square.contains(lat: lat, lon: lon), "edge \(lat),\(lon)")
        }
        #expect(square.contains(lat: 10.5, lon: 20.5))
    }

    @Test func pointsJustOutsideAreOutside() {
        for (lat, lon) in [(9.999999, 20.5), (10.5, 21.000001), (11.000001, 20.5), (10.5, 19.999999), (11.000001, 21.000001)] {
            #expect(!square.contains(lat: lat, lon: lon), "\(lat),\(lon)")
        }
        #expect(!square.contains(lat: 10.5, lon: 200.5))
    }

    @Test func concaveNotchIsOutsideButItsEdgesInside() {
        let u = PreparedPolygon(ring([(0, 0), (0, 3), (3, 3), (3, 2), (1, 2), (1, 1), (3, 1), (3, 0), (0, 0)]))
        #expect(!u.contains(lat: 2, lon: 1.5))
        #expect(u.contains(lat: 1.5, lon: 1))
        #expect(u.contains(lat: 2, lon: 2))
        #expect(u.contains(lat: 2, lon: 0.5))
        #expect(!u.contains(lat: 3, lon: 1.5))
    }

    @Test func openRingIsClosedImplicitly() {
        let open = PreparedPolygon(ring([(10, 20), (10, 21), (11, 21), (11, 20)]))
        #expect(open.contains(lat: 10.5, lon: 20))
        #expect(open.contains(lat: 10.5, lon: 20.5))
    }

    @Test func degenerateRings() {
        #expect(!PreparedPolygon([]).contains(lat: 0, lon: 0))
        let point = PreparedPolygon(ring([(5, 5)]))
        #expect(point.contains(lat: 5, lon: 5))
        #expect(!point.contains(lat: 5, lon: 5.001))
    }

    @Test func ringAcrossTheAntimeridian() {
        let fiji = PreparedPolygon(ring([(-16, 178), (-16, -178), (-20, -178), (-20, 178), (-16, 178)]))
        #expect(fiji.crossesAntimeridian)
        #expect(!fiji.windsAroundPole)
        for lon in [179.5, -179.5, 180, -180, 178, -178] {
            #expect(fiji.contains(lat: -18, lon: lon), "\(lon)")
        }
        #expect(fiji.contains(lat: -16, lon: 180))
        for lon in [0.0, 177.9, -177.9, 90] {
            #expect(!fiji.contains(lat: -18, lon: lon), "\(lon)")
        }
        let fromTheWest = PreparedPolygon(ring([(-16, -178), (-20, -178), (-20, 178), (-16, 178), (-16, -178)]))
        #expect(fromTheWest.contains(lat: -18, lon: 179.5))
        #expect(fromTheWest.contains(lat: -18, lon: -179.5))
        #expect(!fromTheWest.contains(lat: -18, lon: 0))
    }

    @Test func ringAroundAPoleIsFlagged() {
        #expect(PreparedPolygon(ring([(80, 0), (80, 120), (80, -120), (80, 0)])).windsAroundPole)
        #expect(!square.windsAroundPole && !square.crossesAntimeridian)
    }

    /// A wavy, jagged ring of 100,000 vertices around (45, 10), about 2 degrees across.
    private static func bigRing(count: Int, random: inout SplitMix64) -> [CAPPoint] {
        var points: [CAPPoint] = []
        for i in 0..<count {
            let angle = 2 * Double.pi * Double(i) / Double(count)
            let radius = 1 + 0.3 * sin(7 * angle) + 0.05 * Double.random(in: -1...1, using: &random)
            points.append(CAPPoint(lat: 45 + radius * sin(angle), lon: 10 + radius * cos(angle)))
        }
        return points + [points[0]]
    }

    @Test func hundredThousandPointRingAgreesWithBruteForce() {
        var random = SplitMix64(seed: 7)
        let points = Self.bigRing(count: 100_000, random: &random)
        let prepared = PreparedPolygon(points)
        let lats = points.map(\.lat), lons = points.map(\.lon)
        var queries: [CAPPoint] = []
        for _ in 0..<120 {
            queries.append(CAPPoint(lat: Double.random(in: 43.5...46.5, using: &random), lon: Double.random(in: 8.5...11.5, using: &random)))
        }
        // Near the boundary, where the answers are hardest.
        for _ in 0..<120 {
            let p = points[Int.random(in: 0..<points.count, using: &random)]
            queries.append(CAPPoint(lat: p.lat + Double.random(in: -1e-3...1e-3, using: &random), lon: p.lon + Double.random(in: -1e-3...1e-3, using: &random)))
        }
        let expected = queries.map { bruteForceContains(lats: lats, lons: lons, lat: $0.lat, lon: $0.lon) }
        let disagreements = zip(queries, expected).filter { prepared.contains(lat: $0.lat, lon: $0.lon) != $1 }.map(\.0)
        #expect(disagreements.isEmpty)
        #expect((60...180).contains(expected.filter { $0 }.count))
        var boundaryMisses: [CAPPoint] = []
        for _ in 0..<1000 {
            let i = Int.random(in: 0..<(points.count - 1), using: &random)
            let a = points[i], b = points[i + 1]
            for p in [a, CAPPoint(lat: (a.lat + b.lat) / 2, lon: (a.lon + b.lon) / 2)] where !prepared.contains(lat: p.lat, lon: p.lon) {
                boundaryMisses.append(p)
            }
        }
        #expect(boundaryMisses.isEmpty)
    }
}
