import Foundation
import TentacleCore
import Testing

/// Recorded reading streams replayed through the rule engine, with the raise and clear times each
/// must give: an episode, flapping data, hysteresis, late data, silence, several sources.
@Suite struct RuleEngineTests {
    /// 2026-01-01T00:00:00Z, on a minute.
    static let t0: Int64 = 1_767_225_600_000
    static let minute: Int64 = 60_000

    static let rule = Rule(
        id: "pm25-north", metric: "pm25", threshold: 75, forSeconds: 600, clearThreshold: 55, clearForSeconds: 600,
        area: .districts(["north"]))

    static func engine(_ rules: [Rule] = [rule]) -> RuleEngine {
        var engine = RuleEngine()
        engine.setRules(rules)
        engine.setPlace(SourcePlace(district: "north", lat: 52.55, lon: 13.40), of: "s1")
        engine.setPlace(SourcePlace(district: "north", lat: 52.56, lon: 13.41), of: "s2")
        engine.setPlace(SourcePlace(district: "south", lat: 52.45, lon: 13.40), of: "s3")
        return engine
    }

    /// One reading every 10 s from minute `from` up to (not including) minute `to`, valued by minute.
    static func stream(_ source: String = "s1", from: Int, to: Int, metric: String = "pm25", _ value: (Int) -> Double) -> [Reading] {
        (from * 6..<to * 6).map { i in Reading(source: source, metric: metric, time: t0 + Int64(i) * 10_000, value: value(i / 6)) }
    }

    static func replay(_ readings: [Reading], into engine: inout RuleEngine, thenAdvanceTo end: Int64? = nil) -> [RuleEvent] {
        var events = readings.flatMap { engine.ingest($0) }
        if let end { events += engine.advance(to: end) }
        return events
    }

    static func at(_ minutes: Int) -> Int64 { t0 + Int64(minutes) * minute }

    @Test func anEpisodeRaisesAfterItsDurationAndClearsAfterRecovery() {
        var engine = Self.engine()
        let readings = Self.stream(from: 0, to: 40) { $0 < 20 ? 80 : 40 }
        let events = Self.replay(readings, into: &engine)
        // Windows 0-9 above 75: raised as window 9 closes (its end, minute 10). Windows 20-29 at or
        // below 55: cleared at minute 30.
        #expect(events.map(\.kind) == [.raised, .cleared])
        #expect(events.map(\.time) == [Self.at(10), Self.at(30)])
        #expect(events[0].sources == ["s1"] && events[1].sources.isEmpty)
    }

    @Test func aWindowClosesWhenTimeIsAdvancedPastIt() {
        var engine = Self.engine()
        let events = Self.replay(Self.stream(from: 0, to: 10) { _ in 90 }, into: &engine)
        #expect(events.isEmpty)
        #expect(engine.advance(to: Self.at(10) - 1).isEmpty)
        #expect(engine.advance(to: Self.at(10)).map(\.time) == [Self.at(10)])
        #expect(engine.raised == ["pm25-north": ["s1"]])
    }

    @Test func flappingDataNeverRaisesAndHysteresisHolds() {
        var engine = Self.engine()
        // Five minutes above, one just below the threshold, over and over: never ten in a row.
        var readings = Self.stream(from: 0, to: 60) { $0 % 6 == 5 ? 74 : 90 }
        var events = Self.replay(readings, into: &engine)
        #expect(events.isEmpty)
        // Then ten above: raised at minute 70.
        readings = Self.stream(from: 60, to: 70) { _ in 90 }
        // Between the thresholds (65) for half an hour: stays raised. Below 55 for 5 minutes, 60 for
        // one, below for 10: cleared at the end of those 10 (minute 70 + 30 + 5 + 1 + 10 = 116).
        readings += Self.stream(from: 70, to: 100) { _ in 65 }
        readings += Self.stream(from: 100, to: 105) { _ in 50 }
        readings += Self.stream(from: 105, to: 106) { _ in 60 }
        readings += Self.stream(from: 106, to: 120) { _ in 50 }
        events = Self.replay(readings, into: &engine)
        #expect(events.map(\.kind) == [.raised, .cleared])
        #expect(events.map(\.time) == [Self.at(70), Self.at(116)])
    }

