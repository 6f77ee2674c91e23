import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import TentacleStore
import Testing

/// `GET /v1/displays/{id}/now` and the default layouts behind it.
@Suite("Resolution API")
struct ResolutionAPITests {
    /// 10:00:15 in Berlin, where the fixture's displays are.
    static let morning = "2026-01-01T09:00:15Z"

    @Test func nowExplainsTheWinnerAndEveryOtherCandidate() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-a")
                try await api.createLayout("lay-b")
                try await api.publish(Content.campaign("cmp-high", playlist: [("lay-a", 10), ("lay-b", 20)], priority: 500))
                try await api.publish(Content.campaign("cmp-low", playlist: [("lay-a", 10)], priority: 100))
                try await api.publish(
                    Content.campaign(
                        "cmp-evening", playlist: [("lay-b", 10)], priority: 900,
                        schedule: #"{"windows": [{"start": "20:00", "end": "21:00"}]}"#))

                let now = try await api.now("north-1", at: Self.morning)
                #expect(now.displayId == "north-1")
                #expect(now.at == ISO8601DateFormatter().date(from: Self.morning))
                #expect(now.playing.kind == "campaign")
                #expect(now.playing.campaignId == "cmp-high")
                #expect(now.playing.revision == 1)
                // An all-day playlist restarts at local midnight: 36,015 s later it is 15 s into its 30 s cycle.
                #expect(now.playing.playlistIndex == 1)
                #expect(now.playing.layoutId == "lay-b")
                #expect(now.playing.secondsIntoItem == 5)
                // Candidates come in rank order, the inactive evening campaign first by its priority.
                #expect(now.candidates == [
                    .init(campaignId: "cmp-evening", revision: 1, outcome: "outsideSchedule", detail: "outsideTimeWindows"),
                    .init(campaignId: "cmp-high", revision: 1, outcome: "won"),
                    .init(campaignId: "cmp-low", revision: 1, outcome: "lostToHigherPriority", detail: "cmp-high"),
                ])

                let evening = try await api.now("north-1", at: "2026-01-01T19:30:00Z")
                #expect(evening.playing.campaignId == "cmp-evening")
                #expect(evening.candidates.contains(.init(campaignId: "cmp-high", revision: 1, outcome: "lostToHigherPriority", detail: "cmp-evening")))

                let south = try await api.now("south-1", at: Self.morning)
                #expect(south.playing.kind == "nothing")
                #expect(south.playing.campaignId == nil)
                #expect(south.candidates.allSatisfy { $0.outcome == "notTargeted" })
                #expect(south.candidates.count == 3)

                // Without `at`, the server's clock decides: 01:00 in Berlin, all-day campaigns are on.
                #expect(try await api.now("north-1").at == fx.clock.now)

                let badTime = try await api.send(.get, "/v1/displays/north-1/now?at=yesterday", as: .role(.viewer))
                #expect(badTime.status == .badRequest)
                #expect(badTime.apiError?.field == "at")
                #expect(try await api.send(.get, "/v1/displays/nope/now", as: .role(.viewer)).status == .notFound)
            }
        }
    }

    @Test func defaultLayoutsPreferDisplayThenGroupThenGlobal() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                for id in ["lay-a", "lay-b", "lay-c"] { try await api.createLayout(id) }
                #expect(try await api.now("north-2", at: Self.morning).playing.kind == "nothing")

                let defaults = #"""
                    {"byDisplay": {"north-1": "lay-a"}, "byGroup": {"bus-stops": "lay-b", "light-poles": "lay-b"}, "global": "lay-c"}
                    """#
                let put = try await api.send(.put, "/v1/default-layouts", as: .role(.admin), json: defaults)
                #expect(put.status == .ok, "\(put.text)")
                let stored = try await api.send(.get, "/v1/default-layouts", as: .role(.viewer)).decode(DefaultLayouts.self)
                #expect(stored == DefaultLayouts(byDisplay: ["north-1": "lay-a"], byGroup: ["bus-stops": "lay-b", "light-poles": "lay-b"], global: "lay-c"))

                let expected: [(display: String, layout: String, from: String)] = [
                    ("north-1", "lay-a", "display"), ("south-1", "lay-b", "group:light-poles"), ("north-2", "lay-c", "global"),
                ]
                for e in expected {
                    let now = try await api.now(e.display, at: Self.morning)
                    #expect(now.playing.kind == "default", "\(e.display)")
                    #expect(now.playing.layoutId == e.layout, "\(e.display)")
                    #expect(now.playing.defaultFrom == e.from, "\(e.display)")
                }

                // A campaign on air beats every default.
                try await api.publish(Content.campaign("cmp-1", playlist: [("lay-c", 10)]))
                #expect(try await api.now("north-1", at: Self.morning).playing.kind == "campaign")
                #expect(try await api.now("south-1", at: Self.morning).playing.kind == "default")

                // Leaving fields out clears them: a PUT replaces all defaults.
                #expect(try await api.send(.put, "/v1/default-layouts", as: .role(.admin), json: #"{"global": "lay-b"}"#).status == .ok)
                let south = try await api.now("south-1", at: Self.morning)
                #expect(south.playing.layoutId == "lay-b")
                #expect(south.playing.defaultFrom == "global")
            }
        }
    }

    @Test func defaultsNamingAnUnknownLayoutAre422() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-a")
                #expect(try await api.send(.put, "/v1/default-layouts", as: .role(.admin), json: #"{"global": "lay-a"}"#).status == .ok)
                let cases: [(String, String)] = [
                    (#"{"byDisplay": {"north-1": "nope"}}"#, "byDisplay.north-1"),
                    (#"{"byGroup": {"bus-stops": "nope"}, "global": "lay-a"}"#, "byGroup.bus-stops"),
                    (#"{"global": "nope"}"#, "global"),
                ]
                for (body, field) in cases {
                    let response = try await api.send(.put, "/v1/default-layouts", as: .role(.admin), json: body)
                    #expect(response.status == .unprocessableContent, "\(body): \(response.text)")
                    #expect(response.apiError?.field == field)
                }
                // Nothing of a refused update is kept.
                #expect(try await fx.store.defaultLayouts() == DefaultLayouts(global: "lay-a"))
                let typo = try await api.send(.put, "/v1/default-layouts", as: .role(.admin), json: #"{"default": "lay-a"}"#)
                #expect(typo.status == .badRequest)
            }
        }
    }
}
