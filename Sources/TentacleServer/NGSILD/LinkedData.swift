import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TentacleCore

/// The JSON-LD side of NGSI-LD answers: which `@context` they use and how the client asked for it.
///
/// Tentacle answers in short names (`pm25`, `LAeq`, `Display`) defined by one context document
/// it serves itself; that document imports the NGSI-LD core context and the Smart Data Models'
/// contexts and adds Tentacle's own terms.
enum LinkedData {
    static let path = "ngsi-ld/v1/jsonldContexts/tentacle"
    static let coreContext = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
    static let linkRelation = "http://www.w3.org/ns/json-ld#context"
    static let link = HTTPField.Name("Link")!
    static let smartDataModels = [
        "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld",
        "https://raw.githubusercontent.com/smart-data-models/dataModel.Weather/master/context.jsonld",
        "https://raw.githubusercontent.com/smart-data-models/dataModel.Device/master/context.jsonld",
        "https://raw.githubusercontent.com/smart-data-models/dataModel.Streetlighting/master/context.jsonld",
    ]
    /// Tentacle's own terms: the `Display` model and the attributes no Smart Data Model names.
    static let ownTerms = [
        "Display", "resolution", "status", "timezone", "groups", "tags", "showing", "dateLastSeen", "panelTemperature",
        "supplyVoltage", "frameRate", "brightness", "refStreetlight", "refDisplay",
    ]

    /// The representation a request's `Accept` header asks for.
    enum Representation {
        /// `application/json`, the context in a `Link` header.
        case json
        /// `application/ld+json`, the context in the body.
        case linkedData

        var contentType: String { self == .json ? "application/json" : "application/ld+json" }
    }

    /// `application/json` unless `application/ld+json` is preferred; 406 when neither is acceptable.
    static func representation(_ request: Request) throws -> Representation {
        guard let accept = request.headers[.accept], !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return .json }
        var json = -1.0, ld = -1.0
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            var q = 1.0
            for p in parts.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            switch parts.first ?? "" {
            case "application/ld+json": ld = max(ld, q)
            case "application/json": json = max(json, q)
            case "*/*", "application/*": json = max(json, q * 0.999)
            default: continue
            }
        }
        if ld > 0 && ld >= json { return .linkedData }
        if json > 0 { return .json }
        throw NGSIError(.notAcceptable, "Accept must allow application/json or application/ld+json")
    }

    /// The URL of the served context, as the client reached this server (behind a proxy, its
    /// `X-Forwarded-Proto` and `Host`).
    static func contextURL(_ request: Request) -> String {
        let https = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
        let host = request.head.authority ?? "localhost"
        return "\(https ? "https" : "http")://\(host)/\(path)"
    }

    /// A JSON answer in the asked representation: with `application/json` the context travels in
    /// a `Link` header, with `application/ld+json` the body already holds it.
    static func response(_ body: [UInt8], _ representation: Representation, context: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        var fields = headers
        fields[.contentType] = representation.contentType
        if representation == .json { fields[Self.link] = #"<\#(context)>; rel="\#(linkRelation)"; type="application/ld+json""# }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The context document served at `path`.
    static func document(contextURL: String) -> [UInt8] {
        var terms: [String: NGSIValue] = [:]
        for term in ownTerms { terms[term] = .string("\(contextURL)#\(term)") }
        let doc = NGSIValue.object(["@context": .array([.string(coreContext)] + smartDataModels.map { .string($0) } + [.object(terms)])])
        var out: [UInt8] = []
        doc.write(to: &out)
        return out
    }
}
