import Foundation
import Testing
import TentacleCore

private let t = Fixture.t
private let window = Fixture.window
private let date = Fixture.date
private let berlin = Fixture.zone("Europe/Berlin")
private let newYork = Fixture.zone("America/New_York")
private let shanghai = Fixture.zone("Asia/Shanghai")

/// The instants in `[from, to)`, every `step` seconds, at which `schedule` is on.
private func activeSamples(_ schedule: Schedule, _ zone: TimeZone, from: Date, to: Date, step: Double) -> [Date] {
    stride(from: from.timeIntervalSince1970, to: to.timeIntervalSince1970, by: step)
        .map { Date(timeIntervalSince1970: $0) }
        .filter { schedule.isActive(at: $0, timeZone: zone) }
}

@Suite struct ScheduleTests {
    // MARK: values and validation

    @Test func datesAndTimesParseStrictly() {
        #expect(LocalDate("2026-03-29") == LocalDate(year: 2026, month: 3, day: 29))
        #expect(LocalDate("2028-02-29") != nil)
        for bad in ["2026-02-29", "2026-13-01", "2026-3-29", "26-03-29", "2026/03/29", "", "2026-03-29T"] {
            #expect(LocalDate(bad) == nil, "\(bad)")
        }
        #expect(TimeOfDay("23:59")?.minutes == 1439)
        for bad in ["24:00", "12:60", "1:00", "12-00", "ab:cd", "12:000"] {
            #expect(TimeOfDay(bad) == nil, "\(bad)")
        }
    }

    @Test func roundTripsThroughJSONWithSortedWeekdays() throws {
        let schedule = Schedule(
            startDate: date("2026-05-01"), endDate: date("2026-05-31"), daysOfWeek: [7, 1, 3], windows: [window("22:00", "02:00")])
        let data = try JSONEncoder().encode(schedule)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""daysOfWeek":[1,3,7]"#))
        #expect(text.contains(#""start":"22:00""#))
        #expect(text.contains(#""startDate":"2026-05-01""#))
        #expect(try JSONDecoder().decode(Schedule.self, from: data) == schedule)
    }

    @Test func absentFieldsDecodeAsOpenAndEveryDay() throws {
        let schedule = try JSONDecoder().decode(Schedule.self, from: Data("{}".utf8))
        #expect(schedule == Schedule())
        #expect(schedule.isActive(at: t("2026-06-01T03:00:00Z"), timeZone: shanghai))
    }

