import Foundation
@testable import TentacleCAP
import Testing

/// What real agencies send that the parser mends instead of refusing, and the limits alert intake uses.
struct CAPRepairTests {
    static func parse(_ bytes: [UInt8], limits: CAPLimits = .default) throws -> CAPAlert {
        try CAP.parse(bytes, limits: limits)
    }

    @Test(arguments: ["<polygon/>", "<polygon></polygon>", "<polygon>  \n\t </polygon>"])
    func anEmptyPolygonBesideGeocodesAddsNoGeometryAndNoError(_ empty: String) throws {
        let geocode = "<geocode><valueName>tentacle-district</valueName><value>harbor</value></geocode>"
        let alert = try Self.parse(TestDocuments.withArea(empty + geocode + empty))
        let area = try #require(alert.infos.first?.areas.first)
        #expect(area.polygons.isEmpty)
        #expect(area.geocodes.count == 1)
        #expect(alert.repairs.map(\.description) == [
            "alert.info[0].area[0].polygon[0]: empty polygon ignored", "alert.info[0].area[0].polygon[1]: empty polygon ignored",
        ])
        let table = GeocodeTable(["tentacle-district": ["harbor": "harbor"]])
        #expect(alert.covers(lat: 0, lon: 0, district: "harbor", geocodes: table))
        #expect(!alert.covers(lat: 0, lon: 0, district: "north", geocodes: table))
    }

    @Test func aRingDrawnPastTheAntimeridianIsWrappedAndCoversBothSides() throws {
        let east = try Self.parse(TestDocuments.withArea("<polygon>-16,178 -16,182 -20,182 -20,178 -16,178</polygon>"))
        let west = try Self.parse(TestDocuments.withArea("<polygon>-16,-182 -16,-178 -20,-178 -20,-182 -16,-182</polygon>"))
        for alert in [east, west] {
            #expect(alert.repairs.map(\.note) == ["longitudes past ±180 wrapped into -180...180"])
            let polygon = try #require(alert.infos.first?.areas.first?.polygons.first)
            #expect(polygon.points.allSatisfy { (-180...180).contains($0.lon) })
            for (lon, inside) in [(179.0, true), (-179.0, true), (180.0, true), (-178.5, true), (177.0, false), (-177.0, false), (0.0, false)] {
                #expect(alert.covers(lat: -18, lon: lon) == inside, "lon \(lon)")
            }
        }
    }

    @Test func aRingPastTheAntimeridianWithAnEdgeOfHalfTheGlobeIsRefusedAsAmbiguous() {
        #expect(throws: CAPError.self) { try Self.parse(TestDocuments.withArea("<polygon>-16,10 -16,190 -20,190 -20,10 -16,10</polygon>")) }
        let error = try? #require(throws: CAPError.self) {
            try Self.parse(TestDocuments.withArea("<polygon>-16,10 -16,190 -20,190 -20,10 -16,10</polygon>"))
        }
        #expect(error?.reason.contains("ambiguous") == true, "\(String(describing: error))")
        // Beyond one turn past ±180 is no longitude at all.
        #expect(throws: CAPError.self) { try Self.parse(TestDocuments.withArea("<polygon>-16,378 -16,379 -20,379 -16,378</polygon>")) }
    }

    @Test func aWellFormedDocumentHasNoRepairs() throws {
        #expect(try Self.parse(TestDocuments.withArea(TestDocuments.square)).repairs.isEmpty)
    }

    /// A warning the size real weather services send: one polygon of 80,000 points, about 1.9 MB.
    static func hugeWarning(points: Int = 80_000) -> [UInt8] {
        var ring: [String] = []
        ring.reserveCapacity(points + 1)
        for i in 0..<points {
            let angle = Double(i) / Double(points) * 2 * .pi
            ring.append(String(format: "%.6f,%.6f", 31.2 + 0.1 * sin(angle), 121.45 + 0.1 * cos(angle)))
        }
        ring.append(ring[0])
        return TestDocuments.withArea("<polygon>\(ring.joined(separator: " "))</polygon>")
    }

    @Test func alertIntakeTakesDocumentsAboveOneMebibyteThatTheDefaultLimitsRefuse() throws {
        let document = Self.hugeWarning()
        #expect(document.count > 1_500_000)
        #expect(throws: CAPError.self) { try Self.parse(document) }
        let alert = try Self.parse(document, limits: .intake())
        let polygon = try #require(alert.infos.first?.areas.first?.polygons.first)
        #expect(polygon.points.count == 80_001)
        #expect(alert.covers(lat: 31.2, lon: 121.45))
        #expect(!alert.covers(lat: 31.4, lon: 121.45))
        #expect(throws: CAPError.self) { try Self.parse(document, limits: .intake(maxBytes: 1 << 20)) }
    }
}
