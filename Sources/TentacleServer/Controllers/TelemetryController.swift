import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TentacleCore
import TentacleStore

/// Readings in (JSON, NDJSON, CSV, line protocol) and out (series, latest values, district
/// aggregates, CSV export), and the metric catalogue.
///
/// A source is a display id. Scoped users see and write only readings of displays in their
/// districts; a source outside them answers 404 like a display that does not exist.
struct TelemetryController {
    let env: ServerEnvironment
    let arrivals = ArrivalSequencer()

    /// Raw points one query may return; longer ranges use a rollup step or the CSV export.
    static let maxRawPoints = 100_000
    /// Readings per database page of the CSV export, so memory stays flat whatever the range.
    static let exportPageSize = 5_000

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("readings", use: postReadings)
        group.post("write", use: writeLineProtocol)
        group.get("readings", use: series)
        group.get("readings/latest", use: latest)
        group.get("readings/aggregate", use: aggregate)
        group.get("readings/export.csv", use: export)
        group.get("metrics") { _, context in
            _ = try context.user(.readTelemetry)
            return try JSONBody.response(Items(items: try await env.telemetry.metrics(env.store).metrics.map(MetricBody.init)))
        }
        group.post("metrics", use: addMetric)
    }

    // MARK: - Ingest

    struct BatchResult: Encodable {
        var source: String
        var sequence: Int64
        var result: String
        var stored: Int
    }

    struct IngestResult: Encodable {
        var batches: [BatchResult]
        var issues: [FieldIssue]
    }

    @Sendable func postReadings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeTelemetry)
        let q = QueryParameters(request: request)
        let mode = try q.oneOf("mode", BatchMode.self) ?? .allOrNothing
        let contentType = (request.headers[.contentType] ?? "application/json").lowercased()
        let body = try await JSONBody.bytes(of: request, limit: env.configuration.maxIngestBytes)
        let parsed: ParsedReadings = body.withUnsafeReadableBytes { bytes in
            if contentType.hasPrefix("application/x-ndjson") || contentType.hasPrefix("application/ndjson") {
                return ReadingParser.ndjson(bytes)
            } else if contentType.hasPrefix("text/csv") {
                return ReadingParser.csv(bytes)
            } else if contentType.contains("json") {
                return ReadingParser.json(bytes)
            }
            return ParsedReadings(issues: [FieldIssue(field: "Content-Type", message: "unsupported")])
        }
        if parsed.batches.isEmpty, parsed.issues.first?.field == "Content-Type" {
            throw APIError(
                .unsupportedMediaType, "expected Content-Type application/json, application/x-ndjson or text/csv, got '\(contentType)'")
        }
        let ingested = try await env.ingest.ingest(parsed, mode: mode, as: p)
        let result = IngestResult(
            batches: ingested.outcomes.map { o in
                switch o.result {
                case .stored(let n): BatchResult(source: o.source, sequence: o.sequence, result: "stored", stored: n)
                case .duplicate: BatchResult(source: o.source, sequence: o.sequence, result: "duplicate", stored: 0)
                }
            },
            issues: ingested.issues)
        return try JSONBody.response(result, status: ingested.storedAny ? .created : .ok)
    }

    @Sendable func writeLineProtocol(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeTelemetry)
        let q = QueryParameters(request: request)
        let mode = try q.oneOf("mode", BatchMode.self) ?? .allOrNothing
        let precision = try q.oneOf("precision", LineProtocol.Precision.self) ?? .ns
        let now = env.clock()
        // Without a sequence a request cannot be recognised when resent; each such request gets a
        // number of its own, so two in the same millisecond are both stored, as InfluxDB clients expect.
        let sequence: Int64
        if let text = q.string("sequence") {
            guard let n = Int64(text), n >= 0 else { throw APIError.badRequest("sequence must be a whole number, 0 or more", field: "sequence") }
            sequence = n
        } else {
            sequence = arrivals.next(now: now)
        }
        let body = try await JSONBody.bytes(of: request, limit: env.configuration.maxIngestBytes)
        let parsed = body.withUnsafeReadableBytes { LineProtocol.parse($0, sequence: sequence, precision: precision, receivedAt: now) }
        if mode == .allOrNothing && !parsed.issues.isEmpty {
            throw APIError(.badRequest, "line protocol refused, nothing stored: \(ValidationError(parsed.issues).summary)", issues: parsed.issues)
        }
        let issues = try await env.ingest.ingest(parsed, mode: mode, as: p).issues
        // InfluxDB clients expect 204; what a partial write refused must still reach the caller.
        if issues.isEmpty { return Response(status: .noContent) }
        return try JSONBody.response(["issues": issues], status: .ok)
    }

    // MARK: - Queries

    struct Point: Encodable {
        var time: String
        var value: Double?
        var min: Double?
        var max: Double?
        var mean: Double?
        var count: Int?
        var last: Double?
    }

    struct Series: Encodable {
        var source: String
        var metric: String
        var step: String
        var from: String
        var to: String
        var points: [Point]
    }

    @Sendable func series(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.readTelemetry)
        let q = QueryParameters(request: request)
        let source = try required(q, "source")
        let metric = try required(q, "metric")
        let (from, to) = try range(q)
        try await requireVisible(source, p)
        let stepText = q.string("step") ?? "auto"
        let step: QueryStep
        if stepText == "auto" {
            step = QueryStep.auto(from: from, to: to, now: env.clock(), retention: env.configuration.retention)
        } else if let chosen = QueryStep(rawValue: stepText) {
            step = chosen
        } else {
            throw APIError.badRequest("step must be one of raw, 1m, 1h, auto", field: "step")
        }
        let fromMs = Reading.milliseconds(from), toMs = Reading.milliseconds(to)
        var points: [Point] = []
        if let tier = step.tier {
            points = try await env.store.rollups(source: source, metric: metric, tier: tier, from: fromMs, to: toMs).map {
                Point(
                    time: Self.time($0.bucketStart), min: $0.cell.min, max: $0.cell.max, mean: $0.cell.mean, count: $0.cell.count,
                    last: $0.cell.last)
            }
        } else {
            let page = try await env.store.rawReadings(
                source: source, metric: metric, from: fromMs, to: toMs, after: nil, limit: Self.maxRawPoints)
            if page.next != nil {
                throw APIError.badRequest(
                    "more than \(Self.maxRawPoints) raw readings in this range; use step=1m or 1h, a shorter range, or the CSV export",
                    field: "step")
            }
            points = page.readings.map { Point(time: Self.time($0.time), value: $0.value) }
        }
        return try JSONBody.response(
            Series(source: source, metric: metric, step: step.rawValue, from: Self.time(fromMs), to: Self.time(toMs), points: points))
    }

    struct LatestItem: Encodable {
        var source: String
        var district: String?
        var metric: String
        var time: String
        var value: Double
    }

    @Sendable func latest(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.readTelemetry)
        let q = QueryParameters(request: request)
        let query = LatestQuery(area: try area(q, p), metric: q.string("metric"), sources: q.string("source").map { [$0] })
        let items = try await env.store.latest(query).map {
            LatestItem(source: $0.reading.source, district: $0.district, metric: $0.reading.metric, time: Self.time($0.reading.time), value: $0.reading.value)
        }
        return try JSONBody.response(Items(items: items))
    }

    struct AggregateItem: Encodable {
        var district: String
        var min: Double
        var max: Double
        var mean: Double
        var count: Int
        var sources: Int
    }

    struct Aggregate: Encodable {
        /// Over every display and sensor inside `polygon`, when one was given.
        var polygon: AggregateItem?
        var metric: String
        /// `1m` or `1h` over `from..<to`; `instant` at `at`.
        var step: String
        var from: String?
        var to: String?
        var at: String?
        /// Seconds before `at` a source's newest reading may be, for `step` `instant`.
        var window: Int?
        var items: [AggregateItem]
    }

    /// Over a range: from 1-hour rollups when the range is whole hours or older than the 1-minute
    /// tier reaches, else from 1-minute rollups; counted over buckets that start inside the range.
    /// At an instant (`at`): one value per source, its newest reading at or before `at` and at most
    /// `window` seconds older (default 900).
    @Sendable func aggregate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.readTelemetry)
        let q = QueryParameters(request: request)
        let metric = try required(q, "metric")
        var area = try area(q, p)
        let polygon = try q.string("polygon").map(Self.polygon)
        var answer: Aggregate
        let rows: [DistrictAggregate]
        if let at = try q.date("at") {
            guard q.string("from") == nil, q.string("to") == nil else {
                throw APIError.badRequest("at names an instant: send either at (with window) or from and to", field: "at")
            }
            let window = try q.int("window", in: 1...86_400) ?? Self.instantWindow
            let start = at.addingTimeInterval(-Double(window))
            let rawCutoff = env.configuration.retention.cutoffs(now: env.clock()).raw
            guard start >= rawCutoff else {
                throw APIError.badRequest(
                    "at minus window reaches back before raw readings are kept (\(Self.time(Reading.milliseconds(rawCutoff)))); aggregate over a range with from and to instead",
                    field: "at")
            }
            if let polygon { area.sources = try await sources(in: polygon, scope: p.scope) }
            let atMs = Reading.milliseconds(at)
            rows = try await env.store.aggregate(metric: metric, area: area, at: atMs, window: Int64(window) * 1000)
            answer = Aggregate(metric: metric, step: "instant", at: Self.time(atMs), window: window, items: [])
        } else {
            guard q.string("window") == nil else { throw APIError.badRequest("window goes with at", field: "window") }
            let (from, to) = try range(q)
            let fromMs = Reading.milliseconds(from), toMs = Reading.milliseconds(to)
            let minuteCutoff = env.configuration.retention.cutoff(for: .minute, now: env.clock())
            let wholeHours = RollupTier.hour.bucketStart(fromMs) == fromMs && RollupTier.hour.bucketStart(toMs) == toMs
            let tier: RollupTier = wholeHours || minuteCutoff.map { from < $0 } == true ? .hour : .minute
            if let polygon { area.sources = try await sources(in: polygon, scope: p.scope) }
            rows = try await env.store.aggregate(metric: metric, tier: tier, area: area, from: fromMs, to: toMs)
            answer = Aggregate(metric: metric, step: tier.rawValue, from: Self.time(fromMs), to: Self.time(toMs), items: [])
        }
        answer.items = rows.map {
            AggregateItem(district: $0.district, min: $0.min, max: $0.max, mean: $0.mean, count: $0.count, sources: $0.sources)
        }
        if polygon != nil, let first = rows.first {
            let count = rows.reduce(0) { $0 + $1.count }, sum = rows.reduce(0) { $0 + $1.sum }
            answer.polygon = AggregateItem(
                district: "*", min: rows.map(\.min).min() ?? first.min, max: rows.map(\.max).max() ?? first.max,
                mean: count > 0 ? sum / Double(count) : 0, count: count, sources: rows.reduce(0) { $0 + $1.sources })
        }
        return try JSONBody.response(answer)
    }

    /// How old a source's newest reading may be to count at an instant, by default: sensors that
    /// report every minute or every few minutes all count, a silent one drops out.
    static let instantWindow = 900

    /// `polygon=lon,lat;lon,lat;...`: at least three corners, closed or not.
    static func polygon(_ text: String) throws -> GeoGeometry {
        var ring: [GeoGeometry.Position] = []
        for pair in text.split(separator: ";") {
            let parts = pair.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let lon = parts[0], let lat = parts[1], (-180...180).contains(lon), (-90...90).contains(lat) else {
                throw APIError.badRequest("polygon corners are lon,lat pairs separated by ';', e.g. 13.30,52.49;13.35,52.49;13.35,52.61", field: "polygon")
            }
            ring.append(.init(lon: lon, lat: lat))
        }
        if let first = ring.first, ring.last != first { ring.append(first) }
        guard Set(ring.map { "\($0.lon),\($0.lat)" }).count >= 3, ring.count <= 10_001 else {
            throw APIError.badRequest("polygon needs at least three distinct corners (and at most 10000)", field: "polygon")
        }
        return GeoGeometry(polygon: [ring])
    }

    /// The displays and registered sensors the caller may see inside `polygon` (edges included).
    private func sources(in polygon: GeoGeometry, scope: DistrictScope) async throws -> [String] {
        let displays = try await env.store.displayMarkers(scope: scope).filter { polygon.contains(lat: $0.lat, lon: $0.lon) }.map(\.id)
        let sensors = try await env.store.sensors(scope: scope).filter { polygon.contains(lat: $0.lat, lon: $0.lon) }.map(\.id)
        return displays + sensors
    }

    /// Streams `source,sequence,metric,time,value` rows page by page; the sequence column is empty
    /// because a stored reading no longer knows its batch. One metric after another, each in time order.
    @Sendable func export(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.readTelemetry)
        let q = QueryParameters(request: request)
        let source = try required(q, "source")
        let (from, to) = try range(q)
        try await requireVisible(source, p)
        let store = env.store
        let metrics: [String]
        if let metric = q.string("metric") {
            metrics = [metric]
        } else {
            metrics = try await store.metrics(source: source)
        }
        let fromMs = Reading.milliseconds(from), toMs = Reading.milliseconds(to)
        let pageSize = Self.exportPageSize
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: ReadingParser.csvColumns.joined(separator: ",") + "\n"))
            for metric in metrics {
                var cursor: ReadingCursor?
                repeat {
                    let page = try await store.rawReadings(source: source, metric: metric, from: fromMs, to: toMs, after: cursor, limit: pageSize)
                    var buffer = ByteBuffer()
                    buffer.reserveCapacity(page.readings.count * 64)
                    for r in page.readings {
                        buffer.writeString("\(r.source),,\(r.metric),\(Self.time(r.time)),\(r.value)\n")
                    }
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                    cursor = page.next
                } while cursor != nil
            }
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(source)-readings.csv\""
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: - Metrics

    struct MetricBody: Codable {
        var name: String
        var unit: String
        var min: Double
        var max: Double
        var description: String

        static let fieldNames: Set<String> = ["name", "unit", "min", "max", "description"]

        init(_ m: Metric) {
            name = m.name
            unit = m.unit
            min = m.range.lowerBound
            max = m.range.upperBound
            description = m.description
        }
    }

    @Sendable func addMetric(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.manageMetrics)
        let input = try await JSONBody.decode(MetricBody.self, from: request, allowedFields: MetricBody.fieldNames, limit: env.configuration.maxBodyBytes)
        guard input.min.isFinite, input.max.isFinite, input.min < input.max else {
            throw ValidationError([FieldIssue(field: "min", message: "min and max must be finite numbers with min below max")])
        }
        let metric = Metric(name: input.name, unit: input.unit, range: input.min...input.max, description: input.description)
        try ValidationError.check(metric.issues())
        try await env.store.addMetric(metric, audit: env.audit(p, "metric.create", "metric", metric.name, "added metric '\(metric.name)'"))
        env.telemetry.invalidate()
        return try JSONBody.response(MetricBody(metric), status: .created)
    }

    // MARK: - Helpers

    private func required(_ q: QueryParameters, _ name: String) throws -> String {
        guard let value = q.string(name) else { throw APIError.badRequest("\(name) is required", field: name) }
        return value
    }

    /// `from` and `to` as ISO 8601 times; the last hour up to now when left out.
    private func range(_ q: QueryParameters) throws -> (Date, Date) {
        let to = try q.date("to") ?? env.clock()
        let from = try q.date("from") ?? to.addingTimeInterval(-3600)
        guard from < to else { throw APIError.badRequest("from must be before to", field: "from") }
        return (from, to)
    }

    private func area(_ q: QueryParameters, _ p: Principal) throws -> ReadingArea {
        var area = ReadingArea(scope: p.scope, district: q.string("district"))
        if let bbox = q.string("bbox") {
            do {
                area.bbox = try BoundingBox(parsing: bbox)
            } catch {
                throw APIError.badRequest(error.summary, field: "bbox")
            }
        }
        return area
    }

    private func requireVisible(_ source: String, _ p: Principal) async throws {
        guard try await env.ingest.visible(source, to: p) else { throw APIError.notFound("source", source) }
    }

    static func time(_ ms: Int64) -> String {
        ReadingTime.format(ms) ?? String(ms)
    }
}

private struct Items<Item: Encodable>: Encodable {
    var items: [Item]
}