    @Test func badTimeOrDateFailsToDecode() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Schedule.self, from: Data(#"{"windows":[{"start":"25:00","end":"02:00"}]}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Schedule.self, from: Data(#"{"startDate":"2026-02-30"}"#.utf8))
        }
    }

    @Test func validationNamesFields() {
        let schedule = Schedule(
            startDate: date("2026-05-10"), endDate: date("2026-05-01"), daysOfWeek: [0, 8, 2],
            windows: [window("08:00", "09:00"), window("08:00", "09:00")])
        let fields = schedule.issues().map(\.field)
        #expect(fields == ["schedule.endDate", "schedule.daysOfWeek", "schedule.daysOfWeek", "schedule.windows[1]"])
        #expect(Schedule(startDate: date("2026-05-01"), endDate: date("2026-05-01")).issues().isEmpty)
        let many = Schedule(windows: (0..<25).map { window(String(format: "%02d:00", $0 % 24), String(format: "%02d:30", $0 % 24)) })
        #expect(many.issues().contains { $0.field == "schedule.windows" && $0.message.contains("at most 24") })
    }

    // MARK: dates, weekdays and windows

    @Test func dateRangeIsInclusiveAtBothEnds() {
        let schedule = Schedule(startDate: date("2026-05-01"), endDate: date("2026-05-03"), windows: [window("09:00", "17:00")])
        #expect(!schedule.isActive(at: t("2026-04-30T09:00:00+08:00"), timeZone: shanghai))
        #expect(schedule.isActive(at: t("2026-05-01T09:00:00+08:00"), timeZone: shanghai))
        #expect(!schedule.isActive(at: t("2026-05-01T08:59:59+08:00"), timeZone: shanghai))
        #expect(schedule.isActive(at: t("2026-05-03T16:59:59+08:00"), timeZone: shanghai))
        #expect(!schedule.isActive(at: t("2026-05-03T17:00:00+08:00"), timeZone: shanghai))
        #expect(!schedule.isActive(at: t("2026-05-04T09:00:00+08:00"), timeZone: shanghai))
    }

    @Test func datesAreReadInTheDisplaysZone() {
        // 2026-05-01 00:30 in Shanghai is still April 30 in UTC.
        let schedule = Schedule(startDate: date("2026-05-01"))
        #expect(schedule.isActive(at: t("2026-04-30T16:30:00Z"), timeZone: shanghai))
        #expect(!schedule.isActive(at: t("2026-04-30T16:30:00Z"), timeZone: TimeZone(identifier: "UTC")!))
    }

    @Test func daysOfWeekAreISO() {
        // 2026-06-01 is a Monday, 2026-06-07 a Sunday.
        let mondays = Schedule(daysOfWeek: [1])
        let sundays = Schedule(daysOfWeek: [7])
        #expect(mondays.isActive(at: t("2026-06-01T12:00:00+08:00"), timeZone: shanghai))
        #expect(!mondays.isActive(at: t("2026-06-02T12:00:00+08:00"), timeZone: shanghai))
        #expect(sundays.isActive(at: t("2026-06-07T23:59:59+08:00"), timeZone: shanghai))
        #expect(!sundays.isActive(at: t("2026-06-08T00:00:00+08:00"), timeZone: shanghai))
        let weekdays = Schedule(daysOfWeek: [1, 2, 3, 4, 5], windows: [window("07:00", "09:00")])
        let week = activeSamples(weekdays, shanghai, from: t("2026-06-01T00:00:00+08:00"), to: t("2026-06-08T00:00:00+08:00"), step: 3600)
        #expect(week.count == 10)
    }

    @Test func windowsAreHalfOpen() {
        let schedule = Schedule(windows: [window("08:00", "20:00")])
        #expect(!schedule.isActive(at: t("2026-06-01T07:59:59+08:00"), timeZone: shanghai))
        #expect(schedule.isActive(at: t("2026-06-01T08:00:00+08:00"), timeZone: shanghai))
        #expect(schedule.isActive(at: t("2026-06-01T20:00:00+08:00").addingTimeInterval(-0.001), timeZone: shanghai))
        #expect(!schedule.isActive(at: t("2026-06-01T20:00:00+08:00"), timeZone: shanghai))
    }

    @Test func allDayForms() {
        let forms = [Schedule(), Schedule(windows: [.allDay]), Schedule(windows: [window("00:00", "00:00")])]
        for schedule in forms {
            let samples = activeSamples(schedule, shanghai, from: t("2026-06-01T00:00:00+08:00"), to: t("2026-06-03T00:00:00+08:00"), step: 600)
            #expect(samples.count == 288)
        }
        let fromSix = Schedule(daysOfWeek: [1], windows: [window("06:00", "06:00")])
        #expect(!fromSix.isActive(at: t("2026-06-01T05:59:00+08:00"), timeZone: shanghai))
        #expect(fromSix.isActive(at: t("2026-06-01T06:00:00+08:00"), timeZone: shanghai))
        #expect(fromSix.isActive(at: t("2026-06-02T05:59:00+08:00"), timeZone: shanghai))
        #expect(!fromSix.isActive(at: t("2026-06-02T06:00:00+08:00"), timeZone: shanghai))
    }

    @Test func severalWindowsAreAUnion() {
        let schedule = Schedule(windows: [window("07:00", "09:00"), window("17:00", "19:00"), window("08:00", "10:00")])
        let on = activeSamples(schedule, shanghai, from: t("2026-06-01T00:00:00+08:00"), to: t("2026-06-02T00:00:00+08:00"), step: 3600)
        #expect(on.count == 5)
    }

    // MARK: windows crossing midnight

    @Test func crossingWindowBelongsToTheDayItStarts() {
        // Fridays only; 2026-06-05 is a Friday.
        let schedule = Schedule(daysOfWeek: [5], windows: [window("22:00", "02:00")])
        #expect(schedule.isActive(at: t("2026-06-05T23:00:00+08:00"), timeZone: shanghai))
        #expect(schedule.isActive(at: t("2026-06-06T01:59:00+08:00"), timeZone: shanghai))
        #expect(!schedule.isActive(at: t("2026-06-06T02:00:00+08:00"), timeZone: shanghai))
        #expect(!schedule.isActive(at: t("2026-06-06T23:00:00+08:00"), timeZone: shanghai))
        #expect(!schedule.isActive(at: t("2026-06-04T23:00:00+08:00"), timeZone: shanghai))
        // Friday 01:00 is Thursday's occurrence, and Thursday is not scheduled.
        #expect(!schedule.isActive(at: t("2026-06-05T01:00:00+08:00"), timeZone: shanghai))
    }

    @Test func crossingWindowRunsPastTheEndDate() {
        let schedule = Schedule(startDate: date("2026-06-03"), endDate: date("2026-06-05"), windows: [window("22:00", "02:00")])
        #expect(!schedule.isActive(at: t("2026-06-03T01:00:00+08:00"), timeZone: shanghai))
        #expect(schedule.isActive(at: t("2026-06-03T22:00:00+08:00"), timeZone: shanghai))
        #expect(schedule.isActive(at: t("2026-06-06T01:00:00+08:00"), timeZone: shanghai))
        #expect(!schedule.isActive(at: t("2026-06-06T22:30:00+08:00"), timeZone: shanghai))
        let changes = schedule.nextChanges(after: t("2026-06-01T00:00:00+08:00"), within: 7 * 86_400, timeZone: shanghai)
        #expect(changes.count == 6)
        #expect(changes.last == t("2026-06-06T02:00:00+08:00"))
    }

    @Test func crossingWindowOverTheWeekBoundary() {
        // Sundays 20:00 to Monday 04:00; 2026-06-07 is a Sunday.
        let schedule = Schedule(daysOfWeek: [7], windows: [window("20:00", "04:00")])
        #expect(schedule.isActive(at: t("2026-06-08T03:00:00+08:00"), timeZone: shanghai))
        #expect(!schedule.isActive(at: t("2026-06-07T03:00:00+08:00"), timeZone: shanghai))
        #expect(!schedule.isActive(at: t("2026-06-08T20:00:00+08:00"), timeZone: shanghai))
    }

    // MARK: daylight saving

    @Test func berlinSpringForwardWindowStartingInTheGap() {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
        let schedule = Schedule(startDate: date("2026-03-29"), endDate: date("2026-03-29"), windows: [window("02:30", "04:00")])
        #expect(!schedule.isActive(at: t("2026-03-29T00:59:59Z"), timeZone: berlin))
        #expect(schedule.isActive(at: t("2026-03-29T01:00:00Z"), timeZone: berlin))
        #expect(schedule.isActive(at: t("2026-03-29T01:59:59Z"), timeZone: berlin))
        #expect(!schedule.isActive(at: t("2026-03-29T02:00:00Z"), timeZone: berlin))
        let changes = schedule.nextChanges(after: t("2026-03-28T00:00:00Z"), within: 3 * 86_400, timeZone: berlin)
        #expect(changes == [t("2026-03-29T01:00:00Z"), t("2026-03-29T02:00:00Z")])
    }

    @Test func berlinWindowWhollyInTheGapDoesNotRun() {
        let schedule = Schedule(windows: [window("02:15", "02:45")])
        let day = activeSamples(schedule, berlin, from: t("2026-03-28T22:00:00Z"), to: t("2026-03-29T22:00:00Z"), step: 60)
        #expect(day.isEmpty)
        let before = activeSamples(schedule, berlin, from: t("2026-03-27T23:00:00Z"), to: t("2026-03-28T23:00:00Z"), step: 60)
        #expect(before.count == 30)
    }

    @Test func berlinWindowAcrossTheGapIsAnHourShorter() {
        let schedule = Schedule(windows: [window("01:00", "03:30")])
        let on = activeSamples(schedule, berlin, from: t("2026-03-28T23:00:00Z"), to: t("2026-03-29T22:00:00Z"), step: 60)
        #expect(on.count == 90)
        #expect(on.first == t("2026-03-29T00:00:00Z"))
    }

    @Test func berlinOvernightWindowAcrossTheSpringNight() {
        // Saturday 22:00 CET to Sunday 06:00 CEST: seven real hours.
        let schedule = Schedule(daysOfWeek: [6], windows: [window("22:00", "06:00")])
        let changes = schedule.nextChanges(after: t("2026-03-28T12:00:00Z"), within: 86_400, timeZone: berlin)
        #expect(changes == [t("2026-03-28T21:00:00Z"), t("2026-03-29T04:00:00Z")])
    }

    @Test func berlinFallBackRepeatedHourIsCoveredTwice() {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:00-03:00 happens twice.
        let schedule = Schedule(startDate: date("2026-10-25"), endDate: date("2026-10-25"), windows: [window("02:00", "03:00")])
        #expect(!schedule.isActive(at: t("2026-10-24T23:59:59Z"), timeZone: berlin))
        #expect(schedule.isActive(at: t("2026-10-25T00:30:00Z"), timeZone: berlin))
        #expect(schedule.isActive(at: t("2026-10-25T01:30:00Z"), timeZone: berlin))
        #expect(!schedule.isActive(at: t("2026-10-25T02:00:00Z"), timeZone: berlin))
        let changes = schedule.nextChanges(after: t("2026-10-24T00:00:00Z"), within: 3 * 86_400, timeZone: berlin)
        #expect(changes == [t("2026-10-25T00:00:00Z"), t("2026-10-25T02:00:00Z")])
    }

    @Test func berlinFallBackWindowEndingInsideTheRepeatedHour() {
        // On the clock: 01:00-02:30 CEST, then 02:00-02:30 again in CET.
        let schedule = Schedule(windows: [window("01:00", "02:30")])
        let changes = schedule.nextChanges(after: t("2026-10-24T12:00:00Z"), within: 86_400, timeZone: berlin)
        #expect(changes == [t("2026-10-24T23:00:00Z"), t("2026-10-25T00:30:00Z"), t("2026-10-25T01:00:00Z"), t("2026-10-25T01:30:00Z")])
    }

    @Test func berlinOvernightWindowAcrossTheFallNight() {
        // Saturday 22:00 CEST to Sunday 06:00 CET: nine real hours.
        let schedule = Schedule(daysOfWeek: [6], windows: [window("22:00", "06:00")])
        let changes = schedule.nextChanges(after: t("2026-10-24T12:00:00Z"), within: 86_400, timeZone: berlin)
        #expect(changes == [t("2026-10-24T20:00:00Z"), t("2026-10-25T05:00:00Z")])
    }

    @Test func newYorkSpringForward() {
        // 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
        let schedule = Schedule(windows: [window("02:30", "03:30")])
        let changes = schedule.nextChanges(after: t("2026-03-08T00:00:00Z"), within: 86_400, timeZone: newYork)
        #expect(changes == [t("2026-03-08T07:00:00Z"), t("2026-03-08T07:30:00Z")])
        let dayBefore = schedule.nextChanges(after: t("2026-03-07T00:00:00Z"), within: 86_400, timeZone: newYork)
        #expect(dayBefore == [t("2026-03-07T07:30:00Z"), t("2026-03-07T08:30:00Z")])
    }

    @Test func newYorkFallBack() {
        // 2026-11-01: 02:00 EDT becomes 01:00 EST at 06:00 UTC; 01:00-02:00 happens twice.
        let schedule = Schedule(windows: [window("01:00", "02:00")])
        let changes = schedule.nextChanges(after: t("2026-11-01T00:00:00Z"), within: 86_400, timeZone: newYork)
        #expect(changes == [t("2026-11-01T05:00:00Z"), t("2026-11-01T07:00:00Z")])
        let eveningAndMorning = Schedule(windows: [window("18:00", "08:00")])
        // 18:00 EDT on Oct 31 to 08:00 EST on Nov 1: fifteen real hours.
        let on = activeSamples(
            eveningAndMorning, newYork, from: t("2026-10-31T16:00:00Z"), to: t("2026-11-01T16:00:00Z"), step: 60)
        #expect(on.count == 15 * 60)
    }

    @Test func shanghaiHasNoTransitions() {
        let schedule = Schedule(windows: [window("08:00", "20:00")])
        let changes = schedule.nextChanges(after: t("2026-03-28T00:00:00Z"), within: 2 * 86_400, timeZone: shanghai)
        #expect(changes == [
            t("2026-03-28T12:00:00Z"), t("2026-03-29T00:00:00Z"), t("2026-03-29T12:00:00Z"), t("2026-03-30T00:00:00Z"),
        ])
    }

    // MARK: changes

    @Test func changesExcludeTheStartAndIncludeTheEnd() {
        let schedule = Schedule(windows: [window("08:00", "20:00")])
        let at8 = t("2026-06-01T08:00:00+08:00")
        #expect(schedule.nextChanges(after: at8, within: 12 * 3600, timeZone: shanghai) == [t("2026-06-01T20:00:00+08:00")])
        #expect(schedule.nextChanges(after: at8, within: 12 * 3600 - 1, timeZone: shanghai).isEmpty)
        #expect(schedule.nextChanges(after: at8, within: 0, timeZone: shanghai).isEmpty)
        #expect(Schedule().nextChanges(after: at8, within: 7 * 86_400, timeZone: berlin).isEmpty)
    }

    @Test func adjacentAllDayOccurrencesDoNotFlipAtMidnight() {
        let schedule = Schedule(daysOfWeek: [1, 2], windows: [.allDay])
        let changes = schedule.nextChanges(after: t("2026-05-31T00:00:00+08:00"), within: 7 * 86_400, timeZone: shanghai)
        #expect(changes == [t("2026-06-01T00:00:00+08:00"), t("2026-06-03T00:00:00+08:00")])
    }

    @Test func somewhereInFindsShortRuns() {
        let schedule = Schedule(startDate: date("2026-06-05"), endDate: date("2026-06-05"), windows: [window("12:00", "12:01")])
        let from = t("2026-06-01T00:00:00+08:00")
        #expect(schedule.isActive(somewhereIn: from, until: from.addingTimeInterval(7 * 86_400), timeZone: shanghai))
        #expect(!schedule.isActive(somewhereIn: from, until: t("2026-06-05T12:00:00+08:00"), timeZone: shanghai))
        #expect(!schedule.isActive(somewhereIn: t("2026-06-05T12:01:00+08:00"), until: from.addingTimeInterval(30 * 86_400), timeZone: shanghai))
    }

    /// Changes must agree with sampling isActive every minute, across both Berlin and New York transitions.
    @Test(arguments: ["Europe/Berlin", "America/New_York", "Asia/Shanghai", "Australia/Sydney"])
    func changesAgreeWithSampling(zoneId: String) {
        let zone = Fixture.zone(zoneId)
        let schedules = [
            Schedule(windows: [window("01:30", "02:30"), window("23:00", "03:00")]),
            Schedule(daysOfWeek: [7, 1], windows: [window("02:00", "03:00")]),
            Schedule(startDate: date("2026-03-07"), endDate: date("2026-03-28"), windows: [window("22:15", "02:45")]),
            Schedule(windows: [window("03:00", "01:00")]),
        ]
        for start in [t("2026-03-05T00:00:00Z"), t("2026-10-22T00:00:00Z")] {
            let end = start.addingTimeInterval(12 * 86_400)
            for schedule in schedules {
                let changes = schedule.nextChanges(after: start, within: end.timeIntervalSince(start), timeZone: zone)
                var state = schedule.isActive(at: start, timeZone: zone)
                var next = 0
                var mismatches = 0
                for s in stride(from: start.timeIntervalSince1970 + 60, through: end.timeIntervalSince1970, by: 60) {
                    while next < changes.count && changes[next].timeIntervalSince1970 <= s {
                        state.toggle()
                        next += 1
                    }
                    if schedule.isActive(at: Date(timeIntervalSince1970: s), timeZone: zone) != state { mismatches += 1 }
                }
                #expect(mismatches == 0, "\(zoneId) \(schedule)")
                #expect(next == changes.count)
            }
        }
    }
}