    @Test func theWindowsMeanDecidesNotSingleReadings() {
        var engine = Self.engine()
        // Each minute: five readings of 70 and one of 110 (mean 76.7 > 75) raises; 70 and 90 (73.3) does not.
        let high = Self.stream(from: 0, to: 10) { _ in 70 }.enumerated().map { i, r in
            Reading(source: r.source, metric: r.metric, time: r.time, value: i % 6 == 0 ? 110 : 70)
        }
        #expect(Self.replay(high, into: &engine, thenAdvanceTo: Self.at(10)).map(\.time) == [Self.at(10)])
        var other = Self.engine()
        let low = high.map { Reading(source: $0.source, metric: $0.metric, time: $0.time, value: $0.value == 110 ? 90 : 70) }
        #expect(Self.replay(low, into: &other, thenAdvanceTo: Self.at(10)).isEmpty)
    }

    @Test func lateReadingsInTheOpenWindowCountAndOlderOnesAreLeftOut() {
        var engine = Self.engine()
        var readings = Self.stream(from: 0, to: 20) { $0 < 12 ? 80 : 40 }
        // Shuffle within each minute (arrival order inside the open window does not matter).
        readings = stride(from: 0, to: readings.count, by: 6).flatMap { Array(readings[$0..<$0 + 6].reversed()) }
        // A reading for minute 3 arrives during minute 15 with a value that would break the streak.
        readings.insert(Reading(source: "s1", metric: "pm25", time: Self.at(3) + 5_000, value: 0), at: 15 * 6 + 2)
        let events = Self.replay(readings, into: &engine)
        #expect(events.map(\.time) == [Self.at(10)])
        #expect(engine.lateReadings == 1)
    }

    @Test func aSilentSourceLetsGoAtItsLastReadingPlusTheSilence() {
        var engine = Self.engine()
        let readings = Self.stream(from: 0, to: 12) { _ in 90 }
        let last = readings.last!.time
        #expect(Self.replay(readings, into: &engine).map(\.time) == [Self.at(10)])
        // Advancing in steps: nothing until the silence has passed, then cleared at its instant.
        #expect(engine.advance(to: last + 899_999).map(\.kind) == [])
        let events = engine.advance(to: last + 3_600_000)
        #expect(events.map(\.kind) == [.cleared])
        #expect(events.first?.time == last + 900_000 && events.first?.silent == true)
    }

    @Test func silenceIsTheSameWhetherOrNotTimeWasAdvanced() {
        // Eight minutes above, sixteen minutes of nothing, five above: the first streak is forgotten.
        let readings = Self.stream(from: 0, to: 8) { _ in 90 } + Self.stream(from: 24, to: 29) { _ in 90 }
        var advanced = Self.engine(), plain = Self.engine()
        var events: [RuleEvent] = []
        for r in readings { events += advanced.advance(to: r.time); events += advanced.ingest(r) }
        #expect(events.isEmpty)
        #expect(Self.replay(readings, into: &plain, thenAdvanceTo: Self.at(29)).isEmpty)
        // Without the gap the same thirteen minutes raise.
        var together = Self.engine()
        #expect(!Self.replay(Self.stream(from: 0, to: 13) { _ in 90 }, into: &together, thenAdvanceTo: Self.at(13)).isEmpty)
    }

    @Test func sourcesJoinAndLeaveARaisedRuleAndOtherDistrictsDoNotCount() {
        var engine = Self.engine()
        var readings = Self.stream("s1", from: 0, to: 30) { $0 < 15 ? 90 : 30 }
        readings += Self.stream("s2", from: 5, to: 40) { $0 < 20 ? 90 : 30 }
        readings += Self.stream("s3", from: 0, to: 40) { _ in 200 }
        readings.sort { ($0.time, $0.source) < ($1.time, $1.source) }
        let events = Self.replay(readings, into: &engine, thenAdvanceTo: Self.at(40))
        #expect(events.map(\.kind) == [.raised, .sourcesChanged, .sourcesChanged, .cleared])
        #expect(events.map(\.time) == [Self.at(10), Self.at(15), Self.at(25), Self.at(30)])
        #expect(events.map(\.sources) == [["s1"], ["s1", "s2"], ["s2"], []])
        #expect(events.map(\.source) == ["s1", "s2", "s1", "s2"])
    }

