import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TentacleCore
import TentacleStore

/// An error as the API reports it: `{"error": {"code", "message", "field", "issues"}}`.
struct APIError: Error, Sendable {
    enum Code: String, Sendable {
        case badRequest = "bad_request"
        case unauthorized
        case forbidden
        case notFound = "not_found"
        case conflict
        case payloadTooLarge = "payload_too_large"
        case unsupportedMediaType = "unsupported_media_type"
        case validationFailed = "validation_failed"
        case rateLimited = "rate_limited"
        case upgradeRequired = "upgrade_required"
        case internalError = "internal_error"
        case unavailable

        var status: HTTPResponse.Status {
            switch self {
            case .badRequest: .badRequest
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .conflict: .conflict
            case .payloadTooLarge: .contentTooLarge
            case .unsupportedMediaType: .unsupportedMediaType
            case .validationFailed: .unprocessableContent
            case .rateLimited: .tooManyRequests
            case .upgradeRequired: HTTPResponse.Status(code: 426, reasonPhrase: "Upgrade Required")
            case .internalError: .internalServerError
            case .unavailable: .serviceUnavailable
            }
        }
    }

    var code: Code
    var message: String
    var field: String?
    var issues: [FieldIssue]
    var headers: HTTPFields

    init(_ code: Code, _ message: String, field: String? = nil, issues: [FieldIssue] = [], headers: HTTPFields = [:]) {
        self.code = code
        self.message = message
        self.field = field
        self.issues = issues
        self.headers = headers
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, message, headers: [.wwwAuthenticate: "Bearer realm=\"tentacle\""])
    }

    static func notFound(_ type: String, _ id: String) -> APIError {
        APIError(.notFound, "\(type) '\(id)' not found")
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, message, field: field)
    }

    /// The API form of any error thrown below the HTTP layer.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e as DomainError:
            let code: Code =
                switch e.code {
                case .notFound: .notFound
                case .conflict, .duplicate: .conflict
                case .forbidden: .forbidden
                case .unreadable: .badRequest
                default: .validationFailed
                }
            return APIError(code, e.message, field: e.field, issues: e.issues)
        case let e as ValidationError:
            return APIError(.validationFailed, e.summary, field: e.issues.first?.field, issues: e.issues)
        case let e as StoreError:
            switch e.code {
            case .notFound: return APIError(.notFound, e.message, field: e.field)
            case .conflict: return APIError(.conflict, e.message, field: e.field)
            case .invalidReference:
                return APIError(
                    .validationFailed, e.message, field: e.field,
                    issues: [FieldIssue(field: e.field ?? "", message: e.message, row: e.row)])
            case .unavailable: return APIError(.unavailable, e.message, headers: [.retryAfter: "5"])
            }
        case let e as ImportError:
            let issues = e.problems.map { FieldIssue(field: $0.field ?? "", message: $0.message, row: $0.row) }
            let summary = ValidationError(issues).summary
            return APIError(.validationFailed, "import refused, nothing stored: \(summary)", field: issues.first?.field, issues: issues)
        case let e as HTTPError:
            switch e.status {
            case .contentTooLarge: return APIError(.payloadTooLarge, "request body is larger than the server accepts")
            case .notFound: return APIError(.notFound, e.body ?? "no such route")
            case .methodNotAllowed: return APIError(.badRequest, "method not allowed on this route")
            case .unauthorized: return APIError.unauthorized(e.body ?? "authentication required")
            default:
                if e.status.code >= 500 { return APIError(.internalError, "internal error") }
                return APIError(.badRequest, e.body ?? e.status.reasonPhrase)
            }
        default:
            return APIError(.internalError, "internal error")
        }
    }

    private struct Body: Encodable {
        struct Inner: Encodable {
            var code: String
            var message: String
            var field: String?
            var issues: [FieldIssue]?
        }
        var error: Inner
    }

    func response() -> Response {
        let (head, body) = responseParts()
        return Response(status: head.status, headers: head.headerFields, body: .init(byteBuffer: body))
    }

    /// The response head and JSON body, for writers below the router.
    func responseParts() -> (HTTPResponse, ByteBuffer) {
        let body = Body(error: .init(code: code.rawValue, message: message, field: field, issues: issues.isEmpty ? nil : issues))
        let data = (try? JSONBody.encoder.encode(body)) ?? Data(#"{"error":{"code":"internal_error","message":"internal error"}}"#.utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return (HTTPResponse(status: code.status, headerFields: fields), ByteBuffer(bytes: data))
    }
}
