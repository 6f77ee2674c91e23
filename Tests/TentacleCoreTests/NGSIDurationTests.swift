import Testing
@testable import TentacleCore

private let second: Int64 = 1000, minute = 60 * second, hour = 60 * minute, day = 24 * hour, week = 7 * day

private let fixedLengths: [(String, Int64)] = [
    ("P1W", week), ("P2W", 2 * week), ("P1.5W", week + 3 * day + 12 * hour), ("P1D", day), ("P30D", 30 * day),
    ("P0.5D", 12 * hour), ("PT1H", hour), ("PT36H", 36 * hour), ("PT1M", minute), ("PT90M", 90 * minute),
    ("PT1.5M", 90 * second), ("PT1S", second), ("PT0.5S", 500), ("PT0,5S", 500), ("PT0.001S", 1), ("PT0.0019S", 1),
    ("PT1.123456789999S", 1123), ("P1DT12H", day + 12 * hour), ("P1DT1H1M1S", day + hour + minute + second),
    ("PT1H30M", hour + 30 * minute), ("PT1H0.25M", hour + 15 * second), ("P1DT0S", day), ("PT0H0M1S", second),
    ("P0001D", day), ("PT86400S", day), ("P106751991167DT7H", 106_751_991_167 * day + 7 * hour),
]

@Suite struct NGSIDurationTests {
    @Test(arguments: fixedLengths)
    func readsFixedLengths(text: String, milliseconds: Int64) throws {
        #expect(try NGSIDuration.milliseconds(text) == milliseconds)
    }

    @Test(arguments: [
        ("", "is empty"),
        ("1D", "'1D' is not an ISO 8601 duration: it must start with P, as in PT15M or P1D"),
        ("pt1m", "'pt1m' is not an ISO 8601 duration"),
        (" PT1M", "' PT1M' is not an ISO 8601 duration"),
        ("-P1D", "'-P1D' is negative: a period must be longer than zero"),
        ("P", "'P' has no parts: write PT15M, P1D or P1W"),
        ("PT", "'PT' has T without hours, minutes or seconds after it"),
        ("P1DT", "'P1DT' has T without hours, minutes or seconds after it"),
        ("P1Y", "'P1Y' has years, whose length varies: use days or weeks"),
        ("P1Y2M", "'P1Y2M' has years"),
        ("P1M", "'P1M' has months, whose length varies: use days or weeks (months are M after T)"),
        ("P0D", "'P0D' is zero (or under a millisecond): a period must be longer than that"),
        ("PT0S", "'PT0S' is zero"),
        ("P0W", "'P0W' is zero"),
        ("PT0.0009S", "'PT0.0009S' is zero"),
        ("P1W1D", "'P1W1D' combines weeks with other parts: write PnW alone, or days instead"),
        ("P1D1W", "'P1D1W' combines weeks with other parts"),
        ("P1WT1H", "'P1WT1H' combines weeks with other parts"),
        ("PT1M1H", "'PT1M1H' has its parts out of order or twice: the order is D, then T, H, M, S"),
        ("PT1S1S", "'PT1S1S' has its parts out of order or twice"),
        ("P1D2D", "'P1D2D' has its parts out of order or twice"),
        ("P1DT1D", "'P1DT1D' has D after T: weeks and days come before it"),
        ("PT1W", "'PT1W' has W after T"),
        ("P1H", "'P1H' has H before T: hours, minutes and seconds come after it, as in PT1H"),
        ("P1S", "'P1S' has S before T"),
        ("PT1X", "'PT1X' has an unknown unit at character 4: use W, D, then T and H, M, S"),
        ("PT1m", "'PT1m' has an unknown unit at character 4"),
        ("P1", "'P1' ends in a number without a unit (W, D, H, M or S)"),
        ("PT1.5", "'PT1.5' ends in a number without a unit"),
        ("PD", "'PD' needs a number at character 2"),
        ("PT-1S", "'PT-1S' needs a number at character 3"),
        ("PT1.S", "'PT1.S' needs digits after the decimal sign at character 4"),
        ("PT0.5M1S", "'PT0.5M1S' has a fraction before its last part: only the last part may have one"),
        ("P0.5DT1H", "'P0.5DT1H' has a fraction before its last part"),
        ("PTT1H", "'PTT1H' has a second T"),
        ("P99999999999999999999D", "'P99999999999999999999D' is too long for 64-bit milliseconds"),
        ("P20000000000000W", "'P20000000000000W' is too long for 64-bit milliseconds"),
        ("P106751991167DT8H", "'P106751991167DT8H' is too long for 64-bit milliseconds"),
        ("P" + String(repeating: "1", count: 50) + "D", "'P" + String(repeating: "1", count: 39) + "…' is too long"),
    ])
    func refuses(text: String, message: String) {
        do {
            let milliseconds = try NGSIDuration.milliseconds(text)
            Issue.record("\(text) read as \(milliseconds) ms")
        } catch {
            #expect(error.parameter == "aggrPeriodDuration")
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }
}
