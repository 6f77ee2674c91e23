public import Foundation

/// An NGSI-LD subscription (ETSI GS CIM 009 §5.2.12) as a client sends it, validated: which
/// entities, which attribute changes, which condition and place, and where to notify.
public struct SubscriptionDocument: Sendable {
    public var id: String
    public var name: String?
    public var description: String?
    /// Each `{type, id, idPattern}` of `entities`, as written.
    public var entities: [[String: NGSIValue]]
    public var watchedAttributes: [String]?
    public var q: String?
    /// `geoQ` as written (`geometry`, `coordinates`, `georel`, `geoproperty`).
    public var geoQ: [String: NGSIValue]?
    /// Only these attributes in a notification (all when nil).
    public var notifiedAttributes: [String]?
    public var format: EntityFormat
    public var endpoint: String
    /// `application/json` or `application/ld+json`.
    public var accept: String
    /// The least time between two notifications, in seconds (0: none).
    public var throttling: Double
    public var expiresAt: Int64?
    public var isActive: Bool
    /// The `@context` notifications refer to.
    public var jsonldContext: String?

    /// What the document selects, compiled.
    public let selector: EntitySelector

    public static let entityTypes = Set(EntityType.all)
    static let fields: Set<String> = [
        "id", "type", "name", "subscriptionName", "description", "entities", "watchedAttributes", "q", "geoQ", "notification", "throttling",
        "expiresAt", "isActive", "@context", "timeInterval", "lang", "status", "jsonldContext",
    ]

    /// Parses and checks a JSON body; every problem is named with its field. `defaultId` is used
    /// when the body has none.
    public init(json data: Data, defaultId: String) throws(NGSIQueryError) {
        guard let raw = try? JSONSerialization.jsonObject(with: data), let value = NGSIValue(json: raw), case .object(let body) = value else {
            throw NGSIQueryError(parameter: "body", message: "must be a JSON object")
        }
        try self.init(body, defaultId: defaultId)
    }

    public init(_ body: [String: NGSIValue], defaultId: String) throws(NGSIQueryError) {
        func fail(_ field: String, _ message: String) -> NGSIQueryError { NGSIQueryError(parameter: field, message: message) }
        func string(_ field: String, in object: [String: NGSIValue] = body) throws(NGSIQueryError) -> String? {
            guard let v = object[field] else { return nil }
            guard case .string(let s) = v else { throw fail(field, "must be a string") }
            return s
        }
        func strings(_ field: String, in object: [String: NGSIValue] = body) throws(NGSIQueryError) -> [String]? {
            guard let v = object[field] else { return nil }
            guard case .array(let items) = v, !items.isEmpty else { throw fail(field, "must be a non-empty array of strings") }
            var out: [String] = []
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item, !s.isEmpty else { throw fail("\(field)[\(i)]", "must be a non-empty string") }
                out.append(s)
            }
            return out
        }

        for key in body.keys where !Self.fields.contains(key) { throw fail(key, "is not a subscription member") }
        if let type = try string("type"), type != "Subscription" { throw fail("type", "must be \"Subscription\"") }
        if body["timeInterval"] != nil { throw fail("timeInterval", "periodic subscriptions are not supported; use watchedAttributes") }

        id = try string("id") ?? defaultId
        guard id.utf8.count <= 256, URL(string: id)?.scheme != nil else { throw fail("id", "must be a URI such as urn:ngsi-ld:Subscription:air-alerts") }
        if let named = try string("subscriptionName") { name = named } else { name = try string("name") }
        description = try string("description")

        var targets: [EntitySelector.Target] = []
        entities = []
        if let v = body["entities"] {
            guard case .array(let items) = v, !items.isEmpty, items.count <= 100 else { throw fail("entities", "must be an array of 1 to 100 entity selectors") }
            for (i, item) in items.enumerated() {
                let field = "entities[\(i)]"
                guard case .object(let e) = item else { throw fail(field, "must be an object with type and optionally id or idPattern") }
                for key in e.keys where !["type", "id", "idPattern"].contains(key) { throw fail("\(field).\(key)", "is not an entity selector member") }
                guard let type = try string("type", in: e) else { throw fail("\(field).type", "is required") }
                guard Self.entityTypes.contains(type) else {
                    throw fail("\(field).type", "'\(type.prefix(60))' is not one of \(EntityType.all.joined(separator: ", "))")
                }
                var target = EntitySelector.Target(types: [type])
                if let id = try string("id", in: e) { target.ids = [id] }
                if let pattern = try string("idPattern", in: e) {
                    do { target.idPattern = try IdPattern(pattern) } catch { throw fail("\(field).idPattern", error.message) }
                }
                targets.append(target)
                entities.append(e)
            }
        }
        watchedAttributes = try strings("watchedAttributes")
        guard !targets.isEmpty || watchedAttributes != nil else { throw fail("entities", "give entities, watchedAttributes or both") }

