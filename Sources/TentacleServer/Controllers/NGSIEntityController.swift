import Foundation
import HTTPTypes
import Hummingbird
import TentacleCore
import TentacleStore

/// NGSI-LD context information (ETSI GS CIM 009): displays, sensors, poles and their latest
/// readings as entities, queried by type, id, attribute, the query language and place.
/// Read-only: Tentacle's own API changes the records behind them.
struct NGSIEntityController {
    let env: ServerEnvironment
    static let defaultLimit = 20
    static let maxLimit = 1000

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("entities", use: query)
        group.get("entities/:id") { request, context in
            let p = try context.user(.readTelemetry)
            let params = NGSIParameters(request: request)
            let representation = try LinkedData.representation(request)
            let id = try context.parameters.require("id")
            guard var entity = try await env.entities.entity(id: id, scope: p.scope) else {
                throw NGSIError(.resourceNotFound, "entity '\(id.prefix(200))' not found")
            }
            if let attrs = params.list("attrs") {
                entity = entity.keeping(Set(attrs))
            }
            let contextURL = LinkedData.contextURL(request)
            let body = entity.json(try params.format(), context: representation == .linkedData ? [contextURL] : nil)
            return LinkedData.response(body, representation, context: contextURL)
        }
        group.get("types") { request, context in
            _ = try context.user(.readTelemetry)
            let representation = try LinkedData.representation(request)
            let contextURL = LinkedData.contextURL(request)
            var list: [String: NGSIValue] = [
                "id": .string("urn:ngsi-ld:EntityTypeList:tentacle"), "type": .string("EntityTypeList"),
                "typeList": .array(EntityType.all.map { .string($0) }),
            ]
            if representation == .linkedData { list["@context"] = .string(contextURL) }
            var out: [UInt8] = []
            NGSIValue.object(list).write(to: &out)
            return LinkedData.response(out, representation, context: contextURL)
        }
        let readOnly: @Sendable (Request, AppRequestContext) async throws -> Response = { _, _ in
            throw NGSIError(.operationNotSupported, "entities are Tentacle's displays, sensors and readings; change them through /v1")
        }
        group.post("entities", use: readOnly)
        group.patch("entities/:id", use: readOnly)
        group.delete("entities/:id", use: readOnly)
    }

    /// The context document every answer links to; public, as JSON-LD processors fetch it unauthenticated.
    static func registerContext(on router: Router<AppRequestContext>) {
        router.get(RouterPath(stringLiteral: LinkedData.path)) { request, _ in
            var fields = HTTPFields()
            fields[.contentType] = "application/ld+json"
            fields[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: fields, body: .init(byteBuffer: .init(bytes: LinkedData.document(contextURL: LinkedData.contextURL(request)))))
        }
    }

    @Sendable func query(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.readTelemetry)
        let params = NGSIParameters(request: request)
        let representation = try LinkedData.representation(request)
        let format = try params.format()
        let selector = try params.selector()
        let limit = try params.int("limit", in: 0...Self.maxLimit) ?? Self.defaultLimit
        let offset = try params.int("offset", in: 0...Int(Int32.max)) ?? 0
        if limit == 0 && !params.wantsCount {
            throw NGSIError(.badRequestData, "limit 0 is only allowed with count=true")
        }
        let matching = try await env.entities.entities(types: selector.types, scope: p.scope).filter(selector.matches)
        let page = matching.dropFirst(offset).prefix(limit)
        let attrs = params.list("attrs").map(Set.init)
        let contextURL = LinkedData.contextURL(request)
        let body = ContextEntity.jsonArray(page.map { $0.keeping(attrs) }, format, context: representation == .linkedData ? [contextURL] : nil)
        var headers = HTTPFields()
        if params.wantsCount { headers[Self.resultsCount] = String(matching.count) }
        return LinkedData.response(body, representation, context: contextURL, headers: headers)
    }

    static let resultsCount = HTTPField.Name("NGSILD-Results-Count")!
}
