import Foundation
import Testing
@testable import TentacleBench
@testable import TentacleCore

private let t = Fixture.t
private let from = t("2026-06-01T00:00:00+08:00")

@Suite struct ScheduleSnapshotTests {
    private static let campaigns = [
        Fixture.live("always", playlist: [PlaylistEntry(layoutId: "z-layout", durationSeconds: 10), PlaylistEntry(layoutId: "a-layout", durationSeconds: 5)]),
        Fixture.live("friday-night", schedule: Schedule(daysOfWeek: [5], windows: [Fixture.window("22:00", "02:00")]),
                     playlist: [PlaylistEntry(layoutId: "night", durationSeconds: 30)]),
        Fixture.live("next-month", schedule: Schedule(startDate: Fixture.date("2026-07-01")), playlist: [PlaylistEntry(layoutId: "july", durationSeconds: 30)]),
        Fixture.live("ended", schedule: Schedule(endDate: Fixture.date("2026-05-31")), playlist: [PlaylistEntry(layoutId: "may", durationSeconds: 30)]),
        Fixture.live("elsewhere", target: Target(districts: ["south"]), playlist: [PlaylistEntry(layoutId: "south", durationSeconds: 30)]),
        Fixture.live("last-minute", schedule: Schedule(startDate: Fixture.date("2026-06-07"), windows: [Fixture.window("23:59", "00:00")]),
                     playlist: [PlaylistEntry(layoutId: "a-layout", durationSeconds: 30)]),
        Fixture.live("area", target: Target(circle: GeoCircle(lat: 31.2, lon: 121.4, radiusMeters: 50)), playlist: [PlaylistEntry(layoutId: "area", durationSeconds: 30)]),
    ]
    private static let defaults = DefaultLayouts(byGroup: ["bus-stops": "bus-default"], global: "city")
    private static let display = Fixture.display(groups: ["bus-stops"])

    @Test func holdsWhatCanPlayInTheNextSevenDays() {
        let snapshot = ScheduleSnapshot.make(display: Self.display, campaigns: Self.campaigns, defaults: Self.defaults, from: from)
        #expect(snapshot.campaigns.map(\.id) == ["always", "area", "friday-night", "last-minute"])
        #expect(snapshot.layoutIds == ["a-layout", "area", "bus-default", "night", "z-layout"])
        #expect(snapshot.defaultLayout == DefaultLayout(layoutId: "bus-default", source: .group("bus-stops")))
        #expect(snapshot.until == from.addingTimeInterval(7 * 86_400))
        let sixDays = ScheduleSnapshot.make(display: Self.display, campaigns: Self.campaigns, defaults: Self.defaults, from: from, days: 6)
        #expect(!sixDays.campaigns.map(\.id).contains("last-minute"))
    }

    @Test func bytesDoNotDependOnInputOrder() {
        let reference = ScheduleSnapshot.make(display: Self.display, campaigns: Self.campaigns, defaults: Self.defaults, from: from).canonicalJSON()
        var random = SplitMix64(seed: 9)
        for _ in 0..<20 {
            var shuffled = Self.campaigns
            random.shuffle(&shuffled)
            let bytes = ScheduleSnapshot.make(display: Self.display, campaigns: shuffled, defaults: Self.defaults, from: from).canonicalJSON()
            #expect(bytes == reference)
        }
    }

    @Test func canonicalFormIsStable() throws {
        let campaign = Fixture.live(
            "c", schedule: Schedule(daysOfWeek: [7, 2, 5], windows: [Fixture.window("08:00", "09:30")]),
            target: Target(districts: ["north"], polygon: SyntheticCity.uShape(lat: 31.1, lon: 121.3, size: 0.25)),
            approvedAt: Date(timeIntervalSince1970: 1_780_000_000.25))
        let snapshot = ScheduleSnapshot.make(display: Fixture.display(), campaigns: [campaign], defaults: DefaultLayouts(), from: from)
        let text = String(decoding: snapshot.canonicalJSON(), as: UTF8.self)
        #expect(text.hasPrefix(#"{"campaigns":[{"approvedAt":"2026-05-28T20:26:40.250Z","campaign":{"id":"c","name":"Campaign c","playlist":"#))
        #expect(text.contains(#""daysOfWeek":[2,5,7]"#))
        #expect(text.contains(#""from":"2026-05-31T16:00:00.000Z""#))
        #expect(text.contains(#""timezone":"Asia/Shanghai""#))
        #expect(text.contains("[121.55,31.35]"))
        #expect(!text.contains("\n") && !text.contains(": "))
        let decoded = try JSONDecoder().decode([String: AnySendableJSON].self, from: Data(snapshot.canonicalJSON()))
        #expect(decoded.keys.sorted() == ["campaigns", "displayId", "from", "layoutIds", "timezone", "until"])
        #expect(snapshot.canonicalJSON() == snapshot.canonicalJSON())
    }

    @Test func canonicalTimesAreFixedWidthUTC() {
        #expect(CanonicalTime.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(CanonicalTime.string(Date(timeIntervalSince1970: -1.5)) == "1969-12-31T23:59:58.500Z")
        #expect(CanonicalTime.string(t("2028-02-29T23:59:59Z")) == "2028-02-29T23:59:59.000Z")
    }
}

/// Any JSON value, just enough to read the top-level keys back.
private struct AnySendableJSON: Decodable {
    init(from decoder: any Decoder) throws {}
}
