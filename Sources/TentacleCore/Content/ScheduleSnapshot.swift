public import Foundation

/// Everything one display needs to play the coming days offline, in a form that hashes stably.
///
/// It holds the live campaigns that target the display and are on at some instant of
/// `[from, until)`, sorted by campaign id (then revision), the display's default layout, and every
/// layout id those need, sorted and unique. Equal inputs give byte-identical `canonicalJSON()`
/// whatever order the campaigns came in.
public struct ScheduleSnapshot: Codable, Hashable, Sendable {
    public var displayId: String
    public var timezone: String
    public var from: Date
    public var until: Date
    public var campaigns: [LiveCampaign]
    public var defaultLayout: DefaultLayout?
    public var layoutIds: [String]

    public static func make(display: Display, campaigns: [LiveCampaign], defaults: DefaultLayouts, from: Date, days: Int = 7) -> ScheduleSnapshot {
        let until = from.addingTimeInterval(Double(max(0, days)) * 86_400)
        let zone = LocalClock.zone(display.timezone)
        let reaching = campaigns
            .filter { !$0.campaign.playlist.isEmpty && $0.campaign.target.matches(display) }
            .filter { $0.campaign.schedule.isActive(somewhereIn: from, until: until, timeZone: zone) }
            .sorted { ($0.id, $1.revision) < ($1.id, $0.revision) }
        let fallback = defaults.layout(for: display)
        var layouts = Set(reaching.flatMap { $0.campaign.playlist.map(\.layoutId) })
        if let fallback { layouts.insert(fallback.layoutId) }
        return ScheduleSnapshot(
            displayId: display.id, timezone: display.timezone, from: from, until: until, campaigns: reaching,
            defaultLayout: fallback, layoutIds: layouts.sorted())
    }

    public init(
        displayId: String, timezone: String, from: Date, until: Date, campaigns: [LiveCampaign], defaultLayout: DefaultLayout?,
        layoutIds: [String]
    ) {
        self.displayId = displayId
        self.timezone = timezone
        self.from = from
        self.until = until
        self.campaigns = campaigns
        self.defaultLayout = defaultLayout
        self.layoutIds = layoutIds
    }

    /// UTF-8 JSON with keys sorted, no insignificant whitespace, unescaped slashes, numbers in
    /// their shortest round-trip form and dates as `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC, milliseconds).
    public func canonicalJSON() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(CanonicalTime.string(date))
        }
        // With every float given a string form nothing here can throw.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return (try? encoder.encode(self)).map { Array($0) } ?? []
    }
}

/// Instants as fixed-width UTC text, computed without a formatter so the output never depends on locale.
package enum CanonicalTime {
    static func string(_ date: Date) -> String {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = floorDiv(millis, 1000)
        let day = floorDiv(seconds, 86_400)
        let second = seconds - day * 86_400
        let date = civil(day)
        func pad(_ n: Int, _ w: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))T\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2)).\(pad(millis - seconds * 1000, 3))Z"
    }

    /// Hinnant's civil_from_days: the proleptic Gregorian date of a day number since 1970-01-01.
    package static func civil(_ dayNumber: Int) -> (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
