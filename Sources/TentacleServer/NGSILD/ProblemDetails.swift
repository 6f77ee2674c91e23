import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TentacleCore

/// An NGSI-LD error (ETSI GS CIM 009 §5.5.2): an RFC 7807 ProblemDetails body whose `type` is
/// one of the error URIs the specification defines.
struct NGSIError: Error, Sendable {
    enum Kind: String, Sendable {
        case invalidRequest = "InvalidRequest"
        case badRequestData = "BadRequestData"
        case alreadyExists = "AlreadyExists"
        case operationNotSupported = "OperationNotSupported"
        case resourceNotFound = "ResourceNotFound"
        case internalError = "InternalError"
        case tooComplexQuery = "TooComplexQuery"
        case tooManyResults = "TooManyResults"
        case notAcceptable = "NotAcceptable"
        case unsupportedMediaType = "UnsupportedMediaType"
        // Authentication and authorization have no NGSI-LD error type; these keep the HTTP meaning.
        case unauthorized = "Unauthorized"
        case forbidden = "Forbidden"
        case payloadTooLarge = "PayloadTooLarge"
        case unavailable = "ServiceUnavailable"

        var status: HTTPResponse.Status {
            switch self {
            case .invalidRequest, .badRequestData: .badRequest
            case .alreadyExists: .conflict
            case .operationNotSupported: .unprocessableContent
            case .resourceNotFound: .notFound
            case .internalError: .internalServerError
            case .tooComplexQuery, .tooManyResults: .forbidden
            case .notAcceptable: .notAcceptable
            case .unsupportedMediaType: .unsupportedMediaType
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .payloadTooLarge: .contentTooLarge
            case .unavailable: .serviceUnavailable
            }
        }
    }

    var kind: Kind
    var title: String
    var detail: String

    init(_ kind: Kind, _ detail: String, title: String? = nil) {
        self.kind = kind
        self.detail = detail
        self.title = title ?? Self.titles[kind] ?? kind.rawValue
    }

    private static let titles: [Kind: String] = [
        .invalidRequest: "The request is not well formed", .badRequestData: "The request holds bad data",
        .alreadyExists: "The entity or subscription already exists", .operationNotSupported: "The operation is not supported",
        .resourceNotFound: "Not found", .internalError: "Internal error", .notAcceptable: "No acceptable representation",
        .unsupportedMediaType: "Unsupported media type", .unauthorized: "Authentication required", .forbidden: "Not permitted",
        .payloadTooLarge: "The body is too large", .unavailable: "The database is not reachable now",
    ]

    var typeURI: String {
        switch kind {
        case .unauthorized, .forbidden, .payloadTooLarge, .unavailable: "about:blank"  // RFC 7807: nothing beyond the HTTP status
        default: "https://uri.etsi.org/ngsi-ld/errors/\(kind.rawValue)"
        }
    }

    static func query(_ e: NGSIQueryError) -> NGSIError {
        NGSIError(.badRequestData, e.description)
    }

    /// The NGSI-LD form of any error thrown while answering.
    static func from(_ error: any Error) -> NGSIError {
        if let e = error as? NGSIError { return e }
        if let e = error as? NGSIQueryError { return query(e) }
        let api = APIError.from(error)
        let kind: Kind =
            switch api.code {
            case .badRequest, .validationFailed: .badRequestData
            case .unauthorized: .unauthorized
            case .forbidden, .rateLimited: .forbidden
            case .notFound: .resourceNotFound
            case .conflict: .alreadyExists
            case .payloadTooLarge: .payloadTooLarge
            case .unsupportedMediaType: .unsupportedMediaType
            case .upgradeRequired: .invalidRequest
            case .internalError: .internalError
            case .unavailable: .unavailable
            }
        return NGSIError(kind, api.message)
    }

    func response(headers extra: HTTPFields = [:]) -> Response {
        var out: [UInt8] = Array(#"{"type":"#.utf8)
        JSONText.appendString(typeURI, to: &out)
        out += #","title":"#.utf8
        JSONText.appendString(title, to: &out)
        out += #","detail":"#.utf8
        JSONText.appendString(detail, to: &out)
        out += #","status":"#.utf8
        out += String(kind.status.code).utf8
        out.append(UInt8(ascii: "}"))
        var fields = extra
        fields[.contentType] = "application/json"
        if kind == .unauthorized { fields[.wwwAuthenticate] = "Bearer realm=\"tentacle\"" }
        return Response(status: kind.status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }
}

/// Answers every error below it, authentication included, as NGSI-LD ProblemDetails.
struct ProblemDetailsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return NGSIError.from(error).response()
        }
    }
}
