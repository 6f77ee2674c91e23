import Testing
import TentacleCore

@Suite struct ReadingTimeTests {
    @Test(arguments: [
        ("2026-11-25T08:00:00Z", Int64(1_795_593_600_000)),
        ("2026-11-25t08:00:00z", 1_795_593_600_000),
        ("2026-11-25 08:00:00Z", 1_795_593_600_000),
        ("2026-11-25T08:00:00.5Z", 1_795_593_600_500),
        ("2026-11-25T08:00:00.123456789Z", 1_795_593_600_123),
        ("2026-11-25T16:00:00+08:00", 1_795_593_600_000),
        ("2026-11-25T03:30:00-04:30", 1_795_593_600_000),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999Z", -1),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
    ])
    func parses(_ text: String, _ ms: Int64) {
        #expect(ReadingTime.parse(text) == ms)
    }

    @Test(arguments: [
        "", "2026-11-25", "2026-11-25T08:00:00", "2026-11-25T08:00Z", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-11-25T24:00:00Z", "2026-11-25T08:60:00Z", "2026-11-25T08:00:00.Z", "2026-11-25T08:00:00+0800",
        "2026-11-25T08:00:00Z ", "26-11-25T08:00:00Z", "2026-11-25T08:00:00+25:00", "0000-01-01T00:00:00Z",
    ])
    func rejects(_ text: String) {
        #expect(ReadingTime.parse(text) == nil)
    }

    @Test func formatsAndReadsBack() {
        for ms: Int64 in [0, -1, 1_795_593_600_000, 1_795_593_600_007, 253_402_300_799_999] {
            let text = ReadingTime.format(ms)
            #expect(text.flatMap(ReadingTime.parse) == ms)
        }
        #expect(ReadingTime.format(1_795_593_600_000) == "2026-11-25T08:00:00Z")
        #expect(ReadingTime.format(1_795_593_600_250) == "2026-11-25T08:00:00.250Z")
        #expect(ReadingTime.format(.max) == nil)
    }
}
