import Foundation
import TentacleCore

/// Builders shared by the content tests, so each test states only what it is about.
enum Fixture {
    static let epoch = Date(timeIntervalSince1970: 0)

    /// An instant written `2026-03-29T01:00:00Z` (or with an offset).
    static func t(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) else { fatalError("bad test instant \(text)") }
        return date
    }

    static func window(_ start: String, _ end: String) -> TimeWindow {
        TimeWindow(start: TimeOfDay(start)!, end: TimeOfDay(end)!)
    }

    static func date(_ text: String) -> LocalDate {
        LocalDate(text)!
    }

    static func zone(_ identifier: String) -> TimeZone {
        TimeZone(identifier: identifier)!
    }

    static func display(
        _ id: String = "d1", district: String = "north", groups: [String] = [], tags: [String] = [],
        lat: Double = 31.2, lon: Double = 121.4, timezone: String = "Asia/Shanghai"
    ) -> Display {
        Display(
            id: id, name: id, width: 192, height: 96, lat: lat, lon: lon, district: district, groups: groups, tags: tags,
            timezone: timezone, createdAt: epoch, updatedAt: epoch)
    }

    static func campaign(
        _ id: String, priority: Int = 1, schedule: Schedule = Schedule(), target: Target = Target(districts: ["north"]),
        playlist: [PlaylistEntry] = [PlaylistEntry(layoutId: "layout-a", durationSeconds: 10)]
    ) -> Campaign {
        Campaign(id: id, name: "Campaign \(id)", priority: priority, schedule: schedule, target: target, playlist: playlist)
    }

    static func live(
        _ id: String, priority: Int = 1, schedule: Schedule = Schedule(), target: Target = Target(districts: ["north"]),
        playlist: [PlaylistEntry] = [PlaylistEntry(layoutId: "layout-a", durationSeconds: 10)],
        revision: Int = 1, approvedAt: Date = t("2026-01-01T00:00:00Z")
    ) -> LiveCampaign {
        LiveCampaign(
            campaign: campaign(id, priority: priority, schedule: schedule, target: target, playlist: playlist), revision: revision,
            approvedAt: approvedAt)
    }
}
