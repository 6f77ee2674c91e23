import Foundation
import TentacleCore

/// How fast "what does every display show now" is answered with `ResolutionIndex`, against
/// calling `resolve` for each display over the full campaign list, in the same run.
public enum ResolveBenchmark {
    /// 2026-06-01 09:30 UTC: daylight time in the north, standard time in Sydney.
    static let instant = Date(timeIntervalSince1970: 1_780_306_200)

    /// Splits `seconds` between the two loops; each runs at least one full pass over the displays.
    public static func run(displays: Int = 10_000, campaigns: Int = 500, seconds: Double) -> [BenchmarkFigure] {
        let city = SyntheticCity.make(seed: 42, displays: displays, campaigns: campaigns, around: instant)
        let clock = ContinuousClock()
        let buildStart = clock.now
        let index = ResolutionIndex(campaigns: city.campaigns)
        let buildMs = milliseconds(clock.now - buildStart)
        let budget = Duration.seconds(max(seconds, 0.01) / 2)

        var targeted = 0
        let indexedMs = timePerPass(budget, clock) {
            let resolutions = index.resolveAll(displays: city.displays, defaults: city.defaults, at: instant)
            targeted = resolutions.reduce(0) { $0 + $1.candidates.count }
            return resolutions.count
        }
        let naiveMs = timePerPass(budget, clock) {
            city.displays.reduce(0) { n, display in
                n + resolve(display: display, campaigns: city.campaigns, defaults: city.defaults, at: instant).candidates.count
            }
        }
        let count = Double(displays)
        return [
            BenchmarkFigure(
                bench: "resolve", figure: "indexed_displays_per_s", value: count / indexedMs * 1000, unit: "displays/s",
                baseline: "naive_displays_per_s", baselineValue: count / naiveMs * 1000),
            BenchmarkFigure(
                bench: "resolve", figure: "indexed_ms_for_all", value: indexedMs, unit: "ms",
                baseline: "naive_ms_for_all", baselineValue: naiveMs, higherIsBetter: false),
            BenchmarkFigure(bench: "resolve", figure: "targeted_campaigns_per_display", value: Double(targeted) / count, unit: "campaigns"),
            BenchmarkFigure(bench: "resolve", figure: "index_build_ms", value: buildMs, unit: "ms", higherIsBetter: false),
        ]
    }

    /// Milliseconds per pass, averaged over as many passes as fit the budget (at least one).
    private static func timePerPass(_ budget: Duration, _ clock: ContinuousClock, _ pass: () -> Int) -> Double {
        var passes = 0
        var sink = 0
        let start = clock.now
        repeat {
            sink &+= pass()
            passes += 1
        } while clock.now - start < budget
        consume(sink)
        return milliseconds(clock.now - start) / Double(passes)
    }

    /// Opaque to the optimiser, so passes whose results are never read still run.
    @inline(never) private static func consume(_ value: Int) {}

    private static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}
