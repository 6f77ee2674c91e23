import Foundation
import Testing
import TentacleCore
@testable import TentacleAgent

@Suite struct AutoBrightnessTests {
    /// Shanghai, UTC+8 all year.
    static let latitude = 31.23, longitude = 121.47
    /// 2026-03-20 00:00 in Shanghai: the equinox, sunrise near 06:00.
    static let midnight = Date(timeIntervalSince1970: 1_773_936_000)

    /// Feeds `auto` one lux reading every `interval` seconds from `start`; returns the outputs.
    private func run(
        _ auto: inout AutoBrightness, from start: Date = midnight, every interval: Double = 0.1,
        count: Int, lux: (Int) -> Double?
    ) -> [Int] {
        (0..<count).map { i in
            auto.update(lux: lux(i), at: start + Double(i) * interval, latitude: Self.latitude, longitude: Self.longitude)
        }
    }

    private func changes(_ outputs: [Int]) -> [Int] {
        zip(outputs, outputs.dropFirst()).map { $1 - $0 }.filter { $0 != 0 }
    }

    @Test func theFirstUpdateAnswersTheTargetAtOnce() {
        var auto = AutoBrightness()
        #expect(auto.percent == nil)
        #expect(auto.update(lux: 1_000, at: Self.midnight, latitude: Self.latitude, longitude: Self.longitude) == 55)
        #expect(auto.percent == 55)
    }

    /// 317 lux is where the outdoor curve gives 42.5, halfway between two outputs: the worst
    /// place for noise. Readings scatter by up to `spread` times either way, ten a second.
    @Test(arguments: [1.5, 3.0])
    func noisyLuxAtARoundingPointNeverMovesTheOutput(spread: Double) {
        let threshold = (101.0 * 1_001).squareRoot() - 1
        #expect(abs(BrightnessCurve.outdoor.percent(lux: threshold) - 42.5) < 1e-9)
        var random = SplitMix64(seed: 2026)
        var auto = AutoBrightness()
        _ = auto.update(lux: threshold, at: Self.midnight - 1, latitude: Self.latitude, longitude: Self.longitude)
        let outputs = run(&auto, count: 10_000) { _ in threshold * pow(spread, random.double(in: -1...1)) }
        #expect(changes(outputs) == [], "noise moved the output")
    }

    /// The light steps up by just the band and stays there with noise on top: the output moves
    /// up and never comes back down, however often the noise crosses the band's edge, and ends
    /// within a point of the new target.
    @Test func noisyLuxAtTheBandsEdgeMovesOneWayOnly() throws {
        var random = SplitMix64(seed: 7)
        var auto = AutoBrightness()
        let from = 300.0, to = 400.0  // about 42 and 45 percent: 3 points, the band
        let outputs = run(&auto, count: 10_000) { i in (i < 100 ? from : to) * pow(1.5, random.double(in: -1...1)) }
        let steps = changes(outputs)
        #expect(!steps.isEmpty && steps.allSatisfy { $0 > 0 }, "the output turned back: \(steps)")
        let last = try #require(outputs.last)
        #expect(abs(Double(last) - BrightnessCurve.outdoor.percent(lux: to)) <= 1, "ended at \(last)")
    }

    @Test func aStepInLightIsFollowedAtAtMostTheRateAndSettlesOnTheTarget() throws {
        var auto = AutoBrightness()
        let outputs = run(&auto, count: 3_000) { i in i < 100 ? 10 : 10_000 }  // at 10 s, dusk to daylight
        #expect(outputs.prefix(100).allSatisfy { $0 == 15 })
        let after = Array(outputs.dropFirst(99))
        #expect(zip(after, after.dropFirst()).allSatisfy { $1 >= $0 && $1 - $0 <= 1 }, "faster than 2 points a second, or not upwards")
        let settled = try #require(after.firstIndex(of: 85))
        #expect(after[settled...].allSatisfy { $0 == 85 })
        #expect(Double(settled) / 10 < 90, "took more than 90 s to settle")

        let back = run(&auto, from: Self.midnight + 300, count: 3_000) { _ in 10 }
        #expect(zip(back, back.dropFirst()).allSatisfy { $1 <= $0 })
        #expect(back.last == 15)
    }

