import Foundation
import Hummingbird
import NIOCore
import TentacleCore
import TentacleRender
import TentacleStore

/// Layouts: the renderer's JSON documents, validated on the way in, with starter templates and previews.
struct LayoutController {
    let env: ServerEnvironment
    var library: ContentLibrary { ContentLibrary(store: env.store) }

    /// A layout as the API shows it: the record's fields with the document as JSON, not a string.
    struct LayoutBody: Encodable {
        var record: LayoutRecord

        enum CodingKeys: String, CodingKey { case id, name, width, height, layout, createdBy, createdAt, updatedAt }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(record.id, forKey: .id)
            try c.encode(record.name, forKey: .name)
            try c.encode(record.width, forKey: .width)
            try c.encode(record.height, forKey: .height)
            try c.encode(RawJSON(text: record.document), forKey: .layout)
            try c.encode(record.createdBy, forKey: .createdBy)
            try c.encode(record.createdAt, forKey: .createdAt)
            try c.encode(record.updatedAt, forKey: .updatedAt)
        }
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("layouts") { _, context in
            _ = try context.user(.readContent)
            return try JSONBody.response(["items": try await env.store.layouts().map(LayoutBody.init)])
        }
        group.get("layouts/templates") { _, context in
            _ = try context.user(.readContent)
            return try JSONBody.response(["items": LayoutTemplates.all.map { TemplateBody(template: $0) }])
        }
        group.post("layouts", use: create)
        group.get("layouts/:id") { _, context in
            _ = try context.user(.readContent)
            return try JSONBody.response(LayoutBody(record: try await find(context)))
        }
        group.put("layouts/:id", use: replace)
        group.delete("layouts/:id") { _, context in
            let p = try context.user(.writeContent)
            let record = try await find(context)
            try await env.store.deleteLayout(id: record.id, audit: env.audit(p, "layout.delete", "layout", record.id, "deleted layout '\(record.name)'"))
            return Response(status: .noContent)
        }
        group.post("layouts/preview.png", use: previewDraft)
        group.get("layouts/:id/preview.png") { request, context in
            _ = try context.user(.readContent)
            let record = try await find(context)
            let q = QueryParameters(request: request)
            let layout = try ContentLibrary.decode(record)
            let renderer = Renderer(assets: try await library.assets(ContentLibrary.assetHashes(of: layout)))
            let frame = renderer.render(layout, at: try q.date("at") ?? env.clock(), data: try Self.data(q))
            return try PreviewImage.response(frame, query: q)
        }
    }

    /// `POST /v1/layouts/preview.png`: an unsaved layout document rendered, so an editor shows
    /// the panel's frame while its author types; invalid documents answer 422 like a save would.
    @Sendable func previewDraft(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.user(.writeContent)
        let q = QueryParameters(request: request)
        let body = try await request.body.collect(upTo: env.configuration.maxBodyBytes)
        let layout = try await library.validatedLayout(Data(body.readableBytesView))
        let renderer = Renderer(assets: try await library.assets(ContentLibrary.assetHashes(of: layout)))
        let frame = renderer.render(layout, at: try q.date("at") ?? env.clock(), data: try Self.data(q))
        return try PreviewImage.response(frame, query: q)
    }

    func find(_ context: AppRequestContext) async throws -> LayoutRecord {
        let id = try context.parameters.require("id")
        guard let record = try await env.store.layout(id: id) else { throw APIError.notFound("layout", id) }
        return record
    }

    /// `data=pm25:37,no2:12` for previews of live values.
    static func data(_ q: QueryParameters) throws -> [String: Double] {
        guard let text = q.string("data") else { return [:] }
        var values: [String: Double] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, let v = Double(parts[1]), v.isFinite else {
                throw APIError.badRequest("data must look like pm25:37,no2:12", field: "data")
            }
            values[String(parts[0])] = v
        }
        return values
    }

    struct LayoutInput: Decodable {
        var id: String?
        var name: String
        var layout: RawJSON
    }

    func decodeInput(_ request: Request) async throws -> (LayoutInput, Layout) {
        let input = try await JSONBody.decode(
            LayoutInput.self, from: request, allowedFields: ["id", "name", "layout"], limit: env.configuration.maxBodyBytes)
        var c = IssueCollector()
        if let id = input.id, !Identifier.isValid(id) { c.add("id", "'\(id.prefix(80))' is not a valid id: \(Identifier.rule)") }
        let name = input.name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty || name.count > 120 { c.add("name", "must be 1-120 characters") }
        try c.check()
        let layout = try await library.validatedLayout(Data(input.layout.text.utf8))
        return (input, layout)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeContent)
        let (input, layout) = try await decodeInput(request)
        let now = env.clock()
        let record = LayoutRecord(
            id: input.id ?? Identifier.generate(prefix: "lay"), name: input.name, width: layout.width, height: layout.height,
            document: String(decoding: layout.json(), as: UTF8.self), createdBy: p.username, createdAt: now, updatedAt: now)
        try await env.store.createLayout(
            record, audit: env.audit(p, "layout.create", "layout", record.id, "created \(record.width)x\(record.height) layout '\(record.name)'"))
        return try JSONBody.response(LayoutBody(record: record), status: .created, headers: [.location: "/v1/layouts/\(record.id)"])
    }

    /// Editing a default layout changes those displays at once, so it needs the right to set that default
    /// (see `PUT /v1/default-layouts`): admin for the global one, no district scope for a group's, the
    /// display's district for a display's.
    func checkDefaults(using id: String, by p: Principal) async throws {
        let defaults = try await env.store.defaultLayouts()
        if defaults.global == id && p.role != .admin {
            throw APIError(.forbidden, "layout '\(id)' is the global default; only admins change it")
        }
        guard case .only = p.scope else { return }
        if defaults.byGroup.values.contains(id) {
            throw APIError(.forbidden, "layout '\(id)' is a group default, which reaches every district")
        }
        for (display, layout) in defaults.byDisplay where layout == id {
            guard let found = try await env.store.display(id: display), p.scope.contains(found.district) else {
                throw APIError(.forbidden, "layout '\(id)' is the default of a display outside your districts")
            }
        }
    }

    @Sendable func replace(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeContent)
        var record = try await find(context)
        let (input, layout) = try await decodeInput(request)
        if let id = input.id, id != record.id { throw ValidationError(field: "id", "a layout's id cannot change") }
        try await checkDefaults(using: record.id, by: p)
        record.name = input.name
        record.width = layout.width
        record.height = layout.height
        record.document = String(decoding: layout.json(), as: UTF8.self)
        record.updatedAt = env.clock()
        try await env.store.updateLayout(record, audit: env.audit(p, "layout.update", "layout", record.id, "replaced layout '\(record.name)'"))
        return try JSONBody.response(LayoutBody(record: record))
    }
}

/// A JSON value kept as its text, so renderer documents pass through the API unchanged.
struct RawJSON: Codable, Sendable {
    var text: String

    init(text: String) {
        self.text = text
    }

    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(JSONValue.self)
        let data = try JSONEncoder().encode(value)
        text = String(decoding: data, as: UTF8.self)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
    }
}

/// Any JSON value, for carrying documents whose schema belongs to another module.
enum JSONValue: Codable, Sendable {
    /// Integers stay exact (a Double would round those beyond 2^53, changing what the document says).
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .integer(let i): try c.encode(i)
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// PNG responses for previews: `scale` 1...16 and `ledLook=true` for the round-dot look.
enum PreviewImage {
    static func response(_ frame: Frame, query q: QueryParameters) throws -> Response {
        let scale = try q.int("scale", in: 1...16) ?? 1
        let ledLook = q.string("ledLook") == "true"
        let out = scale > 1 || ledLook ? LEDLook.upscale(frame, scale: scale, ledLook: ledLook) : frame
        return Response(
            status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: PNG.encode(out))))
    }
}
