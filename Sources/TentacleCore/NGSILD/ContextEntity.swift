/// An NGSI-LD entity (ETSI GS CIM 009): an id, a type and named attributes, each a Property, a
/// GeoProperty or a Relationship.
///
/// Tentacle builds these from its own records (`EntityMapping`); nothing here is stored.
public struct ContextEntity: Hashable, Sendable {
    public var id: String
    public var type: String
    /// By name; rendered sorted by name after `id` and `type`.
    public var attributes: [String: ContextAttribute]
    /// The district the entity lies in, for scoping; nil for an entity without one.
    public var district: String?

    public init(id: String, type: String, attributes: [String: ContextAttribute] = [:], district: String? = nil) {
        self.id = id
        self.type = type
        self.attributes = attributes
        self.district = district
    }

    /// The point of its `location` GeoProperty, if it has one.
    public var location: (lat: Double, lon: Double)? {
        if case .geo(let lat, let lon)? = attributes["location"] { return (lat, lon) }
        return nil
    }

    /// Attribute values as the query language sees them: a GeoProperty as its GeoJSON, a
    /// Relationship as its object (or objects).
    public var queryValues: [String: NGSIValue] {
        attributes.mapValues(\.keyValue)
    }

    /// Only the named attributes (all when `names` is nil).
    public func keeping(_ names: Set<String>?) -> ContextEntity {
        guard let names else { return self }
        var kept = self
        kept.attributes = attributes.filter { names.contains($0.key) }
        return kept
    }

    /// The newest `observedAt` among its properties, if any has one.
    public var observedAt: Int64? {
        attributes.values.compactMap(\.observedAt).max()
    }
}

/// One attribute of an entity.
public enum ContextAttribute: Hashable, Sendable {
    /// A value, when it was observed (ms since 1970) and its UN/CEFACT unit code.
    case property(NGSIValue, observedAt: Int64? = nil, unitCode: String? = nil)
    /// A WGS84 point.
    case geo(lat: Double, lon: Double)
    /// The entity ids it points at; one id is written as a string, several as an array.
    case relationship([String])

    public var keyValue: NGSIValue {
        switch self {
        case .property(let value, _, _): return value
        case .geo(let lat, let lon): return .object(["type": .string("Point"), "coordinates": .array([.number(lon), .number(lat)])])
        case .relationship(let objects): return objects.count == 1 ? .string(objects[0]) : .array(objects.map { .string($0) })
        }
    }

    public var observedAt: Int64? {
        if case .property(_, let at, _) = self { return at }
        return nil
    }
}

/// How an entity is written: NGSI-LD's normalized form or its key-values form.
public enum EntityFormat: String, Hashable, Sendable {
    case normalized, keyValues
}

extension ContextEntity {
    /// The entity as JSON, with `@context` as its last member when `context` is given (for
    /// `application/ld+json`).
    public func json(_ format: EntityFormat, context: [String]? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + attributes.count * 48)
        write(format, context: context, to: &out)
        return out
    }

    /// Appends the entity as JSON to `out`.
    public func write(_ format: EntityFormat, context: [String]?, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONText.appendString(id, to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        JSONText.appendString(type, to: &out)
        for name in attributes.keys.sorted() {
            out.append(UInt8(ascii: ","))
            JSONText.appendString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            attributes[name]!.write(format, to: &out)
        }
        if let context {
            out.append(contentsOf: #","@context":"#.utf8)
            NGSIValue.array(context.map { .string($0) }).write(to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Several entities as one JSON array.
    public static func jsonArray(_ entities: [ContextEntity], _ format: EntityFormat, context: [String]?) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(2 + entities.count * 256)
        for (i, entity) in entities.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            entity.write(format, context: context, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}

extension ContextAttribute {
    public func write(_ format: EntityFormat, to out: inout [UInt8]) {
        guard format == .normalized else { return keyValue.write(to: &out) }
        switch self {
        case .property(let value, let observedAt, let unitCode):
            out.append(contentsOf: #"{"type":"Property","value":"#.utf8)
            value.write(to: &out)
            if let observedAt, let text = ReadingTime.format(observedAt) {
                out.append(contentsOf: #","observedAt":"#.utf8)
                JSONText.appendString(text, to: &out)
            }
            if let unitCode {
                out.append(contentsOf: #","unitCode":"#.utf8)
                JSONText.appendString(unitCode, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .geo:
            out.append(contentsOf: #"{"type":"GeoProperty","value":"#.utf8)
            keyValue.write(to: &out)
            out.append(UInt8(ascii: "}"))
        case .relationship:
            out.append(contentsOf: #"{"type":"Relationship","object":"#.utf8)
            keyValue.write(to: &out)
            out.append(UInt8(ascii: "}"))
        }
    }
}

extension NGSIValue {
    /// Appends the value as JSON; object members in name order, so output is deterministic.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .number(let n): JSONText.appendNumber(n, to: &out)
        case .string(let s): JSONText.appendString(s, to: &out)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                members[key]!.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
