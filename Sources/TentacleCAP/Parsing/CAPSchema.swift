/// Which elements CAP 1.2 allows inside which, and which may repeat.
enum CAPSchema {
    static let repeatable: Set<String> = [
        "code", "info", "category", "responseType", "eventCode", "parameter", "resource", "area", "polygon", "circle", "geocode",
    ]

    static let alert: Set<String> = [
        "identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction", "addresses", "code", "note",
        "references", "incidents", "info",
    ]

    static let info: Set<String> = [
        "language", "category", "event", "responseType", "urgency", "severity", "certainty", "audience", "eventCode",
        "effective", "onset", "expires", "senderName", "headline", "description", "instruction", "web", "contact",
        "parameter", "resource", "area",
    ]

    static let resource: Set<String> = ["resourceDesc", "mimeType", "size", "uri", "derefUri", "digest"]

    static let area: Set<String> = ["areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling"]

    static let namedValue: Set<String> = ["valueName", "value"]
}