        q = try string("q")
        var query: NGSIQuery?
        if let text = q {
            do {
                query = try NGSIQuery.parse(text)
            } catch {
                // Some clients send q percent-encoded as in a URL (`pm25%3E50`); `%` has no place
                // in the grammar outside strings, so a query that reads once decoded is taken decoded.
                guard let decoded = text.removingPercentEncoding, decoded != text, let parsed = try? NGSIQuery.parse(decoded) else { throw error }
                query = parsed
                q = decoded
            }
        }
        var geo: NGSIGeoQuery?
        if let v = body["geoQ"] {
            guard case .object(let g) = v else { throw fail("geoQ", "must be an object with geometry, coordinates and georel") }
            guard let georel = try string("georel", in: g), let geometry = try string("geometry", in: g) else {
                throw fail("geoQ", "needs georel, geometry and coordinates")
            }
            let coordinates: String
            switch g["coordinates"] {
            case .string(let s)?: coordinates = s
            case .array(let a)?:
                var out: [UInt8] = []
                NGSIValue.array(a).write(to: &out)
                coordinates = String(decoding: out, as: UTF8.self)
            default: throw fail("geoQ.coordinates", "must be a GeoJSON coordinates array")
            }
            do {
                geo = try NGSIGeoQuery.parse(georel: georel, geometry: geometry, coordinates: coordinates, geoproperty: try string("geoproperty", in: g))
            } catch {
                throw fail("geoQ.\(error.parameter)", error.message)
            }
            geoQ = g
        }

        guard case .object(let n)? = body["notification"] else { throw fail("notification", "is required: an object with endpoint.uri") }
        for key in n.keys where !["attributes", "format", "endpoint", "status", "timesSent", "lastNotification", "lastSuccess", "lastFailure"].contains(key) {
            throw fail("notification.\(key)", "is not a notification member")
        }
        notifiedAttributes = try strings("attributes", in: n)
        switch try string("format", in: n) ?? "normalized" {
        case "normalized": format = .normalized
        case "keyValues", "simplified": format = .keyValues
        case let other: throw fail("notification.format", "'\(other.prefix(40))' is not normalized or keyValues")
        }
        guard case .object(let ep)? = n["endpoint"], let uri = try string("uri", in: ep) else {
            throw fail("notification.endpoint.uri", "is required: the http or https URL to POST notifications to")
        }
        guard let url = URL(string: uri), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil, uri.utf8.count <= 2048 else {
            throw fail("notification.endpoint.uri", "'\(uri.prefix(80))' is not an http or https URL")
        }
        endpoint = uri
        accept = try string("accept", in: ep) ?? "application/json"
        guard ["application/json", "application/ld+json"].contains(accept) else {
            throw fail("notification.endpoint.accept", "must be application/json or application/ld+json")
        }

        switch body["throttling"] {
        case nil: throttling = 0
        case .number(let t)? where t.isFinite && t >= 0 && t <= 86_400 * 365: throttling = t
        default: throw fail("throttling", "must be a number of seconds, 0 or more")
        }
        if let text = try string("expiresAt") {
            guard let ms = ReadingTime.parse(text) else { throw fail("expiresAt", "must be a date-time such as 2027-01-01T00:00:00Z") }
            expiresAt = ms
        }
        switch body["isActive"] {
        case nil: isActive = true
        case .bool(let b)?: isActive = b
        default: throw fail("isActive", "must be true or false")
        }
        jsonldContext = try string("jsonldContext")
        if let jsonldContext, URL(string: jsonldContext)?.scheme == nil { throw fail("jsonldContext", "must be a URL") }
        selector = EntitySelector(targets: targets, query: query, geo: geo)
    }

    /// Whether a change of `changed` attributes of `entity` concerns this subscription.
    public func concerns(_ entity: ContextEntity, changed: Set<String>) -> Bool {
        if let watchedAttributes, !watchedAttributes.contains(where: changed.contains) { return false }
        return selector.matches(entity)
    }

    /// The stored JSON form: what the client sent, normalised, without delivery status.
    public var json: [UInt8] {
        var body: [String: NGSIValue] = ["id": .string(id), "type": .string("Subscription"), "isActive": .bool(isActive)]
        if let name { body["subscriptionName"] = .string(name) }
        if let description { body["description"] = .string(description) }
        if !entities.isEmpty { body["entities"] = .array(entities.map { .object($0) }) }
        if let watchedAttributes { body["watchedAttributes"] = .array(watchedAttributes.map { .string($0) }) }
        if let q { body["q"] = .string(q) }
        if let geoQ { body["geoQ"] = .object(geoQ) }
        if throttling > 0 { body["throttling"] = .number(throttling) }
        if let expiresAt, let text = ReadingTime.format(expiresAt) { body["expiresAt"] = .string(text) }
        if let jsonldContext { body["jsonldContext"] = .string(jsonldContext) }
        var notification: [String: NGSIValue] = [
            "format": .string(format.rawValue),
            "endpoint": .object(["uri": .string(endpoint), "accept": .string(accept)]),
        ]
        if let notifiedAttributes { notification["attributes"] = .array(notifiedAttributes.map { .string($0) }) }
        body["notification"] = .object(notification)
        var out: [UInt8] = []
        NGSIValue.object(body).write(to: &out)
        return out
    }
}
