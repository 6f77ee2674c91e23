import Foundation
import Hummingbird
import Synchronization
import TentacleCore
import TentacleStore

/// The display registry: list, create, read, change, delete and bulk import.
struct DisplayController {
    let env: ServerEnvironment

    struct DisplayPage: Encodable {
        var items: [Display]
        var nextCursor: String?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("displays", use: list)
        group.post("displays", use: create)
        group.get("displays/:id") { _, context in
            try JSONBody.response(try await visibleDisplay(context))
        }
        group.patch("displays/:id", use: update)
        group.delete("displays/:id") { _, context in
            let p = try context.user(.writeDisplays)
            let display = try await visibleDisplay(context)
            try await env.store.deleteDisplay(
                id: display.id, audit: env.audit(p, "display.delete", "display", display.id, "deleted display '\(display.name)'"))
            env.channel.disconnect(display.id, reason: "display deleted")
            return Response(status: .noContent)
        }
        group.post("displays/import", use: importDisplays)
    }

    /// The display named in the path, if the caller may see it; 404 otherwise, so displays
    /// outside a user's districts are indistinguishable from ones that do not exist.
    func visibleDisplay(_ context: AppRequestContext) async throws -> Display {
        let p = try context.user(.readRegistry)
        let id = try context.parameters.require("id")
        guard let display = try await env.store.display(id: id), p.scope.contains(display.district) else {
            throw APIError.notFound("display", id)
        }
        return display
    }

    /// Scoped users may only place displays in their own districts.
    static func checkScope(_ p: Principal, district: String) throws {
        guard p.scope.contains(district) else {
            throw APIError(.forbidden, "district '\(district)' is outside your districts", field: "district")
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.readRegistry)
        let q = QueryParameters(request: request)
        var query = DisplayQuery(scope: p.scope)
        query.district = q.string("district")
        query.group = q.string("group")
        query.tag = q.string("tag")
        query.status = try q.oneOf("status", DisplayStatus.self)
        if let bbox = q.string("bbox") {
            do {
                query.bbox = try BoundingBox(parsing: bbox)
            } catch {
                throw APIError.badRequest(error.summary, field: "bbox")
            }
        }
        query.limit = try q.int("limit", in: 1...DisplayQuery.maxLimit) ?? DisplayQuery.defaultLimit
        query.after = try q.cursor()
        let page = try await env.store.listDisplays(query)
        return try JSONBody.response(DisplayPage(items: page.items, nextCursor: page.nextCursor.map(Cursor.encode)))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeDisplays)
        let input = try await JSONBody.decode(
            DisplayInput.self, from: request, allowedFields: DisplayInput.fieldNames, limit: env.configuration.maxBodyBytes)
        try ValidationError.check(DisplayRules.issues(in: input, creating: true))
        try Self.checkScope(p, district: input.district ?? "")
        let display = Display(creating: input, id: input.id ?? Identifier.generate(prefix: "dsp"), at: env.clock())
        try await env.store.createDisplay(
            display,
            audit: env.audit(p, "display.create", "display", display.id, "created display '\(display.name)' in \(display.district)"))
        return try JSONBody.response(display, status: .created, headers: [.location: "/v1/displays/\(display.id)"])
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeDisplays)
        let current = try await visibleDisplay(context)
        let input = try await JSONBody.decode(
            DisplayInput.self, from: request, allowedFields: DisplayInput.fieldNames, limit: env.configuration.maxBodyBytes)
        if let id = input.id, id != current.id {
            throw ValidationError(field: "id", "a display's id cannot change")
        }
        try ValidationError.check(DisplayRules.issues(in: input, creating: false))
        if let district = input.district { try Self.checkScope(p, district: district) }
        let updated = current.applying(input, at: env.clock())
        let fields = input.presentFields.filter { $0 != "id" }
        try await env.store.updateDisplay(
            updated,
            audit: env.audit(p, "display.update", "display", updated.id, "changed \(fields.joined(separator: ", "))"))
        if let session = env.channel.session(updated.id) {
            session.state.withLock { $0.display = updated }
            session.send(env.channel.welcome(updated))
        }
        return try JSONBody.response(updated)
    }


    struct ImportResult: Encodable {
        var imported: Int
        var ids: [String]
    }

    /// CSV (`text/csv`) or a GeoJSON FeatureCollection (`application/geo+json`): all rows or none.
    @Sendable func importDisplays(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeDisplays)
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        let buffer = try await JSONBody.bytes(of: request, limit: env.configuration.maxImportBytes)
        let bytes = Array(buffer.readableBytesView)
        let parsed: Result<[ImportRow], ValidationError>
        if contentType.hasPrefix("text/csv") {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw APIError.badRequest("the CSV file is not valid UTF-8")
            }
            parsed = DisplayImport.parseCSV(text)
        } else if contentType.contains("json") {
            parsed = DisplayImport.parseGeoJSON(bytes)
        } else {
            throw APIError(.unsupportedMediaType, "send text/csv or application/geo+json, got '\(contentType)'")
        }
        let rows = try parsed.get()
        guard !rows.isEmpty else { throw ValidationError(field: "body", "the file holds no displays") }
        var outside: [FieldIssue] = []
        for r in rows where !p.scope.contains(r.input.district ?? "") {
            outside.append(FieldIssue(field: "district", message: "district '\(r.input.district ?? "")' is outside your districts", row: r.row))
        }
        try ValidationError.check(outside)
        let now = env.clock()
        let displays = rows.map { (row: $0.row, display: Display(creating: $0.input, id: $0.input.id ?? Identifier.generate(prefix: "dsp"), at: now)) }
        let kind = contentType.hasPrefix("text/csv") ? "CSV" : "GeoJSON"
        try await env.store.importDisplays(
            displays, audit: env.audit(p, "display.import", "display", "*", "imported \(displays.count) displays from \(kind)"))
        return try JSONBody.response(ImportResult(imported: displays.count, ids: displays.map(\.display.id)), status: .created)
    }
}
