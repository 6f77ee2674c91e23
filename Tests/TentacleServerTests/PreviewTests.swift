import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import TentacleRender
import Testing

/// A display's preview is exactly what the renderer draws for the layout it resolves to.
@Suite("Display preview")
struct PreviewTests {
    static let at = "2026-01-01T08:30:17Z"
    static var time: Date { ISO8601DateFormatter().date(from: at)! }

    static func rendered(_ document: String, assets: [String: [UInt8]] = [:]) throws -> Frame {
        Renderer(assets: InMemoryAssets(assets)).render(try Layout(json: Data(document.utf8)), at: time)
    }

    @Test func previewEqualsTheRenderersFrame() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole", template: "pole-128x64")
                try await api.publish(Content.campaign("cmp-1", playlist: [("lay-pole", 10)]))

                let preview = try await api.frame("/v1/displays/north-1/preview.png?at=\(Self.at)")
                let expected = try Self.rendered(Content.template("pole-128x64"))
                #expect(preview.width == expected.width && preview.height == expected.height)
                #expect(preview.bytes == expected.bytes)
                #expect(preview.bytes.contains { $0 != 0 }, "the frame shows something")
                // A minute later the clock shows another time, so the frame differs: the time really is used.
                let later = try await api.frame("/v1/displays/north-1/preview.png?at=2026-01-01T08:31:17Z")
                #expect(later.bytes != expected.bytes)
            }
        }
    }

    @Test func previewShowsTheDisplaysLatestSensorValues() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole", template: "pole-128x64")
                try await api.publish(Content.campaign("cmp-1", playlist: [("lay-pole", 10)]))
                let batch = #"{"source": "north-1", "sequence": 1, "readings": [{"metric": "pm25", "time": "2025-12-31T23:59:00Z", "value": 42}]}"#
                #expect(try await api.send(.post, "/v1/readings", json: batch).status == .created)

                let preview = try await api.frame("/v1/displays/north-1/preview.png?at=\(Self.at)")
                let layout = try Layout(json: Data(Content.template("pole-128x64").utf8))
                #expect(preview.bytes == Renderer().render(layout, at: Self.time, data: ["pm25": 42]).bytes)
                #expect(preview.bytes != Renderer().render(layout, at: Self.time).bytes, "the value changes the frame")
                // `data` overrides what the display measured.
                let override = try await api.frame("/v1/displays/north-1/preview.png?at=\(Self.at)&data=pm25:7")
                #expect(override.bytes == Renderer().render(layout, at: Self.time, data: ["pm25": 7]).bytes)
            }
        }
    }

    @Test func previewDrawsUploadedImages() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let png = Content.png(seed: 200, width: 16, height: 8)
                let sha = try await api.upload(png)
                try await api.createLayout("lay-picture", document: Content.imageLayout(sha256: sha))
                try await api.publish(Content.campaign("cmp-1", playlist: [("lay-picture", 10)]))

                let preview = try await api.frame("/v1/displays/north-1/preview.png?at=\(Self.at)")
                let expected = try Self.rendered(Content.imageLayout(sha256: sha), assets: [sha: png])
                #expect(preview.bytes == expected.bytes)
                #expect(preview.pixel(x: 0, y: 0) != .black)
            }
        }
    }

    @Test func scaleMultipliesTheDimensions() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole", template: "pole-128x64")
                #expect(try await api.send(.put, "/v1/default-layouts", as: .role(.admin), json: #"{"global": "lay-pole"}"#).status == .ok)
                let plain = try await api.frame("/v1/displays/north-1/preview.png?at=\(Self.at)")
                let scaled = try await api.frame("/v1/displays/north-1/preview.png?at=\(Self.at)&scale=4")
                #expect(scaled.width == 4 * 128 && scaled.height == 4 * 64)
                #expect(scaled.bytes == LEDLook.upscale(plain, scale: 4, ledLook: false).bytes)
                for (x, y) in [(0, 0), (40, 20), (127, 63)] {
                    #expect(scaled.pixel(x: 4 * x + 3, y: 4 * y + 3) == plain.pixel(x: x, y: y))
                }
                let refused = try await api.send(.get, "/v1/displays/north-1/preview.png?scale=0", as: .role(.viewer))
                #expect(refused.status == .badRequest)
                #expect(refused.apiError?.field == "scale")
            }
        }
    }

    /// The layout is drawn from the panel's top-left corner: cropped on a smaller panel, padded
    /// with black on a larger one.
    @Test func aPanelOfAnotherSizeGetsItsOwnSize() async throws {
        try await Fixture.with { fx in
            try await fx.addDisplay("north-small", district: "north", width: 64, height: 32)
            try await fx.addDisplay("north-large", district: "north", width: 192, height: 96)
            try await fx.test { api in
                try await api.createLayout("lay-pole", template: "pole-128x64")
                try await api.publish(Content.campaign("cmp-1", playlist: [("lay-pole", 10)]))
                let full = try Self.rendered(Content.template("pole-128x64"))

                for (display, width, height) in [("north-small", 64, 32), ("north-large", 192, 96)] {
                    let preview = try await api.frame("/v1/displays/\(display)/preview.png?at=\(Self.at)")
                    #expect(preview.width == width && preview.height == height, "\(display)")
                    var expected = Frame(width: width, height: height)
                    for y in 0..<min(height, full.height) {
                        for x in 0..<min(width, full.width) { expected.setPixel(x: x, y: y, full.pixel(x: x, y: y)) }
                    }
                    #expect(preview.bytes == expected.bytes, "\(display)")
                }
            }
        }
    }

    @Test func aDisplayShowingNothingPreviewsBlack() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let preview = try await api.frame("/v1/displays/south-1/preview.png?at=\(Self.at)")
                #expect(preview == Frame(width: 128, height: 64))
            }
        }
    }

    @Test func layoutPreviewMatchesTheRendererToo() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-board", template: "roadside-384x192")
                let preview = try await api.frame("/v1/layouts/lay-board/preview.png?at=\(Self.at)")
                #expect(preview.bytes == (try Self.rendered(Content.template("roadside-384x192"))).bytes)
            }
        }
    }
}
