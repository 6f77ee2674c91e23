import Foundation
import TentacleCAP
import TentacleCore
import Testing

private func display(_ id: String, lat: Double, lon: Double, district: String = "elsewhere") -> Display {
    Display(
        id: id, name: id, width: 192, height: 96, lat: lat, lon: lon, district: district, timezone: "UTC",
        createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0)
    )
}

@Suite struct AlertCandidateMappingTests {
    @Test func updateBecomesOneCandidateWithItsCircle() throws {
        let alert = try CAP.parse(try CAPSamples.data(CAPSamples.updateAppendix))
        let candidates = alert.candidates()
        #expect(candidates == [
            AlertCandidate(
                id: "TRI13970876.2", severity: .minor, sent: alert.sent, expires: nil,
                target: Target(circle: GeoCircle(lat: 32.9525, lon: -115.5527, radiusMeters: 0))
            )
        ])
    }

    @Test func languageBlocksWithTheSameAreaCollapse() throws {
        let alert = try CAP.parse(try CAPSamples.data(CAPSamples.multilingualMO))
        let candidates = alert.candidates()
        #expect(candidates.count == 1)
        #expect(candidates.first?.severity == .moderate)
        #expect(candidates.first?.target.polygon?.polygons.first?.first?.count == 63)
    }

    @Test func expiresComesFromTheInfoBlock() throws {
        let alert = try CAP.parse(try CAPSamples.data(CAPSamples.polygonKZ))
        let candidate = try #require(alert.candidates().first)
        #expect(candidate.expires == alert.infos[0].expires)
        #expect(candidate.isActive(at: alert.sent))
        #expect(!candidate.isActive(at: alert.infos[0].expires!))
    }

    @Test func geocodesBecomeDistricts() throws {
        let alert = try CAP.parse(try CAPSamples.data(CAPSamples.geocodeIE))
        #expect(alert.candidates().isEmpty)
        let table = GeocodeTable(["EMMA_ID": ["EI807": "howth", "EI806": "strangford", "EI808": "howth"]])
        #expect(alert.candidates(geocodes: table).map(\.target) == [Target(districts: ["howth", "strangford"])])
        #expect(alert.infos[0].areas[0].districts(in: table) == ["howth", "strangford"])
    }

    @Test func cancelShowsNothing() throws {
        #expect(try CAP.parse(try CAPSamples.data(CAPSamples.cancelIPAWS)).candidates().isEmpty)
        let cancel = TestDocuments.header.replacingOccurrences(of: "<msgType>Alert</msgType>", with: "<msgType>Cancel</msgType>")
        #expect(try CAP.parse(TestDocuments.alert(cancel)).candidates().isEmpty)
    }

    @Test func eachFurtherCircleGetsItsOwnCandidate() throws {
        let circles = "<circle>10,20 1</circle><circle>30,40 2</circle><circle>50,60 3</circle>"
        let alert = try CAP.parse(TestDocuments.withArea(TestDocuments.square + circles))
        let targets = alert.candidates().map(\.target)
        #expect(targets.count == 3)
        #expect(targets[0].polygon != nil && targets[0].circle?.radiusMeters == 1000)
        #expect(targets[1] == Target(circle: GeoCircle(lat: 30, lon: 40, radiusMeters: 2000)))
        #expect(targets[2].circle?.lat == 50)
        #expect(Set(alert.candidates().map(\.id)) == ["test-1"])
    }

    @Test func blockWithoutAreasTargetsNothing() throws {
        let alert = try CAP.parse(TestDocuments.alert(infos: [TestDocuments.info(areas: [])]))
        #expect(alert.candidates().isEmpty)
        #expect(!alert.covers(lat: 10.5, lon: 20.5))
    }

    @Test func antimeridianPolygonReachesBothSides() throws {
        let alert = try CAP.parse(TestDocuments.withArea("<polygon>-16,178 -16,-178 -20,-178 -20,178 -16,178</polygon>"))
        let target = try #require(alert.candidates().first?.target)
        #expect(target.polygon?.polygons.count == 2)
        for (lon, inside) in [(179.5, true), (-179.5, true), (180, true), (-180, true), (0, false), (170, false), (-170, false)] {
            #expect(target.matches(display("d", lat: -18, lon: lon)) == inside, "\(lon)")
            #expect(alert.covers(lat: -18, lon: lon) == inside, "\(lon)")
        }
    }

    @Test func eachInfoKeepsItsSeverity() throws {
        let severe = TestDocuments.infoFields.replacingOccurrences(of: "Extreme", with: "Severe")
        let alert = try CAP.parse(TestDocuments.alert(infos: [TestDocuments.info(severe), TestDocuments.info()]))
        #expect(alert.candidates().map(\.severity) == [.severe, .extreme])
    }
}
