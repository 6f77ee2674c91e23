import Foundation
import TentacleCAP
import TentacleCore
import Testing

@Suite struct CAPSampleParsingTests {
    private func parse(_ name: String) throws -> CAPAlert {
        try CAP.parse(try CAPSamples.data(name))
    }

    private func date(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    @Test func everySampleParses() throws {
        let names = try CAPSamples.names()
        #expect(names.count >= 6)
        for name in names {
            do {
                let alert = try CAP.parse(try CAPSamples.data(name))
                #expect(!alert.identifier.isEmpty, "\(name)")
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
    }

    @Test func kazakhstanPolygonHas72ClosedPoints() throws {
        let alert = try parse(CAPSamples.polygonKZ)
        #expect(alert.identifier == "2.49.0.0.398.0-20250306-133701-0284797-00-EN")
        #expect(alert.sent == (try date("2025-03-06T13:37:01Z")))
        #expect(alert.status == .actual && alert.msgType == .alert && alert.scope == .public)
        let info = try #require(alert.infos.first)
        #expect(alert.infos.count == 1)
        #expect(info.language == "en-US")
        #expect(info.categories == [.met])
        #expect(info.severity == .moderate && info.urgency == .future && info.certainty == .likely)
        #expect(info.expires == (try date("2025-03-07T16:00:00Z")))
        #expect(info.eventCodes == [CAPNamedValue(valueName: "HMCEVE", value: "216")])
        let area = try #require(info.areas.first)
        let polygon = try #require(area.polygons.first)
        #expect(polygon.points.count == 72)
        #expect(polygon.points.first == polygon.points.last)
        #expect(polygon.points.first == CAPPoint(lat: 49.245, lon: 82.599))
        #expect(area.geocodes == [CAPNamedValue(valueName: "KZSTD", value: "304")])
    }

    @Test func taiwanCircleIsHalfAKilometre() throws {
        let alert = try parse(CAPSamples.circleTW)
        #expect(alert.source == nil)
        let info = try #require(alert.infos.first)
        #expect(info.language == "zh-TW")
        #expect(info.event == "海洋污染")
        #expect(info.categories == [.env])
        #expect(info.parameters == [CAPNamedValue(valueName: "alert_title", value: "")])
        let circle = try #require(info.areas.first?.circles.first)
        #expect(circle.radiusKm == 0.5)
        #expect(circle.center == CAPPoint(lat: 23.8262083333333, lon: 120.185488888889))
        #expect(info.expires == (try date("2025-10-02T00:20:00Z")))
    }

    @Test func irelandAreaHasGeocodesOnly() throws {
        let alert = try parse(CAPSamples.geocodeIE)
        let info = try #require(alert.infos.first)
        #expect(info.language == "en-GB")
        #expect(info.responseTypes == [.monitor])
        #expect(info.instruction == nil)
        #expect(alert.incidents == nil)
        #expect(info.parameters.map(\.valueName) == ["awareness_type", "awareness_level"])
        let area = try #require(info.areas.first)
        #expect(area.polygons.isEmpty && area.circles.isEmpty)
        #expect(area.geocodes.map(\.value) == ["EI807", "EI809", "EI806", "EI808"])
        #expect(Set(area.geocodes.map(\.valueName)) == ["EMMA_ID"])
    }

    @Test func updateReferencesItsPredecessor() throws {
        let alert = try parse(CAPSamples.updateAppendix)
        #expect(alert.msgType == .update)
        #expect(alert.references == [
            CAPReference(sender: "trinet@caltech.edu", identifier: "TRI13970876.1", sent: try date("2003-06-11T20:30:00-07:00"))
        ])
        let info = try #require(alert.infos.first)
        #expect(info.language == "en-US")
        #expect(info.parameters.count == 5)
        let circle = try #require(info.areas.first?.circles.first)
        #expect(circle.radiusKm == 0)
        #expect(circle.center == CAPPoint(lat: 32.9525, lon: -115.5527))
    }

    @Test func cancelWithSignatureAndNoInfo() throws {
        let alert = try parse(CAPSamples.cancelIPAWS)
        #expect(alert.msgType == .cancel)
        #expect(alert.infos.isEmpty)
        #expect(alert.source == "AlertSense")
        #expect(alert.codes == ["IPAWSv1.0"])
        #expect(alert.references.count == 1)
        #expect(alert.references.first?.identifier == "AS-NV-e18921c7-1b35-4a81-9705-42d25c265ddd")
        #expect(alert.references.first?.sent == (try date("2019-04-18T12:02:32-06:00")))
    }

    @Test func macaoHasThreeLanguagesWithWhitespaceSeparatedPairs() throws {
        let alert = try parse(CAPSamples.multilingualMO)
        #expect(alert.infos.map(\.language) == ["zh-mo", "pt-PT", "en-US"])
        #expect(alert.infos.allSatisfy { $0.responseTypes == [.allClear] && $0.urgency == .past })
        #expect(alert.references.first?.identifier == alert.identifier)
        for info in alert.infos {
            let polygon = try #require(info.areas.first?.polygons.first)
            #expect(polygon.points.count == 63)
            #expect(polygon.points.first == CAPPoint(lat: 22.0766, lon: 113.5709))
            #expect(polygon.points.first == polygon.points.last)
        }
        #expect(alert.infos[0].event == "強烈季候風信號")
    }
}
