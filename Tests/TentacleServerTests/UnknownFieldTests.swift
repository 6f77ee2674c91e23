import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import TentacleStore
import Testing

/// A misspelt key is refused with 400 naming its path at any depth, and nothing is stored.
@Suite("Unknown nested fields")
struct UnknownFieldTests {
    static let layout = Content.template("pole-128x64")

    static let campaigns: [(body: String, field: String)] = [
        (Content.campaign("cmp-1", schedule: #"{"window": [{"start": "08:00", "end": "10:00"}]}"#), "schedule.window"),
        (Content.campaign("cmp-1", schedule: #"{"windows": [{"start": "08:00", "end": "10:00", "until": "11:00"}]}"#), "schedule.windows[0].until"),
        (Content.campaign("cmp-1", target: #"{"district": ["north"]}"#), "target.district"),
        (Content.campaign("cmp-1", target: #"{"circle": {"lat": 52.5, "lon": 13.4, "radiusMeters": 100, "radiusKm": 1}}"#), "target.circle.radiusKm"),
        (
            #"{"id": "cmp-1", "name": "x", "priority": 1, "schedule": {}, "target": {"districts": ["north"]}, "playlist": [{"layoutId": "lay-pole", "durationSeconds": 5, "duration": 9}]}"#,
            "playlist[0].duration"
        ),
    ]

    @Test(arguments: campaigns)
    func campaignsRefuseUnknownNestedKeys(_ bad: (body: String, field: String)) async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                let response = try await api.send(.post, "/v1/campaigns", as: .role(.publisher), json: bad.body)
                #expect(response.status == .badRequest, "\(response.text)")
                #expect(response.apiError?.field == bad.field, "\(response.text)")
                #expect(response.apiError?.message.contains("unknown field '\(bad.field)'") == true, "\(response.text)")
                #expect(try await fx.store.latestRevisions().isEmpty)
                // The correct spelling of the same body is accepted.
                let good = try await api.send(.post, "/v1/campaigns", as: .role(.publisher), json: Content.campaign("cmp-1"))
                #expect(good.status == .created, "\(good.text)")
                let edit = try await api.send(.put, "/v1/campaigns/cmp-1", as: .role(.publisher), json: bad.body)
                #expect(edit.status == .badRequest && edit.apiError?.field == bad.field, "\(edit.text)")
                #expect(try await fx.store.campaignHistory(id: "cmp-1").count == 1)
            }
        }
    }

    static let layouts: [(from: String, to: String, field: String)] = [
        (#""regions": ["#, #""regions": [{"id": "extra", "x": 0, "y": 0, "width": 8, "height": 8, "depth": 1, "playlist": [{"duration": 5, "widget": {"type": "text", "text": "x"}}]}, "#, "layout.regions[0].depth"),
        (#""regions": ["#, ##""regions": [{"id": "extra", "x": 0, "y": 0, "width": 8, "height": 8, "playlist": [{"duration": 5, "widget": {"type": "text", "text": "x", "colour": "#FF0000"}}]}, "##, "layout.regions[0].playlist[0].widget.colour"),
        (#""regions": ["#, #""regions": [{"id": "extra", "x": 0, "y": 0, "width": 8, "height": 8, "playlist": [{"duration": 5, "widget": {"type": "text", "text": "x", "style": {"size": 2}}}]}, "#, "layout.regions[0].playlist[0].widget.style.size"),
        (#""regions": ["#, #""regions": [{"id": "extra", "x": 0, "y": 0, "width": 8, "height": 8, "playlist": [{"duration": 5, "seconds": 5, "widget": {"type": "text", "text": "x"}}]}, "#, "layout.regions[0].playlist[0].seconds"),
        (#""version": 1"#, ##""version": 1, "backgroundColor": "#000000""##, "layout.backgroundColor"),
    ]

    @Test(arguments: layouts)
    func layoutsRefuseUnknownNestedKeys(_ bad: (from: String, to: String, field: String)) async throws {
        #expect(Self.layout.contains(bad.from))
        let document = Self.layout.replacingOccurrences(of: bad.from, with: bad.to)
        try await Fixture.with { fx in
            try await fx.test { api in
                let response = try await api.send(.post, "/v1/layouts", as: .role(.publisher), json: Content.layoutBody("lay-x", document: document))
                #expect(response.status == .badRequest, "\(response.text)")
                #expect(response.apiError?.field == bad.field, "\(response.text)")
                #expect(try await fx.store.layouts().isEmpty)
                try await api.createLayout("lay-x")
                let put = try await api.send(.put, "/v1/layouts/lay-x", as: .role(.publisher), json: Content.layoutBody("lay-x", document: document))
                #expect(put.status == .badRequest && put.apiError?.field == bad.field, "\(put.text)")
            }
        }
    }

    @Test func registryBodiesRefuseUnknownNestedKeys() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let boundary = #"{"code": "west", "name": "West", "boundary": {"type": "Polygon", "coordinates": [[[13, 52], [14, 52], [14, 53], [13, 52]]], "holes": []}}"#
                let district = try await api.send(.post, "/v1/districts", as: .role(.admin), json: boundary)
                #expect(district.status == .badRequest, "\(district.text)")
                #expect(district.apiError?.field == "boundary.holes", "\(district.text)")
                #expect(try await fx.store.district(code: "west") == nil)

                // Free-form maps keep their keys: display ids in the default layouts are data, not field names.
                try await api.createLayout("lay-pole")
                let defaults = try await api.send(.put, "/v1/default-layouts", as: .role(.admin), json: #"{"byDisplay": {"north-1": "lay-pole"}}"#)
                #expect(defaults.status == .ok, "\(defaults.text)")
            }
        }
    }
}
