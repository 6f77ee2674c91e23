import Foundation
import Hummingbird
import Synchronization
import TentacleCore
import TentacleStore

/// The display registry: list, create, read, change, delete and bulk import.
struct DisplayController {
    let env: ServerEnvironment
    var provisioning: DisplayProvisioning { env.provisioning }

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
            try await provisioning.delete(try await visibleDisplay(context), by: p)
            return Response(status: .noContent)
        }
        group.post("displays/import", use: importDisplays)
    }

    /// The display named in the path, if the caller may see it; 404 otherwise, so displays
    /// outside a user's districts are indistinguishable from ones that do not exist.
    func visibleDisplay(_ context: AppRequestContext) async throws -> Display {
        let p = try context.user(.readRegistry)
        return try await provisioning.display(try context.parameters.require("id"), as: p)
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
        let display = try await provisioning.create(input, by: p)
        return try JSONBody.response(display, status: .created, headers: [.location: "/v1/displays/\(display.id)"])
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeDisplays)
        let current = try await visibleDisplay(context)
        let input = try await JSONBody.decode(
            DisplayInput.self, from: request, allowedFields: DisplayInput.fieldNames, limit: env.configuration.maxBodyBytes)
        return try JSONBody.response(try await provisioning.update(current, with: input, by: p))
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
        let displays = try await provisioning.importRows(try parsed.get(), from: contentType.hasPrefix("text/csv") ? "CSV" : "GeoJSON", by: p)
        return try JSONBody.response(ImportResult(imported: displays.count, ids: displays.map(\.id)), status: .created)
    }
}
