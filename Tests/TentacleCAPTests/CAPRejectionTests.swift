import Foundation
import TentacleCAP
import Testing

/// The error `parse` throws, or a recorded issue when it accepts the document.
private func refusal(_ bytes: [UInt8], limits: CAPLimits = .default, sourceLocation: SourceLocation = #_sourceLocation) -> CAPError? {
    do {
        _ = try CAP.parse(bytes, limits: limits)
        Issue.record("the document was accepted", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

private func refusal(_ text: String, limits: CAPLimits = .default, sourceLocation: SourceLocation = #_sourceLocation) -> CAPError? {
    refusal(Array(text.utf8), limits: limits, sourceLocation: sourceLocation)
}

@Suite struct CAPRejectionTests {
    // MARK: hostile documents

    @Test func externalEntityIsRefusedBeforeParsing() {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>
            """
        let error = refusal(xml)
        #expect(error?.kind == .forbiddenDeclaration)
        #expect(error?.path == "document")
        #expect(error?.description.contains("DOCTYPE declaration at byte 22") == true)
    }

    @Test func billionLaughsIsRefusedBeforeParsing() {
        var xml = #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">"#
        for level in 1...9 {
            xml += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level == 1 ? "" : String(level - 1));", count: 10) + "\">"
        }
        xml += #"]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><note>&lol9;</note></alert>"#
        #expect(refusal(xml)?.kind == .forbiddenDeclaration)
    }

    @Test func declarationsAreFoundInAnyCaseAndAnywhere() {
        let body = String(decoding: TestDocuments.alert(), as: UTF8.self)
        #expect(refusal("<!doctype alert>" + body)?.kind == .forbiddenDeclaration)
        let inComment = body.replacingOccurrences(of: "<identifier>", with: "<!-- <!EnTiTy x 'y'> --><identifier>")
        #expect(refusal(inComment)?.reason.contains("ENTITY") == true)
    }

    @Test func undeclaredEntityReferenceIsMalformed() {
        let xml = String(decoding: TestDocuments.alert(), as: UTF8.self).replacingOccurrences(of: "Harbour", with: "&harbour;")
        let error = refusal(xml)
        #expect(error?.kind == .malformed)
        #expect(error?.path == "alert.info[0].area[0].areaDesc")
        #expect(error?.reason.contains("not declared") == true)
    }

    @Test func otherEncodingsAreRefused() {
        let utf16 = [UInt8]([0xFF, 0xFE]) + String(decoding: TestDocuments.alert(), as: UTF8.self).utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(refusal(utf16)?.kind == .unsupportedEncoding)
        let declared = TestDocuments.alert(prologue: #"<?xml version="1.0" encoding = 'UTF-16'?>"#)
        let error = refusal(declared)
        #expect(error?.kind == .unsupportedEncoding)
        #expect(error?.reason.contains("UTF-16") == true)
        #expect(refusal("+ADw-alert+AD4-")?.kind == .unsupportedEncoding)
    }

    // MARK: limits

    @Test func oversizeDocumentIsRefused() {
        let padding = "<!--" + String(repeating: " ", count: 1 << 20) + "-->"
        let bytes = TestDocuments.alert() + Array(padding.utf8)
        let error = refusal(bytes)
        #expect(error?.kind == .tooLarge)
        #expect(error?.description == "document: is \(bytes.count) bytes; at most 1048576 are accepted")
        #expect(refusal(TestDocuments.alert(), limits: CAPLimits(maxBytes: 100))?.kind == .tooLarge)
    }

    @Test func deepNestingIsRefusedNamingTheElement() {
        let nest = String(repeating: "<x>", count: 40) + String(repeating: "</x>", count: 40)
        let error = refusal(TestDocuments.alert(infos: [TestDocuments.info(TestDocuments.infoFields + nest)]))
        #expect(error?.kind == .tooDeep)
        #expect(error?.path == "alert.info[0]" + String(repeating: ".x", count: 31))
        #expect(error?.reason == "elements are nested more than 32 deep")
    }

    @Test func deepForeignNestingCountsToo() {
        let nest = String(repeating: #"<s:x xmlns:s="urn:example:sig">"#, count: 40) + String(repeating: "</s:x>", count: 40)
        #expect(refusal(TestDocuments.alert(TestDocuments.header + nest))?.kind == .tooDeep)
    }

    @Test func elementCountAndTextLengthAreBounded() {
        let codes = String(repeating: "<code>c</code>", count: 200)
        let many = refusal(TestDocuments.alert(TestDocuments.header + codes), limits: CAPLimits(maxElements: 100))
        #expect(many?.kind == .tooManyElements)
        #expect(many?.path.hasPrefix("alert.code[") == true)
        let long = TestDocuments.alert(TestDocuments.header + "<note>" + String(repeating: "n", count: 5000) + "</note>")
        let error = refusal(long, limits: CAPLimits(maxTextBytes: 4096))
        #expect(error?.kind == .textTooLong)
        #expect(error?.path == "alert.note")
        let attribute = TestDocuments.alert(TestDocuments.header + "<note a=\"" + String(repeating: "a", count: 5000) + "\">n</note>")
        #expect(refusal(attribute, limits: CAPLimits(maxTextBytes: 4096))?.kind == .textTooLong)
    }

    // MARK: broken documents

    @Test func truncatedSampleNamesTheOpenElement() throws {
        let bytes = [UInt8](try CAPSamples.data(CAPSamples.polygonKZ))
        let cut = Array(bytes.prefix(bytes.count / 2))
        let error = refusal(cut)
        #expect(error?.kind == .truncated)
        #expect(error?.path.hasPrefix("alert.info[0].area[0]") == true)
        #expect(error?.reason.contains("ends before this element is closed") == true)
        for sample in [CAPSamples.polygonKZ, CAPSamples.cancelIPAWS, CAPSamples.circleTW, CAPSamples.multilingualMO] {
            let whole = [UInt8](try CAPSamples.data(sample))
            for length in [60, 62, 130, 301, 302, whole.count / 3, whole.count - 2] {
                #expect(refusal(Array(whole.prefix(length)))?.kind == .truncated, "\(sample) cut to \(length) bytes")
            }
        }
    }

    @Test func emptyAndRootlessDocumentsAreRefused() {
        #expect(refusal("")?.description == "document: is empty")
        #expect(refusal(#"<?xml version="1.0"?>"#)?.kind == .truncated)
        #expect(refusal("not xml")?.kind == .unsupportedEncoding)
    }

    @Test func contentAfterTheAlertIsMalformed() {
        let error = refusal(TestDocuments.alert() + Array("<alert/>".utf8))
        #expect(error?.kind == .malformed)
        #expect(error?.reason.contains("after the closing </alert>") == true)
    }

    @Test func mismatchedTagIsMalformed() {
        let xml = String(decoding: TestDocuments.alert(), as: UTF8.self).replacingOccurrences(of: "</event>", with: "</evnt>")
        let error = refusal(xml)
        #expect(error?.kind == .malformed)
        #expect(error?.path == "alert.info[0].event")
    }

    // MARK: namespaces

    @Test func cap11IsRefusedWithAClearMessage() {
        let error = refusal(TestDocuments.alert(namespace: "urn:oasis:names:tc:emergency:cap:1.1"))
        #expect(error?.kind == .unsupportedVersion)
        #expect(error?.description == "alert: CAP 1.1 is not supported; send CAP 1.2 (namespace urn:oasis:names:tc:emergency:cap:1.2)")
        #expect(refusal(TestDocuments.alert(namespace: "http://www.incident.com/cap/1.0"))?.reason.hasPrefix("CAP 1.0 is not supported") == true)
    }

    @Test func otherOrMissingNamespaceIsRefused() {
        #expect(refusal(TestDocuments.alert(namespace: "urn:example:alerts"))?.kind == .wrongNamespace)
        let bare = String(decoding: TestDocuments.alert(), as: UTF8.self)
            .replacingOccurrences(of: #" xmlns="urn:oasis:names:tc:emergency:cap:1.2""#, with: "")
        let error = refusal(bare)
        #expect(error?.kind == .wrongNamespace)
        #expect(error?.reason.hasPrefix("has no namespace") == true)
        #expect(refusal(#"<info xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>"#)?.description == "info: the root element must be <alert>")
    }

    // MARK: structure

    @Test func missingIdentifierIsNamed() {
        let header = TestDocuments.header.replacingOccurrences(of: "<identifier>test-1</identifier>", with: "")
        let error = refusal(TestDocuments.alert(header))
        #expect(error?.kind == .missingElement)
        #expect(error?.description == "alert.identifier: is required but missing")
    }

    @Test func missingSampleIdentifierIsNamed() throws {
        let text = String(decoding: try CAPSamples.data(CAPSamples.updateAppendix), as: UTF8.self)
            .replacingOccurrences(of: "<identifier>TRI13970876.2</identifier>", with: "")
        #expect(refusal(text)?.description == "alert.identifier: is required but missing")
    }

    @Test func requiredInfoAndAreaElementsAreNamed() {
        for field in ["category", "event", "urgency", "severity", "certainty"] {
            let fields = TestDocuments.infoFields.split(separator: "\n").filter { !$0.contains("<\(field)>") }.joined()
            #expect(refusal(TestDocuments.alert(infos: [TestDocuments.info(fields)]))?.path == "alert.info[0].\(field)")
        }
        let noDescription = TestDocuments.alert(infos: [TestDocuments.info(areas: ["<area>\(TestDocuments.square)</area>"])])
        #expect(refusal(noDescription)?.description == "alert.info[0].area[0].areaDesc: is required but missing")
        let emptyIdentifier = TestDocuments.header.replacingOccurrences(of: "test-1", with: " ")
        #expect(refusal(TestDocuments.alert(emptyIdentifier))?.description == "alert.identifier: must not be empty")
    }

    @Test func enumerationsAreChecked() {
        let header = TestDocuments.header.replacingOccurrences(of: "Actual", with: "actual")
        #expect(refusal(TestDocuments.alert(header))?.description == "alert.status: 'actual' is not one of Actual, Exercise, System, Test, Draft")
        let fields = TestDocuments.infoFields.replacingOccurrences(of: "Extreme", with: "Catastrophic")
        #expect(refusal(TestDocuments.alert(infos: [TestDocuments.info(fields)]))?.path == "alert.info[0].severity")
        let second = TestDocuments.infoFields + "<category>Weather</category>"
        #expect(refusal(TestDocuments.alert(infos: [TestDocuments.info(second)]))?.path == "alert.info[0].category[1]")
        let response = TestDocuments.infoFields + "<responseType>Run</responseType>"
        #expect(refusal(TestDocuments.alert(infos: [TestDocuments.info(response)]))?.kind == .invalidValue)
    }

    @Test func unknownCAPElementIsNamed() {
        let error = refusal(TestDocuments.withArea("<polgon>10,20 10,21 11,21 10,20</polgon>"))
        #expect(error?.kind == .unknownElement)
        #expect(error?.description == "alert.info[0].area[0].polgon: is not a CAP 1.2 element inside <area>")
        let misplaced = TestDocuments.alert(TestDocuments.header + TestDocuments.square)
        #expect(refusal(misplaced)?.path == "alert.polygon")
        let nested = TestDocuments.header.replacingOccurrences(of: "<sender>alerts@city.example</sender>", with: "<sender><b>x</b></sender>")
        #expect(refusal(TestDocuments.alert(nested))?.description == "alert.sender.b: <sender> holds text, not elements")
    }

    @Test func repeatedSingleElementIsNamed() {
        let error = refusal(TestDocuments.alert(TestDocuments.header + "<scope>Private</scope>"))
        #expect(error?.kind == .duplicateElement)
        #expect(error?.path == "alert.scope")
    }

    @Test func badTimesAndReferencesAreNamed() {
        for sent in ["2026-05-04T10:15:00", "2026-05-04 10:15:00+02:00", "2026-02-30T10:15:00+02:00", "2026-05-04T24:00:00Z", "yesterday"] {
            let header = TestDocuments.header.replacingOccurrences(of: "2026-05-04T10:15:00+02:00", with: sent)
            let error = refusal(TestDocuments.alert(header))
            #expect(error?.path == "alert.sent", "\(sent)")
            #expect(error?.kind == .invalidValue)
        }
        let expires = TestDocuments.infoFields + "<expires>2026-13-01T00:00:00+00:00</expires>"
        #expect(refusal(TestDocuments.alert(infos: [TestDocuments.info(expires)]))?.path == "alert.info[0].expires")
        for references in ["a,b", "a,b,2026-05-04T10:15:00", ",b,2026-05-04T10:15:00+02:00"] {
            let error = refusal(TestDocuments.alert(TestDocuments.header + "<references>\(references)</references>"))
            #expect(error?.path == "alert.references", "\(references)")
        }
    }

    // MARK: geometry

    @Test func openPolygonIsRefused() {
        let error = refusal(TestDocuments.withArea("<polygon>10,20 10,21 11,21 11,20</polygon>"))
        #expect(error?.kind == .invalidGeometry)
        #expect(error?.description == "alert.info[0].area[0].polygon[0]: ring is not closed: the last point must equal the first")
    }

    @Test func threePointPolygonIsRefused() {
        let error = refusal(TestDocuments.withArea("<polygon>10,20 10,21 10,20</polygon>"))
        #expect(error?.description == "alert.info[0].area[0].polygon[0]: a polygon needs at least 4 points (the first repeated last), got 3")
    }

    @Test func badPointsAreNamed() {
        let second = TestDocuments.square + "<polygon>10,20 10;21 11,21 10,20</polygon>"
        #expect(refusal(TestDocuments.withArea(second))?.description == "alert.info[0].area[0].polygon[1]: point 2 '10;21' is not 'lat,lon'")
        let spaced = refusal(TestDocuments.withArea("<polygon>10, 20 10,21 11,21 10,20</polygon>"))
        #expect(spaced?.reason == "point 1 '10,' is not 'lat,lon'")
        let range = refusal(TestDocuments.withArea("<polygon>10,20 91,21 11,21 10,20</polygon>"))
        #expect(range?.reason == "point 2 '91,21' is out of range (lat -90...90, lon -180...180)")
        #expect(refusal(TestDocuments.withArea("<polygon>10,20 nan,21 11,21 10,20</polygon>"))?.kind == .invalidGeometry)
    }

    @Test func ringAroundAPoleIsRefused() {
        let error = refusal(TestDocuments.withArea("<polygon>80,0 80,120 80,-120 80,0</polygon>"))
        #expect(error?.reason == "ring winds around a pole; split it into polygons that do not")
    }

    @Test func badCirclesAreNamed() {
        #expect(refusal(TestDocuments.withArea("<circle>10,20 -1</circle>"))?.description
            == "alert.info[0].area[0].circle[0]: radius '-1' is not a number of kilometres, 0 or more")
        #expect(refusal(TestDocuments.withArea("<circle>10,20</circle>"))?.reason == "'10,20' is not 'lat,lon radius' (radius in km)")
        #expect(refusal(TestDocuments.withArea("<circle>10,200 1</circle>"))?.reason.contains("out of range") == true)
        #expect(refusal(TestDocuments.withArea("<altitude>high</altitude>"))?.path == "alert.info[0].area[0].altitude")
    }
}

/// Foundation's XML parser traps on an attribute value that is not valid UTF-8 (the feed fuzzer
/// found it); such documents are refused before they reach it, as CAP and as feed indexes.
@Suite struct InvalidUTF8Tests {
    static let badAttribute: [UInt8] = Array(#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" note=""#.utf8) + [0xFF, 0xFE] + Array(#""><identifier>x</identifier></alert>"#.utf8)

    @Test func anAlertWithAnInvalidUTF8AttributeIsRefusedNotACrash() {
        #expect(throws: CAPError.self) { try CAP.parse(Self.badAttribute) }
        do {
            _ = try CAP.parse(Self.badAttribute)
        } catch {
            #expect(error.kind == .unsupportedEncoding && error.reason.contains("byte 58"), "\(error)")
        }
    }

    @Test func aFeedWithAnInvalidUTF8LinkIsRefusedNotACrash() {
        let feed = Array(#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>a</id><link href=""#.utf8) + [0xC3, 0x28] + Array(#""/></entry></feed>"#.utf8)
        #expect(throws: CAPError.self) { try AlertFeedDocument.parse(feed) }
    }

    @Test(arguments: [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]] as [[UInt8]])
    func overlongSurrogateOutOfRangeAndCutSequencesAreInvalid(_ bytes: [UInt8]) {
        let doc = Array("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><note>".utf8) + bytes + Array("</note></alert>".utf8)
        #expect(throws: CAPError.self) { try CAP.parse(doc) }
    }

    @Test func validMultibyteTextStillParsesAsFarAsTheSchema() {
        let doc = Array("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><note>北京 🚏 é</note></alert>".utf8)
        do {
            _ = try CAP.parse(doc)
        } catch {
            #expect(error.kind != .unsupportedEncoding, "\(error)")
        }
    }
}
