import Foundation
import TentacleCAP
import TentacleCore
import Testing

@Suite struct CAPValueParsingTests {
    private func parse(_ bytes: [UInt8]) throws -> CAPAlert {
        try CAP.parse(bytes)
    }

    private func sent(_ text: String) throws -> Date {
        let header = TestDocuments.header.replacingOccurrences(of: "2026-05-04T10:15:00+02:00", with: text)
        return try parse(TestDocuments.alert(header)).sent
    }

    @Test func timesHonourTheirOffsets() throws {
        let instant = Date(timeIntervalSince1970: 1_055_388_600)  // 2003-06-12T03:30:00Z
        #expect(try sent("2003-06-11T20:30:00-07:00") == instant)
        #expect(try sent("2003-06-12T03:30:00-00:00") == instant)
        #expect(try sent("2003-06-12T03:30:00+00:00") == instant)
        #expect(try sent("2003-06-12T09:00:00+05:30") == instant)
        #expect(try sent("2003-06-12T03:30:00Z") == instant)
        #expect(try sent("2003-06-12T03:30:00.250Z") == instant.addingTimeInterval(0.25))
        #expect(try sent("2024-02-29T00:00:00+00:00") == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(try sent("1969-12-31T23:59:59+00:00") == Date(timeIntervalSince1970: -1))
    }

    @Test func elementsInAnyOrderAreRead() throws {
        let header = TestDocuments.header.split(separator: "\n").reversed().joined()
        let fields = TestDocuments.infoFields.split(separator: "\n").reversed().joined()
        let alert = try parse(TestDocuments.alert(header, infos: ["<info>\(TestDocuments.area())\(fields)</info>"]))
        #expect(alert.identifier == "test-1")
        #expect(alert.infos.first?.severity == .extreme)
        #expect(alert.infos.first?.areas.first?.polygons.count == 1)
    }

    @Test func foreignElementsAreSkippedAndUnprefixedChildrenRead() throws {
        let foreign = #"<x:ext xmlns:x="urn:example:vendor"><identifier>not-this</identifier><x:deep/></x:ext>"#
        let alert = try parse(TestDocuments.alert(TestDocuments.header + foreign, infos: [TestDocuments.info(TestDocuments.infoFields + foreign)]))
        #expect(alert.identifier == "test-1")
        let prefixed = """
            <cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">\(TestDocuments.header)<cap:info>\(TestDocuments.infoFields)</cap:info></cap:alert>
            """
        let read = try parse(Array(prefixed.utf8))
        #expect(read.identifier == "test-1" && read.infos.count == 1)
    }

    @Test func defaultsAndOptionalTexts() throws {
        let fields = TestDocuments.infoFields + "<language></language><headline>  Leak at pier 4 \n</headline><instruction/>"
        let info = try #require(try parse(TestDocuments.alert(infos: [TestDocuments.info(fields)])).infos.first)
        #expect(info.language == "en-US")
        #expect(info.headline == "Leak at pier 4")
        #expect(info.instruction == nil)
        #expect(info.expires == nil)
    }

    @Test func legacyVeryLikelyReadsAsLikely() throws {
        let fields = TestDocuments.infoFields.replacingOccurrences(of: "Observed", with: "Very Likely")
        #expect(try parse(TestDocuments.alert(infos: [TestDocuments.info(fields)])).infos.first?.certainty == .likely)
    }

    @Test func textDecodesEntitiesAndCDATA() throws {
        let header = TestDocuments.header + "<note>Pier &amp; quay &#x2192; <![CDATA[<closed>]]></note>"
        #expect(try parse(TestDocuments.alert(header)).note == "Pier & quay → <closed>")
    }

    @Test func referencesListSeveralTriples() throws {
        let references = "<references>a@x,one,2026-05-04T09:00:00+02:00\n\tb@y,two,2026-05-04T09:30:00-00:00</references>"
        let alert = try parse(TestDocuments.alert(TestDocuments.header + references))
        #expect(alert.references.map(\.identifier) == ["one", "two"])
        #expect(alert.references[1].sent == Date(timeIntervalSince1970: 1_777_887_000))
        let original = try parse(TestDocuments.alert())
        #expect(CAPReference(sender: "alerts@city.example", identifier: "test-1", sent: original.sent).refers(to: original))
    }

    @Test func areasHoldSeveralShapesAndResources() throws {
        let geometry = TestDocuments.square + "<circle>10.5,20.5 1.5</circle><circle>0,0 0</circle>"
            + "<geocode><valueName>SAME</valueName><value>006037</value></geocode><altitude>100</altitude><ceiling>2000.5</ceiling>"
        let resource = "<resource><resourceDesc>map</resourceDesc><mimeType>image/png</mimeType><size>2048</size><uri>https://city.example/map.png</uri></resource>"
        let info = TestDocuments.info(TestDocuments.infoFields + resource, areas: [TestDocuments.area(geometry), TestDocuments.area(description: "Docks")])
        let alert = try parse(TestDocuments.alert(infos: [info, info]))
        #expect(alert.infos.count == 2)
        let area = try #require(alert.infos.first?.areas.first)
        #expect(area.circles.map(\.radiusKm) == [1.5, 0])
        #expect(area.geocodes == [CAPNamedValue(valueName: "SAME", value: "006037")])
        #expect(area.altitude == 100 && area.ceiling == 2000.5)
        #expect(alert.infos[0].areas.map(\.areaDesc) == ["Harbour", "Docks"])
        #expect(alert.infos[0].resources == [CAPResource(resourceDesc: "map", mimeType: "image/png", size: 2048, uri: "https://city.example/map.png")])
    }

    @Test func dataAndBytesParseAlike() throws {
        let bytes = TestDocuments.alert()
        #expect(try CAP.parse(Data(bytes)) == (try CAP.parse(bytes)))
    }
}
