import Foundation
import Hummingbird
import TentacleCore

/// The query parameters NGSI-LD requests share, validated; bad ones answer `BadRequestData`
/// naming the parameter.
struct NGSIParameters {
    let request: Request

    func string(_ name: String) -> String? {
        guard let v = request.uri.queryParameters.get(name), !v.isEmpty else { return nil }
        return v
    }

    /// A comma-separated list (NGSI-LD also allows `|` between types).
    func list(_ name: String) -> [String]? {
        guard let text = string(name) else { return nil }
        let items = text.split(whereSeparator: { $0 == "," || $0 == "|" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return items.isEmpty ? nil : items
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let v = Int(text), range.contains(v) else {
            throw NGSIError(.badRequestData, "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// The values of `options` (and of `format`, which newer clients send instead).
    var options: Set<String> {
        Set((list("options") ?? []) + (string("format").map { [$0] } ?? []))
    }

    func format(default fallback: EntityFormat = .normalized) throws -> EntityFormat {
        let o = options
        for bad in o where !["keyValues", "normalized", "count", "sysAttrs", "temporalValues", "aggregatedValues", "concise", "simplified"].contains(bad) {
            throw NGSIError(.badRequestData, "options: '\(bad.prefix(40))' is not one of keyValues, normalized, count, sysAttrs, temporalValues, aggregatedValues")
        }
        if o.contains("keyValues") || o.contains("simplified") { return .keyValues }
        return fallback
    }

    var wantsCount: Bool { string("count")?.lowercased() == "true" || options.contains("count") }

    /// A time parameter (RFC 3339) as milliseconds.
    func time(_ name: String) throws -> Int64? {
        guard let text = string(name) else { return nil }
        guard let ms = ReadingTime.parse(text) else {
            throw NGSIError(.badRequestData, "\(name) must be a date-time such as 2026-12-03T08:00:00Z, not '\(text.prefix(40))'")
        }
        return ms
    }

    /// The selector of an entity query: `type`, `id`, `idPattern`, `attrs`, `q` and the geo-query.
    func selector() throws -> EntitySelector {
        var target = EntitySelector.Target()
        if let types = list("type") { target.types = Set(types) }
        if let ids = list("id") { target.ids = Set(ids) }
        if let pattern = string("idPattern") { target.idPattern = try IdPattern(pattern) }
        var selector = EntitySelector()
        if target.types != nil || target.ids != nil || target.idPattern != nil { selector.targets = [target] }
        if let attrs = list("attrs") { selector.attributes = Set(attrs) }
        if let q = string("q") { selector.query = try NGSIQuery.parse(q) }
        selector.geo = try geoQuery()
        return selector
    }

    func geoQuery() throws -> NGSIGeoQuery? {
        if let combined = string("geoQ") { return try NGSIGeoQuery.parse(combined: combined) }
        let georel = string("georel"), geometry = string("geometry"), coordinates = string("coordinates")
        if georel == nil && geometry == nil && coordinates == nil { return nil }
        guard let georel, let geometry, let coordinates else {
            throw NGSIError(.badRequestData, "a geo-query needs georel, geometry and coordinates together")
        }
        return try NGSIGeoQuery.parse(georel: georel, geometry: geometry, coordinates: coordinates, geoproperty: string("geoproperty"))
    }
}
