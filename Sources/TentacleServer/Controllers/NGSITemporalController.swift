import Foundation
import HTTPTypes
import Hummingbird
import TentacleCore
import TentacleStore

/// NGSI-LD temporal evolution of entities: each reading attribute's stored readings over time,
/// or aggregated per period from the 1-minute and 1-hour rollups.
struct NGSITemporalController {
    let env: ServerEnvironment
    /// Instances of one attribute in one answer; a wider request must narrow its time or use `lastN`.
    static let maxInstances = 10_000
    static let defaultLimit = 20
    static let maxLimit = 100

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("temporal/entities") { request, context in
            let p = try context.user(.readTelemetry)
            let params = NGSIParameters(request: request)
            let representation = try LinkedData.representation(request)
            let selector = try params.selector()
            guard !selector.targets.isEmpty || selector.attributes != nil else {
                throw NGSIError(.badRequestData, "a temporal query needs type, id, idPattern or attrs")
            }
            let shape = try Shape(params)
            let limit = try params.int("limit", in: 1...Self.maxLimit) ?? Self.defaultLimit
            let offset = try params.int("offset", in: 0...Int(Int32.max)) ?? 0
            let matching = try await env.entities.entities(types: selector.types, scope: p.scope).filter(selector.matches)
            let registry = try await env.entities.registry()
            let contextURL = LinkedData.contextURL(request)
            var out: [UInt8] = [UInt8(ascii: "[")]
            for (i, entity) in matching.dropFirst(offset).prefix(limit).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try await write(entity, registry: registry, shape: shape, context: representation == .linkedData ? contextURL : nil, to: &out)
            }
            out.append(UInt8(ascii: "]"))
            var headers = HTTPFields()
            if params.wantsCount { headers[NGSIEntityController.resultsCount] = String(matching.count) }
            return LinkedData.response(out, representation, context: contextURL, headers: headers)
        }
        group.get("temporal/entities/:id") { request, context in
            let p = try context.user(.readTelemetry)
            let params = NGSIParameters(request: request)
            let representation = try LinkedData.representation(request)
            let id = try context.parameters.require("id")
            let shape = try Shape(params)
            guard let entity = try await env.entities.entity(id: id, scope: p.scope) else {
                throw NGSIError(.resourceNotFound, "entity '\(id.prefix(200))' not found")
            }
            let contextURL = LinkedData.contextURL(request)
            var out: [UInt8] = []
            try await write(entity, registry: try await env.entities.registry(), shape: shape, context: representation == .linkedData ? contextURL : nil, to: &out)
            return LinkedData.response(out, representation, context: contextURL)
        }
    }

    /// What the temporal answer holds: the time window, raw instances or aggregates, and how they are written.
    struct Shape {
        var from: Int64
        var to: Int64
        var lastN: Int?
        var attrs: Set<String>?
        var aggregation: (methods: [TemporalAggregation.Method], period: Int64, tier: RollupTier)?
        /// `options=temporalValues`: `[value, time]` pairs instead of one Property per instance.
        var simplified: Bool

        init(_ params: NGSIParameters) throws {
            let timeAt = try params.time("timeAt"), endTimeAt = try params.time("endTimeAt")
            switch params.string("timerel") {
            case nil:
                guard timeAt == nil else { throw NGSIError(.badRequestData, "timeAt needs timerel (before, after or between)") }
                (from, to) = (Int64.min / 2, Int64.max / 2)
            case "before":
                guard let timeAt else { throw NGSIError(.badRequestData, "timerel=before needs timeAt") }
                (from, to) = (Int64.min / 2, timeAt)
            case "after":
                guard let timeAt else { throw NGSIError(.badRequestData, "timerel=after needs timeAt") }
                (from, to) = (timeAt + 1, Int64.max / 2)
            case "between":
                guard let timeAt, let endTimeAt else { throw NGSIError(.badRequestData, "timerel=between needs timeAt and endTimeAt") }
                guard timeAt < endTimeAt else { throw NGSIError(.badRequestData, "endTimeAt must be after timeAt") }
                (from, to) = (timeAt, endTimeAt)
            case let other?:
                throw NGSIError(.badRequestData, "timerel must be before, after or between, not '\(other.prefix(40))'")
            }
            lastN = try params.int("lastN", in: 1...NGSITemporalController.maxInstances)
            attrs = params.list("attrs").map(Set.init)
            let options = params.options
            simplified = options.contains("temporalValues")
            if let methods = params.string("aggrMethods") {
                let parsed = try TemporalAggregation.Method.parse(methods)
                guard let duration = params.string("aggrPeriodDuration") else {
                    throw NGSIError(.badRequestData, "aggrMethods needs aggrPeriodDuration, e.g. PT1H")
                }
                let period = try NGSIDuration.milliseconds(duration)
                aggregation = (parsed, period, try TemporalAggregation.tier(period: period))
                guard from > Int64.min / 2 || to < Int64.max / 2 else {
                    throw NGSIError(.badRequestData, "an aggregated query needs timerel and timeAt")
                }
            } else if options.contains("aggregatedValues") {
                throw NGSIError(.badRequestData, "options=aggregatedValues needs aggrMethods and aggrPeriodDuration")
            }
            _ = try params.format()
        }
    }

    /// Appends one entity's temporal representation.
    private func write(_ entity: ContextEntity, registry: EntityRegistry, shape: Shape, context: String?, to out: inout [UInt8]) async throws {
        out += #"{"id":"#.utf8
        JSONText.appendString(entity.id, to: &out)
        out += #","type":"#.utf8
        JSONText.appendString(entity.type, to: &out)
        var metrics: [String] = []
        if let source = registry.series(of: entity.id, known: [])?.source {
            metrics = Array(Set(try await env.store.metrics(source: source)).union(registry.sensors[source]?.metrics ?? []))
        }
        if let (source, attributes) = registry.series(of: entity.id, known: metrics) {
            for attribute in attributes.keys.sorted() where shape.attrs?.contains(attribute) ?? true {
                let metric = attributes[attribute]!
                let mapping = AttributeMapping.of(metric)
                out.append(UInt8(ascii: ","))
                JSONText.appendString(attribute, to: &out)
                out.append(UInt8(ascii: ":"))
                if let aggregation = shape.aggregation {
                    try await writeAggregated(source: source, metric: metric, mapping: mapping, shape: shape, aggregation: aggregation, to: &out)
                } else {
                    try await writeInstances(source: source, metric: metric, mapping: mapping, shape: shape, to: &out)
                }
            }
        }
        if let context {
            out += #","@context":"#.utf8
            JSONText.appendString(context, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private func writeInstances(source: String, metric: String, mapping: AttributeMapping, shape: Shape, to out: inout [UInt8]) async throws {
        // Read the window in pages; with lastN keep only the newest N.
        var kept: [Reading] = []
        var cursor: ReadingCursor?
        repeat {
            let page = try await env.store.rawReadings(source: source, metric: metric, from: shape.from, to: shape.to, after: cursor, limit: 5000)
            kept += page.readings
            if let n = shape.lastN, kept.count > n { kept.removeFirst(kept.count - n) }
            if shape.lastN == nil && kept.count > Self.maxInstances {
                throw NGSIError(
                    .tooManyResults, "more than \(Self.maxInstances) instances of '\(mapping.attribute)'; narrow timeAt/endTimeAt, use lastN or aggregate")
            }
            cursor = page.next
        } while cursor != nil
        let unit = mapping.unitCode
        if shape.simplified {
            out += #"{"type":"Property","values":["#.utf8
            for (i, r) in kept.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "["))
                JSONText.appendNumber(r.value / mapping.divisor, to: &out)
                out.append(UInt8(ascii: ","))
                JSONText.appendString(ReadingTime.format(r.time) ?? "", to: &out)
                out.append(UInt8(ascii: "]"))
            }
            out += "]}".utf8
        } else {
            out.append(UInt8(ascii: "["))
            for (i, r) in kept.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                ContextAttribute.property(.number(r.value / mapping.divisor), observedAt: r.time, unitCode: unit).write(.normalized, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    private func writeAggregated(
        source: String, metric: String, mapping: AttributeMapping, shape: Shape,
        aggregation: (methods: [TemporalAggregation.Method], period: Int64, tier: RollupTier), to out: inout [UInt8]
    ) async throws {
        let points = try await env.store.rollups(source: source, metric: metric, tier: aggregation.tier, from: shape.from, to: shape.to)
        // Periods start at timeAt; with only an end (timerel=before) they start at the first reading.
        let origin = shape.from > Int64.min / 2 ? shape.from : points.first?.bucketStart ?? 0
        var periods = TemporalAggregation.fold(points.map { ($0.bucketStart, $0.cell) }, from: origin, tier: aggregation.tier, period: aggregation.period)
        if let n = shape.lastN, periods.count > n { periods.removeFirst(periods.count - n) }
        guard periods.count <= Self.maxInstances else {
            throw NGSIError(.tooManyResults, "more than \(Self.maxInstances) periods of '\(mapping.attribute)'; use a longer aggrPeriodDuration or narrow the time")
        }
        out += #"{"type":"Property""#.utf8
        for method in aggregation.methods {
            out.append(UInt8(ascii: ","))
            JSONText.appendString(method.rawValue, to: &out)
            out += ":[".utf8
            for (i, period) in periods.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "["))
                JSONText.appendNumber(method.value(period.cell) / (method.scales ? mapping.divisor : 1), to: &out)
                out.append(UInt8(ascii: ","))
                JSONText.appendString(ReadingTime.format(period.start) ?? "", to: &out)
                out.append(UInt8(ascii: ","))
                JSONText.appendString(ReadingTime.format(period.end) ?? "", to: &out)
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
    }
}
