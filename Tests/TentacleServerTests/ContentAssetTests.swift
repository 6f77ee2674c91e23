import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

/// PNG uploads: content-addressed, checked by decoding, limited in size, collected when unused.
@Suite("Content assets")
struct ContentAssetTests {
    @Test func uploadIsStoredOncePerSHA256() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let png = Content.png(seed: 7, width: 6, height: 5)
                let first = try await api.send(.post, "/v1/assets", as: .role(.publisher), bytes: png, contentType: "image/png")
                #expect(first.status == .created, "\(first.text)")
                let record = try first.decode(AssetRecord.self)
                #expect(record.sha256 == Content.sha256Hex(png))
                #expect(record.width == 6 && record.height == 5 && record.byteCount == png.count)
                #expect(record.uploadedBy == "publisher")
                #expect(first.headers[.location] == "/v1/assets/\(record.sha256)")

                let again = try await api.send(.post, "/v1/assets", as: .role(.admin), bytes: png, contentType: "image/png")
                #expect(again.status == .ok)
                #expect(try again.decode(AssetRecord.self) == record, "the first upload's record is kept")
                let list = try await api.send(.get, "/v1/assets", as: .role(.viewer)).decode(Items<AssetRecord>.self)
                #expect(list.items == [record])
                let uploads = try await fx.store.auditEntries(AuditQuery(action: "asset.upload", limit: 10))
                #expect(uploads.count == 1, "a repeated upload changes nothing, so nothing is audited")

