package import Foundation

/// What a schedule says about one local instant.
enum ScheduleEvaluation: Hashable, Sendable {
    /// On, inside the window occurrence that started at this local time (seconds on the local clock since 1970).
    case active(occurrenceStart: Int)
    case inactive(InactiveReason)

    var isActive: Bool {
        if case .active = self { return true }
        return false
    }
}

/// A schedule reduced to integers, so evaluating it is a few comparisons with no Calendar.
struct CompiledSchedule: Sendable {
    let firstDay: Int
    let lastDay: Int
    /// Bit n set when ISO weekday n runs; all of 1...7 when the schedule lists none.
    let weekdays: UInt8
    let windows: [(start: Int, end: Int)]

    init(_ schedule: Schedule) {
        firstDay = schedule.startDate?.dayNumber ?? .min
        lastDay = schedule.endDate?.dayNumber ?? .max
        weekdays = schedule.daysOfWeek.isEmpty ? 0xFE : schedule.daysOfWeek.reduce(0) { $0 | (1 << UInt8(clamping: $1 & 7)) }
        let windows = schedule.windows.isEmpty ? [TimeWindow.allDay] : schedule.windows
        self.windows = windows.map { ($0.start.minutes, $0.end.minutes) }
    }

    func runs(on day: Int) -> Bool {
        day >= firstDay && day <= lastDay && weekdays & (1 << UInt8(LocalClock.weekday(day))) != 0
    }

    /// `local` is seconds on the local clock since 1970-01-01 00:00. When windows overlap, the
    /// earliest-starting occurrence is reported so playback does not jump when a later one opens.
    func evaluate(local: Int) -> ScheduleEvaluation {
        let day = floorDiv(local, 86_400)
        let minute = (local - day * 86_400) / 60
        let today = runs(on: day)
        var start = Int.max
        for w in windows {
            if w.start < w.end {
                if today && minute >= w.start && minute < w.end { start = min(start, day * 86_400 + w.start * 60) }
            } else if minute >= w.start {
                if today { start = min(start, day * 86_400 + w.start * 60) }
            } else if minute < w.end && runs(on: day - 1) {
                start = min(start, (day - 1) * 86_400 + w.start * 60)
            }
        }
        if start != .max { return .active(occurrenceStart: start) }
        if day < firstDay { return .inactive(.beforeStartDate) }
        if day > lastDay { return .inactive(.afterEndDate) }
        if !today { return .inactive(.excludedDay) }
        return .inactive(.outsideTimeWindows)
    }
}

/// Conversions between instants and a zone's local clock, as whole seconds since 1970.
package enum LocalClock {
    package static func seconds(_ date: Date, _ zone: TimeZone) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: date)
    }

    /// ISO weekday (Monday = 1) of a day number; 1970-01-01 was a Thursday.
    static func weekday(_ day: Int) -> Int {
        floorMod(day + 3, 7) + 1
    }

    /// The instant the local clock first shows `local`: the earlier of two in the fall-back hour,
    /// and the end of the gap for a time the spring-forward skips. Assumes a zone changes its
    /// offset at most once in any 48 hours, which every tz database zone does.
    static func instant(ofLocal local: Int, _ zone: TimeZone) -> Double {
        let before = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - 86_400)))
        let after = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local + 86_400)))
        let valid = [before, after].map { local - $0 }.filter { zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0))) == local - $0 }
        if let earliest = valid.min() { return Double(earliest) }
        let gapStart = Date(timeIntervalSince1970: Double(local - after))
        return zone.nextDaylightSavingTimeTransition(after: gapStart)?.timeIntervalSince1970 ?? Double(local - before)
    }

    static func zone(_ identifier: String) -> TimeZone {
        TimeZone(identifier: identifier) ?? TimeZone(secondsFromGMT: 0)!
    }
}

func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

func floorMod(_ a: Int, _ b: Int) -> Int {
    a - floorDiv(a, b) * b
}
