/// Small CAP 1.2 documents assembled from parts, for the cases the real samples do not cover.
enum TestDocuments {
    static let header = """
        <identifier>test-1</identifier>
        <sender>alerts@city.example</sender>
        <sent>2026-05-04T10:15:00+02:00</sent>
        <status>Actual</status>
        <msgType>Alert</msgType>
        <scope>Public</scope>
        """

    static let infoFields = """
        <category>Safety</category>
        <event>Chemical leak</event>
        <urgency>Immediate</urgency>
        <severity>Extreme</severity>
        <certainty>Observed</certainty>
        """

    static let square = "<polygon>10,20 10,21 11,21 11,20 10,20</polygon>"

    static func area(_ geometry: String = square, description: String = "Harbour") -> String {
        "<area><areaDesc>\(description)</areaDesc>\(geometry)</area>"
    }

    static func info(_ fields: String = infoFields, areas: [String] = [area()]) -> String {
        "<info>\(fields)\(areas.joined())</info>"
    }

    static func alert(
        _ header: String = header, infos: [String] = [info()],
        namespace: String = "urn:oasis:names:tc:emergency:cap:1.2", prologue: String = #"<?xml version="1.0" encoding="UTF-8"?>"#
    ) -> [UInt8] {
        Array("\(prologue)\n<alert xmlns=\"\(namespace)\">\(header)\(infos.joined())</alert>".utf8)
    }

    static func withArea(_ geometry: String) -> [UInt8] {
        alert(infos: [info(areas: [area(geometry)])])
    }
}
