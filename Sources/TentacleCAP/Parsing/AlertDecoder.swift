import Foundation
import TentacleCore

/// Turns the element tree into validated values; every error names the element's path.
enum AlertDecoder {
    static func alert(_ root: ElementNode) throws(CAPError) -> CAPAlert {
        let r = try ElementReader(root, path: "alert", allowed: CAPSchema.alert)
        let log = RepairLog()
        var alert = CAPAlert(
            identifier: try r.required("identifier", nonEmpty: true),
            sender: try r.required("sender", nonEmpty: true),
            sent: try ElementReader.time(try r.required("sent"), path: "alert.sent"),
            status: try r.enumeration("status", as: CAPAlert.Status.self),
            msgType: try r.enumeration("msgType", as: CAPAlert.MessageType.self),
            source: try r.optional("source"),
            scope: try r.enumeration("scope", as: CAPAlert.Scope.self),
            restriction: try r.optional("restriction"),
            addresses: try r.optional("addresses"),
            codes: try r.texts("code").map(\.text),
            note: try r.optional("note"),
            references: try references(r.optional("references"), path: "alert.references"),
            incidents: try r.optional("incidents"),
            infos: try r.all("info").map { (item) throws(CAPError) in try info(item.node, path: item.path, log: log) }
        )
        alert.repairs = log.repairs
        return alert
    }

    /// `references` is a space-separated list of `sender,identifier,sent` triples.
    static func references(_ text: String?, path: String) throws(CAPError) -> [CAPReference] {
        guard let text else { return [] }
        return try text.xmlWords.map { (entry) throws(CAPError) in
            let parts = entry.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CAPError(.invalidValue, path, "'\(entry.prefix(80))' is not a sender,identifier,sent triple")
            }
            return CAPReference(sender: String(parts[0]), identifier: String(parts[1]), sent: try ElementReader.time(String(parts[2]), path: path))
        }
    }

    static func info(_ node: ElementNode, path: String, log: RepairLog) throws(CAPError) -> CAPInfo {
        let r = try ElementReader(node, path: path, allowed: CAPSchema.info)
        let categories = try r.texts("category").map { (item) throws(CAPError) in
            try ElementReader.enumeration(item.text, path: item.path, as: CAPInfo.Category.self)
        }
        guard !categories.isEmpty else { throw CAPError(.missingElement, "\(path).category", "is required but missing") }
        let certaintyText = try r.required("certainty")
        return CAPInfo(
            language: try r.optional("language") ?? CAPInfo.defaultLanguage,
            categories: categories,
            event: try r.required("event"),
            responseTypes: try r.texts("responseType").map { (item) throws(CAPError) in
                try ElementReader.enumeration(item.text, path: item.path, as: CAPInfo.ResponseType.self)
            },
            urgency: try r.enumeration("urgency", as: CAPInfo.Urgency.self),
            severity: try r.enumeration("severity", as: AlertSeverity.self),
            certainty: certaintyText == "Very Likely"
                ? .likely : try ElementReader.enumeration(certaintyText, path: "\(path).certainty", as: CAPInfo.Certainty.self),
            audience: try r.optional("audience"),
            eventCodes: try namedValues(r.all("eventCode")),
            effective: try r.time("effective"),
            onset: try r.time("onset"),
            expires: try r.time("expires"),
            senderName: try r.optional("senderName"),
            headline: try r.optional("headline"),
            description: try r.optional("description"),
            instruction: try r.optional("instruction"),
            web: try r.optional("web"),
            contact: try r.optional("contact"),
            parameters: try namedValues(r.all("parameter")),
            resources: try r.all("resource").map { (item) throws(CAPError) in try resource(item.node, path: item.path) },
            areas: try r.all("area").map { (item) throws(CAPError) in try area(item.node, path: item.path, log: log) }
        )
    }

    static func namedValues(_ items: [(node: ElementNode, path: String)]) throws(CAPError) -> [CAPNamedValue] {
        try items.map { (item) throws(CAPError) in
            let r = try ElementReader(item.node, path: item.path, allowed: CAPSchema.namedValue)
            return CAPNamedValue(valueName: try r.required("valueName"), value: try r.required("value"))
        }
    }

    static func resource(_ node: ElementNode, path: String) throws(CAPError) -> CAPResource {
        let r = try ElementReader(node, path: path, allowed: CAPSchema.resource)
        var size: Int?
        if let text = try r.optional("size") {
            guard let bytes = Int(text), bytes >= 0 else {
                throw CAPError(.invalidValue, "\(path).size", "'\(text.prefix(40))' is not a whole number of bytes")
            }
            size = bytes
        }
        return CAPResource(
            resourceDesc: try r.required("resourceDesc"), mimeType: try r.required("mimeType"), size: size,
            uri: try r.optional("uri"), derefUri: try r.optional("derefUri"), digest: try r.optional("digest")
        )
    }

    static func area(_ node: ElementNode, path: String, log: RepairLog) throws(CAPError) -> CAPArea {
        let r = try ElementReader(node, path: path, allowed: CAPSchema.area)
        return CAPArea(
            areaDesc: try r.required("areaDesc"),
            polygons: try r.texts("polygon").map { (item) throws(CAPError) in try GeometryText.polygon(item.text, path: item.path, log: log) }
                .compactMap { $0 },
            circles: try r.texts("circle").map { (item) throws(CAPError) in try GeometryText.circle(item.text, path: item.path) },
            geocodes: try namedValues(r.all("geocode")),
            altitude: try r.number("altitude"),
            ceiling: try r.number("ceiling")
        )
    }
}
