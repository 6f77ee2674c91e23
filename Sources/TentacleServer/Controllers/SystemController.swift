import Foundation
import Hummingbird
import NIOCore
import TentacleCore
import TentacleStore

/// Health, version, metrics and the API description: no sign-in needed.
struct SystemController {
    let env: ServerEnvironment

    func register(on router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in
            _ = try await env.store.userCount()
            return try JSONBody.response(["status": "ok"])
        }
        router.get("v1/version") { _, _ in
            try JSONBody.response(["version": Tentacle.version, "api": Tentacle.apiVersion])
        }
        router.get("metrics") { _, _ in
            let counts = try await env.store.displayCountsByStatus()
            for status in DisplayStatus.allCases {
                env.metrics.gauge("tentacle_displays", [("status", status.rawValue)], Double(counts[status] ?? 0))
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: env.metrics.exposition())))
        }
        router.get("openapi.yaml") { _, _ in
            try Self.resource("openapi.yaml", contentType: "application/yaml; charset=utf-8")
        }
        router.get("/") { _, _ in
            try Self.resource("index.html", contentType: "text/html; charset=utf-8")
        }
        router.get("app/:file") { _, context in
            let file = try context.parameters.require("file")
            guard let type = Self.appFileType(file) else { throw APIError.notFound("dashboard file", file) }
            return try Self.resource("app/\(file)", contentType: type)
        }
    }

    /// The content type of a dashboard file name, or nil for a name that cannot be one.
    static func appFileType(_ file: String) -> String? {
        guard file.count <= 64, file.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }),
              !file.hasPrefix(".")
        else { return nil }
        if file.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if file.hasSuffix(".css") { return "text/css; charset=utf-8" }
        return nil
    }

    /// Dashboard files are revalidated on every load, so a new version of the server is picked up
    /// at once; they are small and served from memory-mapped resources.
    static func resource(_ name: String, contentType: String) throws -> Response {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Public"),
              let data = try? Data(contentsOf: url)
        else { throw APIError(.notFound, "\(name) is missing from this build") }
        return Response(
            status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
