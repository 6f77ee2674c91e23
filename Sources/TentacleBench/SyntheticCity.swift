import Foundation
import TentacleCore

/// A made-up network of displays and live campaigns for the resolve benchmark and its tests.
///
/// Five cities in different timezones (two with no daylight saving), eight districts each; targets
/// mix districts, groups, tags, display ids, circles and U-shaped polygons; schedules mix windows
/// crossing midnight, weekdays and date ranges. The same seed gives the same city on every platform.
struct SyntheticCity {
    var displays: [Display]
    var campaigns: [LiveCampaign]
    var defaults: DefaultLayouts

    struct Place {
        var code: String
        var timezone: String
        var lat: Double
        var lon: Double
    }

    static let places = [
        Place(code: "berlin", timezone: "Europe/Berlin", lat: 52.52, lon: 13.40),
        Place(code: "shanghai", timezone: "Asia/Shanghai", lat: 31.23, lon: 121.47),
        Place(code: "new-york", timezone: "America/New_York", lat: 40.71, lon: -74.00),
        Place(code: "sydney", timezone: "Australia/Sydney", lat: -33.87, lon: 151.21),
        Place(code: "reykjavik", timezone: "Atlantic/Reykjavik", lat: 64.15, lon: -21.94),
    ]
    static let groups = (0..<10).map { "g\($0)" }
    static let tags = (0..<20).map { "t\($0)" }
    static let districtsPerPlace = 8
    /// Half-size of each city's square, in degrees.
    static let spread = 0.1

    static func make(seed: UInt64, displays displayCount: Int, campaigns campaignCount: Int, around now: Date) -> SyntheticCity {
        var random = SplitMix64(seed: seed)
        let epoch = Date(timeIntervalSince1970: 0)
        let displays = (0..<displayCount).map { i -> Display in
            let place = places[random.int(below: places.count)]
            var groups = [groups[random.int(below: Self.groups.count)]]
            if random.int(below: 2) == 0 { groups.append(Self.groups[random.int(below: Self.groups.count)]) }
            let tags = (0..<random.int(below: 4)).map { _ in Self.tags[random.int(below: Self.tags.count)] }
            return Display(
                id: "d\(i)", name: "Display \(i)", width: 192, height: 96,
                lat: place.lat + random.double(in: -spread...spread), lon: place.lon + random.double(in: -spread...spread),
                district: "\(place.code)-\(random.int(below: districtsPerPlace))",
                groups: Array(Set(groups)).sorted(), tags: Display.normalizedTags(tags), timezone: place.timezone,
                createdAt: epoch, updatedAt: epoch)
        }
        let today = LocalClock.seconds(now, TimeZone(secondsFromGMT: 0)!) / 86_400
        let campaigns = (0..<campaignCount).map { i -> LiveCampaign in
            let campaign = Campaign(
                id: "c\(i)", name: "Campaign \(i)", priority: random.int(below: 6),
                schedule: schedule(today: today, random: &random),
                target: target(displayCount: displayCount, random: &random),
                playlist: (0...random.int(below: 3)).map { k in
                    PlaylistEntry(layoutId: "l\(random.int(below: 200))", durationSeconds: [5, 10, 15, 30, 60][k % 5])
                })
            // Few distinct approval times, so equal priorities often fall to the tie-break.
            let approvedAt = now.addingTimeInterval(-86_400 * Double(random.int(below: 4)))
            return LiveCampaign(campaign: campaign, revision: 1 + random.int(below: 3), approvedAt: approvedAt)
        }
        let defaults = DefaultLayouts(
            byDisplay: Dictionary(uniqueKeysWithValues: (0..<displayCount / 50).map { ("d\($0 * 50)", "default-display") }),
            byGroup: ["g0": "default-g0", "g3": "default-g3"], global: random.int(below: 2) == 0 ? "default-city" : nil)
        return SyntheticCity(displays: displays, campaigns: campaigns, defaults: defaults)
    }

    private static func target(displayCount: Int, random: inout SplitMix64) -> Target {
        let place = places[random.int(below: places.count)]
        var target = Target()
        switch random.int(below: 7) {
        case 0:
            target.districts = ["\(place.code)-\(random.int(below: districtsPerPlace))", "\(place.code)-\(random.int(below: districtsPerPlace))"]
        case 1:
            target.groups = [groups[random.int(below: groups.count)]]
        case 2:
            target.tags = [tags[random.int(below: tags.count)]]
        case 3:
            target.displayIds = (0..<(3 + random.int(below: 6))).map { _ in "d\(random.int(below: max(1, displayCount)))" }
        case 4:
            target.circle = GeoCircle(
                lat: place.lat + random.double(in: -spread...spread), lon: place.lon + random.double(in: -spread...spread),
                radiusMeters: random.double(in: 300...5000))
        case 5:
            target.polygon = uShape(
                lat: place.lat + random.double(in: -spread...spread), lon: place.lon + random.double(in: -spread...spread),
                size: random.double(in: 0.01...0.06))
        default:
            target.districts = ["\(place.code)-\(random.int(below: districtsPerPlace))"]
            target.circle = GeoCircle(lat: place.lat, lon: place.lon, radiusMeters: random.double(in: 500...3000))
            target.tags = [tags[random.int(below: tags.count)]]
        }
        target.districts = Array(Set(target.districts)).sorted()
        target.displayIds = Array(Set(target.displayIds)).sorted()
        return target
    }

    /// A concave polygon: a square with a notch cut from the top, open to the north.
    static func uShape(lat: Double, lon: Double, size: Double) -> GeoGeometry {
        let s = size, t = size / 3
        let corners: [(Double, Double)] = [
            (0, 0), (s, 0), (s, s), (2 * t, s), (2 * t, t), (t, t), (t, s), (0, s), (0, 0),
        ]
        return GeoGeometry(polygon: [corners.map { GeoGeometry.Position(lon: lon + $0.0, lat: lat + $0.1) }])
    }

    private static func schedule(today: Int, random: inout SplitMix64) -> Schedule {
        var schedule = Schedule()
        if random.int(below: 3) == 0 {
            let (y, m, d) = CanonicalTime.civil(today - random.int(below: 20))
            schedule.startDate = LocalDate(year: y, month: m, day: d)
        }
        if random.int(below: 3) == 0 {
            let (y, m, d) = CanonicalTime.civil(today + random.int(below: 20) - 3)
            schedule.endDate = LocalDate(year: y, month: m, day: d)
        }
        if random.int(below: 3) == 0 {
            schedule.daysOfWeek = Set((0..<(1 + random.int(below: 5))).map { _ in 1 + random.int(below: 7) })
        }
        for _ in 0..<random.int(below: 3) {
            let start = TimeOfDay(hour: random.int(below: 24), minute: 15 * random.int(below: 4))!
            let end = TimeOfDay(hour: random.int(below: 24), minute: 15 * random.int(below: 4))!
            schedule.windows.append(TimeWindow(start: start, end: end))
        }
        return schedule
    }
}
