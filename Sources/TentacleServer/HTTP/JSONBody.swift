import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reading and writing JSON bodies the same way on every route.
///
/// Unknown fields in a request body are rejected with 400 naming the field, at any depth, so a
/// typo such as `"tag"` for `"tags"` or `schedule.window` for `schedule.windows` never passes silently.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// The whole body, refused with 413 above `limit` bytes.
    static func bytes(of request: Request, limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.payloadTooLarge, "request body is larger than \(limit) bytes")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.payloadTooLarge, "request body is larger than \(limit) bytes")
        }
    }

    /// Decodes a JSON object body into `T`, checking its media type and its field names.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, allowedFields: Set<String>, limit: Int) async throws -> T {
        if let contentType = request.headers[.contentType], !contentType.lowercased().contains("json") {
            throw APIError(.unsupportedMediaType, "expected Content-Type application/json, got '\(contentType)'")
        }
        let buffer = try await bytes(of: request, limit: limit)
        return try decode(type, from: Data(buffer.readableBytesView), allowedFields: allowedFields)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, allowedFields: Set<String>) throws -> T {
        guard !data.isEmpty else { throw APIError.badRequest("request body is empty; expected a JSON object") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw APIError.badRequest("request body is not valid JSON")
        }
        guard let fields = object as? [String: Any] else {
            throw APIError.badRequest("request body must be a JSON object")
        }
        if let unknown = fields.keys.sorted().first(where: { !allowedFields.contains($0) }) {
            throw APIError(
                .badRequest, "unknown field '\(unknown)'; allowed: \(allowedFields.sorted().joined(separator: ", "))", field: unknown)
        }
        let value: T
        do {
            value = try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error)
        }
        try rejectUnknownFields(T.self, in: data)
        return value
    }

    /// Throws 400 naming the first key, at any depth, that `T` does not read; `prefix` is the
    /// body field the document sits in ("layout").
    static func rejectUnknownFields<T: Decodable>(_ type: T.Type, in data: Data, prefix: String? = nil) throws {
        guard let unknown = UnknownFields.first(type, in: data) else { return }
        let field = prefix.map { "\($0).\(unknown.path)" } ?? unknown.path
        throw APIError(.badRequest, "unknown field '\(field)'; allowed: \(unknown.allowed.joined(separator: ", "))", field: field)
    }

    static func describe(_ error: DecodingError) -> APIError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { acc, key in
                if let i = key.intValue { return acc + "[\(i)]" }
                return acc.isEmpty ? key.stringValue : acc + "." + key.stringValue
            }
        }
        switch error {
        case .typeMismatch(let type, let ctx):
            let field = path(ctx.codingPath)
            return APIError(.badRequest, "\(field): expected \(describe(type))", field: field)
        case .valueNotFound(let type, let ctx):
            let field = path(ctx.codingPath)
            return APIError(.badRequest, "\(field): expected \(describe(type)), got null", field: field)
        case .keyNotFound(let key, let ctx):
            let field = path(ctx.codingPath + [key])
            return APIError(.badRequest, "\(field): is required", field: field)
        case .dataCorrupted(let ctx):
            let field = path(ctx.codingPath)
            return APIError(.badRequest, "\(field.isEmpty ? "body" : field): \(ctx.debugDescription)", field: field.isEmpty ? nil : field)
        @unknown default:
            return APIError.badRequest("request body could not be decoded")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: "a value of type \(type)"
        }
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        let data = try encoder.encode(value)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
