import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("Alert feed repository contract")
struct AlertFeedRepositoryTests {
    static func feed(_ id: String, url: String? = nil, scope: [String]? = ["north"]) -> AlertFeed {
        AlertFeed(
            id: id, name: "Feed \(id)", url: url ?? "https://warnings.example/\(id).atom", kind: "atom", intervalSeconds: 120,
            filters: AlertFeed.Filters(severities: ["Severe", "Extreme"], events: ["Flood Warning"]), createdBy: "usr-1", posterScope: scope,
            createdAt: StoreHarness.time.addingTimeInterval(0.5))
    }

    @Test(arguments: Backend.all)
    func feedsAreCreatedReadUpdatedAndDeleted(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            let b = Self.feed("b")
            let upper = Self.feed("B", scope: nil)
            let unscoped = Self.feed("a", scope: [])
            for f in [b, upper, unscoped] { try await s.createFeed(f, audit: audit("feed.create", "feed", f.id)) }
            #expect(try await s.feed(id: "b") == b)
            #expect(try await s.feed(id: "none") == nil)
            #expect(try await s.feeds() == [upper, unscoped, b])

            let sameId = await #expect(throws: StoreError.self) {
                try await s.createFeed(Self.feed("b", url: "https://elsewhere.example/feed"), audit: audit("feed.create", "feed", "b"))
            }
            #expect(sameId?.code == .conflict)
            #expect(sameId?.field == "id")
            let sameURL = await #expect(throws: StoreError.self) {
                try await s.createFeed(Self.feed("c", url: b.url), audit: audit("feed.create", "feed", "c"))
            }
            #expect(sameURL?.code == .conflict)
            #expect(sameURL?.field == "url")
            #expect(sameURL?.message.contains("'b'") == true)

            // An update changes name, interval, enabled and filters; the rest stays.
            var changed = b
            changed.name = "Renamed"
            changed.intervalSeconds = 600
            changed.enabled = false
            changed.filters = AlertFeed.Filters(districts: ["south"])
            changed.url = "https://moved.example/feed"
            changed.health.state = .failing
            try await s.updateFeed(changed, audit: audit("feed.update", "feed", "b"))
            var expected = b
            expected.name = "Renamed"
            expected.intervalSeconds = 600
            expected.enabled = false
            expected.filters = AlertFeed.Filters(districts: ["south"])
            #expect(try await s.feed(id: "b") == expected)
            let unknown = await #expect(throws: StoreError.self) { try await s.updateFeed(Self.feed("none"), audit: audit("feed.update", "feed", "none")) }
            #expect(unknown?.code == .notFound)

            try await s.recordPoll(feedId: "b", health: AlertFeed.Health(state: .ok), seen: ["entry-1"])
            try await s.deleteFeed(id: "b", audit: audit("feed.delete", "feed", "b"))
            #expect(try await s.feed(id: "b") == nil)
            #expect(try await s.seenEntries(feedId: "b").isEmpty)
            let gone = await #expect(throws: StoreError.self) { try await s.deleteFeed(id: "b", audit: audit("feed.delete", "feed", "b")) }
            #expect(gone?.code == .notFound)
            #expect(try await s.auditEntries(AuditQuery(objectId: "b")).map(\.action) == ["feed.delete", "feed.update", "feed.create"])
        }
    }

    @Test(arguments: Backend.all)
    func pollsRecordHealthAndTheEntriesSeen(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            try await s.createFeed(Self.feed("f"), audit: audit("feed.create", "feed", "f"))
            let health = AlertFeed.Health(
                state: .failing, lastPolledAt: StoreHarness.time.addingTimeInterval(60.125), lastSuccessAt: StoreHarness.time,
                lastError: "HTTP 503", consecutiveFailures: 2, nextPollAt: StoreHarness.time.addingTimeInterval(300), etag: "\"v1\"",
                lastModified: "Thu, 01 Jan 2026 00:00:00 GMT", alertsTaken: 3, alertsSkipped: 1)
            try await s.recordPoll(feedId: "f", health: health, seen: ["urn:1", "urn:2", "urn:1"])
            try await s.recordPoll(feedId: "f", health: health, seen: ["urn:2", "urn:3"])
            #expect(try await s.feed(id: "f")?.health == health)
            #expect(try await s.seenEntries(feedId: "f") == ["urn:1", "urn:2", "urn:3"])
            // A poll of a feed deleted meanwhile records nothing.
            try await s.recordPoll(feedId: "gone", health: health, seen: ["urn:9"])
            #expect(try await s.seenEntries(feedId: "gone").isEmpty)
            #expect(try await s.feed(id: "gone") == nil)
        }
    }
}
