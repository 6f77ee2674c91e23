import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import TentacleRender
import Testing

/// The schedule snapshot a display plays offline, versioned by the hash of its content.
@Suite("Schedule snapshot")
struct SnapshotTests {
    struct SnapshotView: Decodable {
        struct LayoutDocument: Decodable {
            var id: String
        }
        var version: String
        var schedule: ScheduleSnapshot
        var layouts: [LayoutDocument]
        var assets: [String]
    }

    static func snapshot(_ api: API, _ display: String = "north-1") async throws -> (view: SnapshotView, text: String) {
        let response = try await api.send(.get, "/v1/displays/\(display)/snapshot", as: .role(.viewer))
        #expect(response.status == .ok, "\(response.text.prefix(300))")
        return (try response.decode(SnapshotView.self), response.text)
    }

    /// The layout documents in a snapshot, read back by the renderer.
    static func layouts(in text: String) throws -> [String: Layout] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        var result: [String: Layout] = [:]
        for entry in object?["layouts"] as? [[String: Any]] ?? [] {
            let data = try JSONSerialization.data(withJSONObject: entry["layout"] ?? [:])
            result[entry["id"] as? String ?? ""] = try Layout(json: data)
        }
        return result
    }

    @Test func snapshotHoldsLayoutsAndAssetsAndChangesOnlyWithWhatPlays() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let png = Content.png(seed: 50)
                let sha = try await api.upload(png)
                try await api.createLayout("lay-picture", document: Content.imageLayout(sha256: sha))
                try await api.createLayout("lay-pole")
                try await api.publish(Content.campaign("cmp-1", playlist: [("lay-picture", 10)]))

                let (first, text) = try await Self.snapshot(api)
                #expect(first.version.count == 64)
                #expect(first.version.allSatisfy { "0123456789abcdef".contains($0) })
                #expect(first.schedule.displayId == "north-1")
                #expect(first.schedule.campaigns.map(\.id) == ["cmp-1"])
                #expect(first.schedule.layoutIds == ["lay-picture"])
                #expect(first.layouts.map(\.id) == ["lay-picture"])
                #expect(first.assets == [sha])
                let documents = try Self.layouts(in: text)
                #expect(documents["lay-picture"] == (try Layout(json: Data(Content.imageLayout(sha256: sha).utf8))))

                let (again, _) = try await Self.snapshot(api)
                #expect(again.version == first.version, "same state, same version")

                // A pending edit does not reach the display, so the version stays.
                try await api.edit("cmp-1", Content.campaign("cmp-1", playlist: [("lay-picture", 10), ("lay-pole", 5)]))
                #expect(try await Self.snapshot(api).view.version == first.version)

                try await api.approve("cmp-1", revision: 2)
                let (approved, _) = try await Self.snapshot(api)
                #expect(approved.version != first.version)
                #expect(approved.layouts.map(\.id) == ["lay-picture", "lay-pole"])
                #expect(approved.schedule.campaigns.map(\.revision) == [2])

                // A display the campaign does not target has nothing to play.
                let south = try await Self.snapshot(api, "south-1").view
                #expect(south.schedule.campaigns.isEmpty && south.layouts.isEmpty && south.assets.isEmpty)
                #expect(south.version != approved.version)
            }
        }
    }

    @Test func snapshotIncludesTheDefaultLayout() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                let before = try await Self.snapshot(api).view
                #expect(try await api.send(.put, "/v1/default-layouts", as: .role(.admin), json: #"{"global": "lay-pole"}"#).status == .ok)
                let after = try await Self.snapshot(api).view
                #expect(after.layouts.map(\.id) == ["lay-pole"])
                #expect(after.schedule.defaultLayout == DefaultLayout(layoutId: "lay-pole", source: .global))
                #expect(after.version != before.version)
            }
        }
    }
}