                let fetched = try await api.send(.get, "/v1/assets/\(record.sha256)", as: .role(.viewer))
                #expect(fetched.status == .ok)
                #expect(fetched.headers[.contentType] == "image/png")
                #expect(Array(fetched.body.readableBytesView) == png)
                // Hashes are case-insensitive on the way in.
                let upper = try await api.send(.get, "/v1/assets/\(record.sha256.uppercased())", as: .role(.viewer))
                #expect(Array(upper.body.readableBytesView) == png)
            }
        }
    }

    @Test func bytesThatAreNotAPNGAreRefused() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let notPNG = Array("GIF89a, or anything else".utf8)
                let garbage = try await api.send(.post, "/v1/assets", as: .role(.publisher), bytes: notPNG, contentType: "image/png")
                #expect(garbage.status == .unprocessableContent)
                #expect(garbage.apiError?.code == "validation_failed")
                #expect(garbage.apiError?.field == "body")

                var truncated = Content.png(seed: 1)
                truncated.removeLast(20)
                let cut = try await api.send(.post, "/v1/assets", as: .role(.publisher), bytes: truncated, contentType: "image/png")
                #expect(cut.status == .unprocessableContent)

                for type in ["image/jpeg", "application/octet-stream"] {
                    let wrongType = try await api.send(.post, "/v1/assets", as: .role(.publisher), bytes: Content.png(seed: 2), contentType: type)
                    #expect(wrongType.status == .unsupportedMediaType, "\(type)")
                    #expect(wrongType.apiError?.code == "unsupported_media_type")
                }
                let untyped = try await api.send(.post, "/v1/assets", as: .role(.publisher), bytes: Content.png(seed: 3))
                #expect(untyped.status == .unsupportedMediaType)
                #expect(try await fx.store.assets().isEmpty)
            }
        }
    }

    @Test func assetsOverTheLimitAre413() async throws {
        let small = Content.png(seed: 4, width: 2, height: 2)
        let large = Content.png(seed: 5, width: 64, height: 64)
        try await Fixture.with(configure: { $0.maxAssetBytes = small.count + 10 }) { fx in
            #expect(large.count > small.count + 10)
            try await fx.test { api in
                let refused = try await api.send(.post, "/v1/assets", as: .role(.publisher), bytes: large, contentType: "image/png")
                #expect(refused.status == .contentTooLarge)
                #expect(refused.apiError?.code == "payload_too_large")
                let accepted = try await api.send(.post, "/v1/assets", as: .role(.publisher), bytes: small, contentType: "image/png")
                #expect(accepted.status == .created)
                #expect(try await fx.store.assets().map(\.sha256) == [Content.sha256Hex(small)])
            }
        }
    }

    @Test func unknownAssetIs404() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let missing = try await api.send(.get, "/v1/assets/\(String(repeating: "0", count: 64))", as: .role(.viewer))
                #expect(missing.status == .notFound)
            }
        }
    }

    /// Old unreferenced images go; referenced ones and those still inside the grace period stay.
    @Test func collectorDeletesOnlyOldUnreferencedAssets() async throws {
        try await Fixture.with { fx in
            let clock = fx.clock
            let collector = AssetCollector(
                store: fx.store, gracePeriod: 3600, interval: .seconds(3600), clock: { clock.now },
                logger: Logger(label: "collector-test", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await fx.test { api in
                let unused = try await api.upload(Content.png(seed: 10))
                let used = try await api.upload(Content.png(seed: 11))
                try await api.createLayout("lay-picture", document: Content.imageLayout(sha256: used))
                #expect(try await collector.collectOnce().isEmpty, "nothing is older than the grace period yet")

                fx.clock.advance(by: 2 * 3600)
                let recent = try await api.upload(Content.png(seed: 12))
                #expect(try await collector.collectOnce() == [unused])

                let remaining = Set(try await fx.store.assets().map(\.sha256))
                #expect(remaining == [used, recent])
                #expect(try await api.send(.get, "/v1/assets/\(unused)", as: .role(.viewer)).status == .notFound)
                #expect(try await api.send(.get, "/v1/assets/\(used)", as: .role(.viewer)).status == .ok)
                let collected = try await fx.store.auditEntries(AuditQuery(action: "asset.collect", limit: 10))
                #expect(collected.map(\.objectId) == [unused])
                #expect(collected.first?.actor == "system")

                // Once its layout is gone, the referenced image is collected on the next pass.
                #expect(try await api.send(.delete, "/v1/layouts/lay-picture", as: .role(.publisher)).status == .noContent)
                #expect(try await collector.collectOnce() == [used])
            }
        }
    }

    /// A layout saved while a collection pass runs either was saved first, and its image stays, or comes
    /// second and is refused because its image is gone: no stored layout ever draws a collected image.
    @Test func aLayoutSavedDuringCollectionNeverLosesItsImage() async throws {
        try await Fixture.with { fx in
            let clock = fx.clock
            let collector = AssetCollector(
                store: fx.store, gracePeriod: 60, interval: .seconds(3600), clock: { clock.now },
                logger: Logger(label: "collector-test", factory: { _ in SwiftLogNoOpLogHandler() }))
            var saved = 0
            for i in 0..<60 {
                let png = Content.png(seed: 200 + i)
                let sha = Content.sha256Hex(png)
                let asset = AssetRecord(sha256: sha, width: 4, height: 3, byteCount: png.count, uploadedBy: "fixture", uploadedAt: Fixture.start.addingTimeInterval(-3600))
                try await fx.store.putAsset(asset, bytes: png, audit: Fixture.event("asset.upload", "asset", sha))
                let document = Content.imageLayout(sha256: sha)
                let layout = LayoutRecord(
                    id: "lay-\(i)", name: "Picture \(i)", width: 128, height: 64, document: document, createdBy: "fixture",
                    createdAt: Fixture.start, updatedAt: Fixture.start)
                async let collected = collector.collectOnce()
                do {
                    try await fx.store.createLayout(layout, audit: Fixture.event("layout.create", "layout", layout.id))
                } catch let error as StoreError {
                    #expect(error.code == .invalidReference, "\(error)")
                }
                _ = try await collected
                if try await fx.store.layout(id: layout.id) != nil {
                    saved += 1
                    #expect(try await fx.store.asset(sha256: sha) != nil, "layout \(layout.id) was saved but its image was collected")
                }
            }
            #expect(saved > 0)
        }
    }
}
