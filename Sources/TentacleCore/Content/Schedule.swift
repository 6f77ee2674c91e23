public import Foundation

/// When a campaign may play, read in the display's local wall-clock time.
///
/// - `startDate` and `endDate` are local calendar dates and both are inclusive; an absent one
///   leaves that side open.
/// - `daysOfWeek` holds ISO weekdays (Monday = 1 ... Sunday = 7); empty means every day.
/// - `windows` are daily wall-clock windows `[start, end)`; no windows means all day. A window whose
///   end is not after its start crosses midnight (22:00–02:00 runs from 22:00 on day D to 02:00 on
///   D+1); `00:00–00:00` is the whole day. The date range and the weekdays apply to the day a window
///   occurrence starts, so 22:00–02:00 on Fridays runs into Saturday morning.
/// - Daylight saving: an instant is active when the display's clock then shows a time inside an
///   occurrence. A window starting in the spring-forward gap starts at the first instant after the
///   gap, and a window lying wholly in the gap does not run that night. In the fall-back hour every
///   wall time occurs twice and is covered both times: 02:00–03:00 on that day runs two real hours.
public struct Schedule: Codable, Hashable, Sendable {
    public var startDate: LocalDate?
    public var endDate: LocalDate?
    public var daysOfWeek: Set<Int>
    public var windows: [TimeWindow]

    public static let maxWindows = 24

    public init(startDate: LocalDate? = nil, endDate: LocalDate? = nil, daysOfWeek: Set<Int> = [], windows: [TimeWindow] = []) {
        self.startDate = startDate
        self.endDate = endDate
        self.daysOfWeek = daysOfWeek
        self.windows = windows
    }

    enum CodingKeys: String, CodingKey { case startDate, endDate, daysOfWeek, windows }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        startDate = try c.decodeIfPresent(LocalDate.self, forKey: .startDate)
        endDate = try c.decodeIfPresent(LocalDate.self, forKey: .endDate)
        daysOfWeek = Set(try c.decodeIfPresent([Int].self, forKey: .daysOfWeek) ?? [])
        windows = try c.decodeIfPresent([TimeWindow].self, forKey: .windows) ?? []
    }

    /// Weekdays are written sorted: a Set's order changes from run to run and snapshots are hashed.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(startDate, forKey: .startDate)
        try c.encodeIfPresent(endDate, forKey: .endDate)
        try c.encode(daysOfWeek.sorted(), forKey: .daysOfWeek)
        try c.encode(windows, forKey: .windows)
    }

    /// Every issue with the schedule, with field paths under `field`.
    public func issues(field: String = "schedule") -> [FieldIssue] {
        var c = IssueCollector()
        if let startDate, let endDate, endDate < startDate {
            c.add("\(field).endDate", "\(endDate) is before startDate \(startDate)")
        }
        for day in daysOfWeek.sorted() where !(1...7).contains(day) {
            c.add("\(field).daysOfWeek", "\(day) is not an ISO weekday 1 (Monday) ... 7 (Sunday)")
        }
        if windows.count > Self.maxWindows {
            c.add("\(field).windows", "at most \(Self.maxWindows) windows allowed, got \(windows.count)")
        }
        for (i, w) in windows.enumerated() where windows[..<i].contains(w) {
            c.add("\(field).windows[\(i)]", "repeats window \(w.start)–\(w.end)")
        }
        return c.issues
    }

    /// Whether the schedule is on at `date` for a display in `timeZone`.
    public func isActive(at date: Date, timeZone: TimeZone) -> Bool {
        CompiledSchedule(self).evaluate(local: LocalClock.seconds(date, timeZone)).isActive
    }

    /// The instants in `(after, after + within]` where the schedule turns on or off, in order.
    public func nextChanges(after: Date, within: TimeInterval, timeZone: TimeZone) -> [Date] {
        guard within > 0, within.isFinite else { return [] }
        let compiled = CompiledSchedule(self)
        let end = after.addingTimeInterval(within)
        var offsets: Set<Int> = [timeZone.secondsFromGMT(for: after)]
        var candidates: [Double] = []
        var cursor = after
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor), next <= end {
            offsets.insert(timeZone.secondsFromGMT(for: next))
            candidates.append(next.timeIntervalSince1970)
            cursor = next
        }
        // Activity only flips where the local clock crosses a window edge or jumps at a transition;
        // every edge is tried under every offset in force, and the walk below drops the non-flips.
        let lo = after.timeIntervalSince1970, hi = end.timeIntervalSince1970
        let firstDay = floorDiv(Int(lo.rounded(.down)) + (offsets.min() ?? 0), 86_400) - 1
        let lastDay = floorDiv(Int(hi.rounded(.up)) + (offsets.max() ?? 0), 86_400) + 1
        for day in firstDay...lastDay {
            for w in compiled.windows {
                for minute in [w.start, w.end] {
                    let local = day * 86_400 + minute * 60
                    for o in offsets {
                        let t = Double(local - o)
                        if t > lo && t <= hi { candidates.append(t) }
                    }
                }
            }
        }
        candidates.sort()
        var changes: [Date] = []
        var state = compiled.evaluate(local: LocalClock.seconds(after, timeZone)).isActive
        var previous = -Double.infinity
        for t in candidates where t != previous {
            previous = t
            let date = Date(timeIntervalSince1970: t)
            let now = compiled.evaluate(local: LocalClock.seconds(date, timeZone)).isActive
            if now != state {
                changes.append(date)
                state = now
            }
        }
        return changes
    }

    /// Whether the schedule is on at some instant of `[from, until)`.
    public func isActive(somewhereIn from: Date, until: Date, timeZone: TimeZone) -> Bool {
        guard from < until else { return false }
        if isActive(at: from, timeZone: timeZone) { return true }
        return nextChanges(after: from, within: until.timeIntervalSince(from), timeZone: timeZone).contains { $0 < until }
    }
}

/// A daily wall-clock window `[start, end)`; `end <= start` crosses midnight, `start == end` is 24 hours.
public struct TimeWindow: Codable, Hashable, Sendable {
    public var start: TimeOfDay
    public var end: TimeOfDay

    public init(start: TimeOfDay, end: TimeOfDay) {
        self.start = start
        self.end = end
    }

    /// `00:00–00:00`.
    public static let allDay = TimeWindow(start: TimeOfDay(hour: 0, minute: 0)!, end: TimeOfDay(hour: 0, minute: 0)!)
}

/// Why a targeted campaign is off at an instant.
public enum InactiveReason: String, Codable, Hashable, Sendable {
    /// The local date is before the schedule's start date.
    case beforeStartDate
    /// The local date is after the schedule's end date.
    case afterEndDate
    /// Today's weekday is not one of the schedule's days.
    case excludedDay
    /// Today is a scheduled day but the clock is outside every window.
    case outsideTimeWindows
}
