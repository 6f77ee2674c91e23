import Foundation

/// Which entities a query or a subscription is about: by type, id or id pattern, by the
/// attributes they have, by the query language and by place. Every part given must hold.
public struct EntitySelector: Sendable {
    /// One `{type, id, idPattern}` of a subscription's `entities`, or a query's `type`/`id`/`idPattern`.
    public struct Target: Sendable {
        public var types: Set<String>?
        public var ids: Set<String>?
        public var idPattern: IdPattern?

        public init(types: Set<String>? = nil, ids: Set<String>? = nil, idPattern: IdPattern? = nil) {
            self.types = types
            self.ids = ids
            self.idPattern = idPattern
        }

        public func matches(_ entity: ContextEntity) -> Bool {
            (types?.contains(entity.type) ?? true) && (ids?.contains(entity.id) ?? true) && (idPattern?.matches(entity.id) ?? true)
        }
    }

    /// Any of these (none given: every entity).
    public var targets: [Target]
    /// Entities that have at least one of these attributes.
    public var attributes: Set<String>?
    public var query: NGSIQuery?
    public var geo: NGSIGeoQuery?

    public init(targets: [Target] = [], attributes: Set<String>? = nil, query: NGSIQuery? = nil, geo: NGSIGeoQuery? = nil) {
        self.targets = targets
        self.attributes = attributes
        self.query = query
        self.geo = geo
    }

    /// The entity types it can match, or nil when any.
    public var types: Set<String>? {
        guard !targets.isEmpty else { return nil }
        var all: Set<String> = []
        for t in targets {
            guard let types = t.types else { return nil }
            all.formUnion(types)
        }
        return all
    }

    public func matches(_ entity: ContextEntity) -> Bool {
        if !targets.isEmpty && !targets.contains(where: { $0.matches(entity) }) { return false }
        if let attributes, !attributes.contains(where: { entity.attributes[$0] != nil }) { return false }
        if let geo {
            guard case .geo(let lat, let lon)? = entity.attributes[geo.geoproperty], geo.matches(lat: lat, lon: lon) else { return false }
        }
        if let query, !query.matches(entity.queryValues) { return false }
        return true
    }
}

/// An `idPattern`: a regular expression the whole entity id must match.
public final class IdPattern: @unchecked Sendable {
    // NSRegularExpression is immutable once made and safe to use from any thread.
    private let regex: NSRegularExpression
    public let pattern: String

    public init(_ pattern: String) throws(NGSIQueryError) {
        guard pattern.utf8.count <= 1024 else { throw NGSIQueryError(parameter: "idPattern", message: "longer than 1,024 characters") }
        do {
            regex = try NSRegularExpression(pattern: "^(?:\(pattern))$")
        } catch {
            throw NGSIQueryError(parameter: "idPattern", message: "'\(pattern.prefix(80))' is not a regular expression")
        }
        self.pattern = pattern
    }

    public func matches(_ id: String) -> Bool {
        regex.firstMatch(in: id, range: NSRange(id.startIndex..., in: id)) != nil
    }
}
