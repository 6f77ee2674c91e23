import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import TentacleStore
import Testing

/// Publishers scoped to districts see and write only campaigns aimed at nothing but their districts.
@Suite("Content district scoping")
struct ContentScopeTests {
    static let publisherNorth = Caller.user("publisher-north")

    @Test func scopedPublishersDoNotSeeOtherDistrictsCampaigns() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                try await api.publish(Content.campaign("cmp-south", target: #"{"districts": ["south"]}"#))
                try await api.publish(Content.campaign("cmp-north"))

                for uri in ["/v1/campaigns/cmp-south", "/v1/campaigns/cmp-south/coverage"] {
                    let hidden = try await api.send(.get, uri, as: Self.publisherNorth)
                    #expect(hidden.status == .notFound, "\(uri)")
                    #expect(hidden.apiError?.code == "not_found")
                }
                let edit = try await api.send(.put, "/v1/campaigns/cmp-south", as: Self.publisherNorth, json: Content.campaign("cmp-south"))
                #expect(edit.status == .notFound)
                #expect(try await api.send(.delete, "/v1/campaigns/cmp-south", as: Self.publisherNorth).status == .notFound)

                let list = try await api.send(.get, "/v1/campaigns", as: Self.publisherNorth).decode(Items<CampaignView>.self)
                #expect(list.items.map(\.id) == ["cmp-north"])
                #expect(try await api.send(.get, "/v1/campaigns/cmp-north", as: Self.publisherNorth).status == .ok)
                let all = try await api.send(.get, "/v1/campaigns", as: .role(.publisher)).decode(Items<CampaignView>.self)
                #expect(all.items.map(\.id) == ["cmp-north", "cmp-south"])
            }
        }
    }

    @Test func nowListsScopedUsersOnlyCampaignsTheyMaySee() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                try await api.publish(Content.campaign("cmp-south", target: #"{"districts": ["south"]}"#))
                try await api.publish(Content.campaign("cmp-east", target: #"{"districts": ["east"]}"#, priority: 900))
                try await api.publish(Content.campaign("cmp-north"))
                try await api.publish(Content.campaign("cmp-stops", target: #"{"groups": ["bus-stops"]}"#, priority: 50))

                let everything = try await api.now("north-1", as: .role(.publisher))
                #expect(Set(everything.candidates.map(\.campaignId)) == ["cmp-south", "cmp-east", "cmp-north", "cmp-stops"])

                // The group campaign reaches north-1, so it is on a panel the scoped user may see; south's and east's are not.
                let scoped = try await api.now("north-1", as: Self.publisherNorth)
                #expect(scoped.playing.campaignId == "cmp-north")
                #expect(scoped.candidates.map(\.campaignId) == ["cmp-north", "cmp-stops"])
                #expect(!scoped.candidates.contains { $0.outcome == "notTargeted" })
                // north-2 is not in the group, so there the group campaign is another place's content too.
                let other = try await api.now("north-2", as: Self.publisherNorth)
                #expect(other.candidates.map(\.campaignId) == ["cmp-north"])
            }
        }
    }

    /// The global default is the admins'; group defaults need a user without a district scope; a scoped
    /// publisher changes the defaults of their own displays only, and others' stay as they were.
    @Test func defaultLayoutsFollowScope() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                for id in ["lay-city", "lay-stops", "lay-north", "lay-south", "lay-mine"] { try await api.createLayout(id) }
                let city = #"{"byDisplay": {"north-1": "lay-north", "south-1": "lay-south"}, "byGroup": {"bus-stops": "lay-stops"}, "global": "lay-city"}"#
                let unscopedGlobal = try await api.send(.put, "/v1/default-layouts", as: .role(.publisher), json: city)
                #expect(unscopedGlobal.status == .forbidden, "\(unscopedGlobal.text)")
                #expect(unscopedGlobal.apiError?.field == "global")
                #expect(try await fx.store.defaultLayouts() == DefaultLayouts())
                #expect(try await api.send(.put, "/v1/default-layouts", as: .role(.admin), json: city).status == .ok)
                let stored = try await fx.store.defaultLayouts()

                let refused: [(String, HTTPResponse.Status, String)] = [
                    (#"{"byDisplay": {"north-1": "lay-mine", "south-1": "lay-south"}, "byGroup": {"bus-stops": "lay-stops"}, "global": "lay-mine"}"#, .forbidden, "global"),
                    (#"{"byDisplay": {"north-1": "lay-mine"}, "byGroup": {"bus-stops": "lay-mine"}, "global": "lay-city"}"#, .forbidden, "byGroup"),
                    (#"{"byDisplay": {"north-1": "lay-mine", "south-1": "lay-mine"}, "byGroup": {"bus-stops": "lay-stops"}, "global": "lay-city"}"#, .notFound, "byDisplay.south-1"),
                    (#"{"byDisplay": {"north-1": "lay-mine", "ghost": "lay-mine"}, "byGroup": {"bus-stops": "lay-stops"}, "global": "lay-city"}"#, .notFound, "byDisplay.ghost"),
                ]
                for (body, status, field) in refused {
                    let response = try await api.send(.put, "/v1/default-layouts", as: Self.publisherNorth, json: body)
                    #expect(response.status == status, "\(field): \(response.text)")
                    #expect(response.apiError?.field == field, "\(response.text)")
                }
                #expect(try await fx.store.defaultLayouts() == stored, "nothing of a refused update is kept")

                // The scoped view hides other districts' displays; sent back changed, it touches only north's.
                let view = try await api.send(.get, "/v1/default-layouts", as: Self.publisherNorth).decode(DefaultLayouts.self)
                #expect(view == DefaultLayouts(byDisplay: ["north-1": "lay-north"], byGroup: ["bus-stops": "lay-stops"], global: "lay-city"))
                let own = #"{"byDisplay": {"north-2": "lay-mine"}, "byGroup": {"bus-stops": "lay-stops"}, "global": "lay-city"}"#
                let allowed = try await api.send(.put, "/v1/default-layouts", as: Self.publisherNorth, json: own)
                #expect(allowed.status == .ok, "\(allowed.text)")
                #expect(try allowed.decode(DefaultLayouts.self).byDisplay == ["north-2": "lay-mine"])
                #expect(try await fx.store.defaultLayouts() == DefaultLayouts(
                    byDisplay: ["north-2": "lay-mine", "south-1": "lay-south"], byGroup: ["bus-stops": "lay-stops"], global: "lay-city"))
                #expect(try await api.now("north-2", as: Self.publisherNorth).playing.layoutId == "lay-mine")
                #expect(try await api.now("south-1").playing.layoutId == "lay-south")

                // Unscoped publishers set group and display defaults anywhere, not the global one.
                let groups = #"{"byDisplay": {"south-1": "lay-mine"}, "byGroup": {"light-poles": "lay-stops"}, "global": "lay-city"}"#
                #expect(try await api.send(.put, "/v1/default-layouts", as: .role(.publisher), json: groups).status == .ok)
            }
        }
    }

    @Test func scopedPublishersTargetOnlyTheirDistricts() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                let refused: [(String, String)] = [
                    ("cmp-group", #"{"groups": ["bus-stops"]}"#),
                    ("cmp-south", #"{"districts": ["south"]}"#),
                    ("cmp-mixed", #"{"districts": ["north"], "displayIds": ["north-1"]}"#),
                    ("cmp-circle", #"{"districts": ["north"], "circle": {"lat": 52.5, "lon": 13.4, "radiusMeters": 100}}"#),
                ]
                for (id, target) in refused {
                    let response = try await api.send(.post, "/v1/campaigns", as: Self.publisherNorth, json: Content.campaign(id, target: target))
                    #expect(response.status == .forbidden, "\(id): \(response.text)")
                    #expect(response.apiError?.code == "forbidden")
                }
                #expect(try await fx.store.latestRevisions().isEmpty)

                let own = try await api.send(.post, "/v1/campaigns", as: Self.publisherNorth, json: Content.campaign("cmp-north"))
                #expect(own.status == .created)
                // Widening an own campaign beyond the district is refused the same way.
                let widened = try await api.send(
                    .put, "/v1/campaigns/cmp-north", as: Self.publisherNorth, json: Content.campaign("cmp-north", target: #"{"groups": ["bus-stops"]}"#))
                #expect(widened.status == .forbidden)
                #expect(try await fx.store.campaignHistory(id: "cmp-north").count == 1)
            }
        }
    }
}
