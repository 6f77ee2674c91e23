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
