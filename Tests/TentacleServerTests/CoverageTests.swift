import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import Testing

/// Coverage reads schedules on each display's own clock.
@Suite("Campaign coverage")
struct CoverageTests {
    static let morning = #"{"windows": [{"start": "07:00", "end": "10:00"}]}"#

    @Test func aMorningWindowIsAheadAt6AndOnAt8() async throws {
        try await Fixture.with { fx in
            // 05:00 UTC is 06:00 in Berlin but 13:00 in Shanghai, where the window next opens at 23:00 UTC.
            try await fx.addDisplay("north-cn", district: "north", timezone: "Asia/Shanghai")
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                try await api.publish(Content.campaign("cmp-1", schedule: Self.morning))

                let six = try await api.coverage("cmp-1", at: "2026-01-01T05:00:00Z")
                #expect(six.now.isEmpty)
                #expect(Set(six.next24h) == ["north-1", "north-2", "north-cn"])

                let eight = try await api.coverage("cmp-1", at: "2026-01-01T07:00:00Z")
                #expect(Set(eight.now) == ["north-1", "north-2"])
                #expect(Set(eight.next24h) == ["north-1", "north-2", "north-cn"])

                // 23:30 UTC: Shanghai's window is on; Berlin's next one opens at 06:00 UTC, inside 24 hours.
                let night = try await api.coverage("cmp-1", at: "2026-01-01T23:30:00Z")
                #expect(night.now == ["north-cn"])
                #expect(Set(night.next24h) == ["north-1", "north-2", "north-cn"])

                // Without `at`, the server's clock: 01:00 in Berlin, 08:00 in Shanghai.
                #expect(try await api.coverage("cmp-1").now == ["north-cn"])
                fx.clock.advance(by: 7 * 3600)
                #expect(Set(try await api.coverage("cmp-1").now) == ["north-1", "north-2"])
            }
        }
    }

    @Test func aCampaignThatAlwaysLosesCoversNothing() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                try await api.publish(Content.campaign("cmp-low", priority: 10, schedule: Self.morning))
                try await api.publish(Content.campaign("cmp-high", target: #"{"displayIds": ["north-1"]}"#, priority: 900))

                let coverage = try await api.coverage("cmp-low", at: "2026-01-01T07:00:00Z")
                #expect(coverage.now == ["north-2"])
                #expect(coverage.next24h == ["north-2"])
            }
        }
    }

    @Test func aCampaignWithoutALiveRevisionCoversNothing() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                let created = try await api.send(.post, "/v1/campaigns", as: .role(.publisher), json: Content.campaign("cmp-1"))
                #expect(created.status == .created)
                let coverage = try await api.coverage("cmp-1")
                #expect(coverage.revision == nil)
                #expect(coverage.now.isEmpty && coverage.next24h.isEmpty)
            }
        }
    }
}
