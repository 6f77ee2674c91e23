import Foundation
import Hummingbird
import NIOCore
import TentacleCore
import TentacleRender
import TentacleStore

/// PNG images for layouts, stored once per SHA-256 of their bytes.
struct AssetController {
    let env: ServerEnvironment

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("assets") { _, context in
            _ = try context.user(.readContent)
            return try JSONBody.response(["items": try await env.store.assets()])
        }
        group.post("assets", use: upload)
        group.get("assets/:sha256") { _, context in
            _ = try context.user(.readContent)
            let sha = try context.parameters.require("sha256").lowercased()
            guard let bytes = try await env.store.assetBytes(sha256: sha) else { throw APIError.notFound("asset", sha) }
            return Response(
                status: .ok, headers: [.contentType: "image/png", .cacheControl: "public, max-age=31536000, immutable"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    @Sendable func upload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeContent)
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        guard contentType.hasPrefix("image/png") else {
            throw APIError(.unsupportedMediaType, "upload the image as Content-Type image/png, got '\(contentType)'")
        }
        let buffer = try await JSONBody.bytes(of: request, limit: env.configuration.maxAssetBytes)
        let bytes = Array(buffer.readableBytesView)
        let frame: Frame
        do {
            frame = try PNG.decode(bytes)
        } catch {
            throw APIError(.validationFailed, "not a PNG image this server can show: \(error)", field: "body")
        }
        let sha = TextEncoding.sha256Hex(bytes)
        let record = AssetRecord(
            sha256: sha, width: frame.width, height: frame.height, byteCount: bytes.count, uploadedBy: p.username, uploadedAt: env.clock())
        let created = try await env.store.putAsset(
            record, bytes: bytes,
            audit: env.audit(p, "asset.upload", "asset", sha, "uploaded \(frame.width)x\(frame.height) PNG, \(bytes.count) bytes"))
        let stored = created ? record : (try await env.store.asset(sha256: sha) ?? record)
        return try JSONBody.response(stored, status: created ? .created : .ok, headers: [.location: "/v1/assets/\(sha)"])
    }
}