    @Test func aCircleRuleSeesSourcesWithinItsRadiusAndBelowRulesWork() {
        let cold = Rule(
            id: "frost", metric: "temp_c", function: .min, comparison: .below, threshold: 0, forSeconds: 120, clearThreshold: 2,
            clearForSeconds: 60, area: .circle(GeoCircle(lat: 52.55, lon: 13.40, radiusMeters: 500)))
        var engine = Self.engine([cold])
        let near = Self.stream("s1", from: 0, to: 6, metric: "temp_c") { $0 < 3 ? -1 : 5 }
        let far = Self.stream("s3", from: 0, to: 6, metric: "temp_c") { _ in -10 }
        let events = Self.replay(near + far, into: &engine, thenAdvanceTo: Self.at(6))
        #expect(events.map(\.kind) == [.raised, .cleared])
        #expect(events.map(\.time) == [Self.at(2), Self.at(4)])
    }

    @Test func anUnchangedRuleKeepsItsStateWhenRulesAreReplaced() {
        var engine = Self.engine()
        _ = Self.replay(Self.stream(from: 0, to: 11) { _ in 90 }, into: &engine)
        #expect(engine.raised["pm25-north"] == ["s1"])
        var other = Self.rule
        other.id = "pm25-other"
        engine.setRules([Self.rule, other])
        #expect(engine.raised["pm25-north"] == ["s1"])
        var changed = Self.rule
        changed.threshold = 80
        engine.setRules([changed])
        #expect(engine.raised.isEmpty)
    }

    @Test func theSameStreamAlwaysGivesTheSameEventsInOrder() {
        var random = SplitMix64(seed: 42)
        var readings: [Reading] = []
        var time = Self.t0
        var high = false
        for _ in 0..<6000 {
            // Episodes of dirty air and clean, noisy readings, some out of order, and silences.
            if random.int(below: 300) == 0 { high.toggle() }
            time += Int64(random.int(below: 12_000)) - 2_000
            let source = ["s1", "s2", "s3"][random.int(below: 3)]
            let value = high ? random.double(in: 70...120) : random.double(in: 20...80)
            readings.append(Reading(source: source, metric: "pm25", time: time, value: value))
            if random.int(below: 1500) == 0 { time += 1_200_000 }
        }
        func run() -> [RuleEvent] {
            var engine = Self.engine()
            var events: [RuleEvent] = []
            for (i, r) in readings.enumerated() {
                events += engine.ingest(r)
                if i % 97 == 0 { events += engine.advance(to: r.time - 30_000) }
            }
            return events + engine.advance(to: .max / 2)
        }
        let first = run()
        #expect(first == run())
        #expect(first.count >= 4, "\(first)")
        // Per source, raises and clears alternate; the rule's events follow its sources.
        var holding: Set<String> = []
        for event in first {
            switch event.kind {
            case .raised: #expect(holding.isEmpty)
            case .cleared: #expect(event.sources.isEmpty)
            case .sourcesChanged: #expect(!holding.isEmpty && !event.sources.isEmpty)
            }
            holding = Set(event.sources)
        }
        #expect(holding.isEmpty)
    }

    @Test func rulesAreValidatedField_by_field() {
        var bad = Self.rule
        bad.id = "Bad Id"
        bad.windowSeconds = 90
        bad.clearThreshold = 80
        bad.forSeconds = -1
        bad.area = .districts([])
        let fields = Set(bad.issues(field: "rule").map(\.field))
        #expect(fields == ["rule.id", "rule.windowSeconds", "rule.clearThreshold", "rule.forSeconds", "rule.area.districts"])
        #expect(Self.rule.issues().isEmpty)
        let json = try? JSONEncoder().encode(Self.rule)
        #expect(json.flatMap { try? JSONDecoder().decode(Rule.self, from: $0) } == Self.rule)
    }
}