    @Test func theRateHoldsForSparseReadings() {
        var auto = AutoBrightness()
        let outputs = run(&auto, every: 5, count: 60) { i in i == 0 ? 0 : 50_000 }
        #expect(zip(outputs, outputs.dropFirst()).allSatisfy { abs($1 - $0) <= 11 })
        #expect(outputs.last == 100)
    }

    @Test func timeGoingBackwardsChangesNothing() {
        var auto = AutoBrightness()
        let location = (latitude: Self.latitude, longitude: Self.longitude)
        #expect(auto.update(lux: 10, at: Self.midnight, latitude: location.latitude, longitude: location.longitude) == 15)
        #expect(auto.update(lux: 50_000, at: Self.midnight - 3_600, latitude: location.latitude, longitude: location.longitude) == 15)
        #expect(auto.update(lux: 50_000, at: Self.midnight - 3_599, latitude: location.latitude, longitude: location.longitude) > 15)
    }

    @Test func withoutLuxTheSunGivesNightAtMidnightAndDayAtNoon() {
        for lux in [nil, Double.nan] {
            var night = AutoBrightness(dayPercent: 90, nightPercent: 12)
            #expect(night.update(lux: lux, at: Self.midnight, latitude: Self.latitude, longitude: Self.longitude) == 12)
            var day = AutoBrightness(dayPercent: 90, nightPercent: 12)
            #expect(day.update(lux: lux, at: Self.midnight + 12 * 3_600, latitude: Self.latitude, longitude: Self.longitude) == 90)
        }
    }

    @Test func withoutLuxOrValidCoordinatesItIsDay() {
        var auto = AutoBrightness()
        #expect(auto.update(lux: nil, at: Self.midnight, latitude: .nan, longitude: .nan) == 85)
        #expect(auto.update(lux: nil, at: Self.midnight + 60, latitude: .infinity, longitude: 0) == 85)
    }

    /// From 04:30 to 07:30 on the equinox, a reading every 10 s: the output climbs from the night
    /// level to the day level without ever stepping back, through every level between.
    @Test func theMorningTwilightRampRisesSteadily() throws {
        var auto = AutoBrightness()
        let outputs = run(&auto, from: Self.midnight + 4.5 * 3_600, every: 10, count: 1_081) { _ in nil }
        #expect(outputs.first == 15)
        #expect(outputs.last == 85)
        #expect(zip(outputs, outputs.dropFirst()).allSatisfy { $1 >= $0 && $1 - $0 <= 3 })
        // Sunrise, 06:00 give or take: halfway up the ramp.
        let date = try #require(LocalDate("2026-03-20"))
        let sunrise = try #require(SolarPosition.sunTimes(latitude: Self.latitude, longitude: Self.longitude, on: date).sunrise)
        let atSunrise = outputs[Int((sunrise.timeIntervalSince(Self.midnight) - 4.5 * 3_600) / 10)]
        #expect((35...50).contains(atSunrise), "\(atSunrise) at sunrise")
    }

    @Test func theTwilightRampRunsFromMinusSixToPlusSixDegrees() {
        let auto = AutoBrightness(dayPercent: 80, nightPercent: 20)
        #expect(auto.daylightPercent(elevation: -30) == 20)
        #expect(auto.daylightPercent(elevation: -6) == 20)
        #expect(auto.daylightPercent(elevation: 0) == 50)
        #expect(auto.daylightPercent(elevation: 6) == 80)
        #expect(auto.daylightPercent(elevation: 60) == 80)
        let ramp = stride(from: -7.0, through: 7, by: 0.1).map(auto.daylightPercent(elevation:))
        #expect(zip(ramp, ramp.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func settingsAreClamped() {
        let auto = AutoBrightness(timeConstant: -1, band: -2, rate: -3, dayPercent: 150, nightPercent: -10)
        #expect([auto.timeConstant, auto.band, auto.rate, auto.dayPercent, auto.nightPercent] == [0, 0, 0, 100, 0])
    }
}
