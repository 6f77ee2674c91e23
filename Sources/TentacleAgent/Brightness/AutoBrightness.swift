public import Foundation
import TentacleCore

/// The panel brightness that follows the light: a lux reading through a `BrightnessCurve`, or
/// without one the sun's height at the display, smoothed and held steady so that a noisy sensor
/// never makes the panel flicker. Feed it every reading with its time; it keeps no clock.
///
/// The target (from lux or the sun) is smoothed by an exponential moving average with time
/// constant `timeConstant`. The output holds until the smoothed target is `band` points away;
/// then it moves towards it, at most `rate` points a second, and goes on following it in that
/// direction, so that it settles on the target itself rather than a band short of it. Only a
/// swing of `band` points the other way turns it round: noise cannot make it go up and down.
public struct AutoBrightness: Hashable, Sendable {
    public let curve: BrightnessCurve
    /// Seconds for the smoothed target to cover 63 % of a sudden change in light.
    public let timeConstant: Double
    /// How many percent points the smoothed target must be from the output before it moves.
    public let band: Double
    /// The fastest the output moves, in percent points a second.
    public let rate: Double
    /// Without a lux reading: the percent with the sun above +6° (day) and below −6° (night),
    /// with a smooth ramp between through civil twilight.
    public let dayPercent: Double
    public let nightPercent: Double

    /// The percent `update` last returned; nil before the first update.
    public private(set) var percent: Int?
    private var smoothed = 0.0
    private var level = 0.0
    /// The way the output last set off; nil until the target first leaves the band.
    private var direction: Direction?
    private var lastUpdate: Date?

    private enum Direction: Hashable, Sendable {
        case up, down
    }

    /// Negative times, band and rate count as 0 (a rate of 0 as no limit); percents are clamped to 0...100.
    public init(
        curve: BrightnessCurve = .outdoor,
        timeConstant: Double = 10,
        band: Double = 3,
        rate: Double = 2,
        dayPercent: Double = 85,
        nightPercent: Double = 15
    ) {
        self.curve = curve
        self.timeConstant = max(timeConstant, 0)
        self.band = max(band, 0)
        self.rate = max(rate, 0)
        self.dayPercent = min(max(dayPercent, 0), 100)
        self.nightPercent = min(max(nightPercent, 0), 100)
    }

    /// The brightness in percent at `time`, given the lux reading then (nil or NaN when there is
    /// none) and the display's place (without valid coordinates, the day level). The first update answers the target at once; later ones
    /// smooth over the time since the one before. A time earlier than the last counts as no time.
    public mutating func update(lux: Double?, at time: Date, latitude: Double, longitude: Double) -> Int {
        let target = if let lux, !lux.isNaN {
            curve.percent(lux: lux)
        } else if (-90...90).contains(latitude), longitude.isFinite {
            daylightPercent(elevation: SolarPosition.elevation(latitude: latitude, longitude: longitude, at: time))
        } else {
            // Nowhere to look the sun up for: an unreadable sign by day is worse than a bright one by night.
            dayPercent
        }
        if let lastUpdate {
            let elapsed = max(time.timeIntervalSince(lastUpdate), 0)
            smoothed += (timeConstant > 0 ? 1 - exp(-elapsed / timeConstant) : 1) * (target - smoothed)
            if smoothed >= level + band {
                direction = .up
            } else if smoothed <= level - band {
                direction = .down
            }
            let step = rate > 0 ? rate * elapsed : .infinity
            switch direction {
            case .up? where smoothed > level: level = min(smoothed, level + step)
            case .down? where smoothed < level: level = max(smoothed, level - step)
            default: break
            }
        } else {
            smoothed = target
            level = target
        }
        lastUpdate = time
        let percent = Int(level.rounded())
        self.percent = percent
        return percent
    }

    /// The sun-driven percent at a solar elevation in degrees: night below −6°, day above +6°,
    /// and between them a smoothstep, which leaves and joins each level without a kink.
    func daylightPercent(elevation: Double) -> Double {
        let t = min(max((elevation + 6) / 12, 0), 1)
        return nightPercent + (dayPercent - nightPercent) * t * t * (3 - 2 * t)
    }
}
