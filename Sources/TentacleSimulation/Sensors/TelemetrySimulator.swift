public import Foundation
public import TentacleCore

/// A place readings are simulated for: a display or a sensor on a pole.
public struct SimulatedSite: Hashable, Sendable {
    public var source: String
    /// The district code; each district gets its own level of traffic pollution.
    public var district: String
    public var latitude: Double
    public var longitude: Double
    /// Traffic and noise follow local clock time, not the sun.
    public var timeZone: TimeZone

    public init(source: String, district: String, latitude: Double, longitude: Double, timeZone: TimeZone) {
        self.source = source
        self.district = district
        self.latitude = latitude
        self.longitude = longitude
        self.timeZone = timeZone
    }
}

/// Sensor values that look real, as pure functions of (site, time, seed): the same inputs give
/// the same value on every machine, and nearby times give nearby values.
public enum TelemetrySimulator {
    /// The metrics `readings` produces.
    public static let metrics = ["pm25", "noise_dba", "temp_c", "lux", "panel_temp_c"]

    /// One reading of every metric in `metrics`, rounded as real sensors report them.
    /// `brightness` (0...1) is how hard the panel is driven, which heats it.
    public static func readings(site: SimulatedSite, at date: Date, seed: UInt64, brightness: Double) -> [Reading] {
        let values = [
            (pm25(site: site, at: date, seed: seed) * 10).rounded() / 10,
            (noise(site: site, at: date, seed: seed) * 10).rounded() / 10,
            (temperature(site: site, at: date, seed: seed) * 10).rounded() / 10,
            lux(site: site, at: date, seed: seed).rounded(),
            (panelTemperature(site: site, at: date, seed: seed, brightness: brightness) * 10).rounded() / 10,
        ]
        return zip(metrics, values).map { Reading(source: site.source, metric: $0, time: date, value: $1) }
    }

    /// PM2.5 in µg/m³: a background level plus traffic peaks around 08:00 and 18:00 local time,
    /// scaled by a per-district factor (0.7...1.6) and slow sensor-to-sensor drift.
    public static func pm25(site: SimulatedSite, at date: Date, seed: UInt64) -> Double {
        let hour = localHour(site, date)
        let traffic = 28 * peak(hour, at: 8, width: 1.3) + 22 * peak(hour, at: 18, width: 1.6) + 6 * peak(hour, at: 13, width: 3)
        let district = 0.7 + 0.9 * unit(hash(site.district, seed))
        let drift = 1 + 0.15 * smoothNoise(site, date, seed: seed, salt: 1, period: 1800)
        return clamp((9 + traffic) * district * drift, 1...1000)
    }

    /// Sound level in dBA: about 45 at night and up to about 78 in the rush hours, kept in 45...80.
    public static func noise(site: SimulatedSite, at date: Date, seed: UInt64) -> Double {
        let hour = localHour(site, date)
        let day = daytime(hour)
        let rush = max(peak(hour, at: 8, width: 1.3), peak(hour, at: 18, width: 1.6))
        let level = 46 + 22 * day + 8 * rush + 2.5 * smoothNoise(site, date, seed: seed, salt: 2, period: 300)
        return clamp(level, 45...80)
    }

    /// Air temperature in °C: a seasonal mean for the hemisphere, a daily curve lowest near
    /// 05:00 and highest near 15:00 solar time, and slow weather noise.
    public static func temperature(site: SimulatedSite, at date: Date, seed: UInt64) -> Double {
        let days = date.timeIntervalSince1970 / 86_400
        // Warmest around 20 July in the north, 20 January in the south.
        let seasonPhase = 2 * Double.pi * (days - 200) / 365.25
        let season = (site.latitude >= 0 ? 1 : -1) * 9 * cos(seasonPhase)
        let solarHour = solarHour(site, date)
        let daily = 5 * cos(2 * Double.pi * (solarHour - 15) / 24)
        let weather = 3 * smoothNoise(site, date, seed: seed, salt: 3, period: 6 * 3600)
        return clamp(15 + season + daily + weather, -60...70)
    }

    /// Illuminance in lux from the sun's elevation: full daylight up to about 110,000 lx under a
    /// clear sky, dimmed by passing clouds; twilight below the horizon; street lighting at night.
    public static func lux(site: SimulatedSite, at date: Date, seed: UInt64) -> Double {
        let elevation = SolarPosition.elevation(latitude: site.latitude, longitude: site.longitude, at: date)
        let clouds = 0.65 + 0.35 * smoothNoise(site, date, seed: seed, salt: 4, period: 1200)
        let streetLight = 8.0
        let value: Double
        if elevation > 0 {
            value = 400 + 110_000 * pow(sin(elevation * .pi / 180), 1.25) * clouds
        } else if elevation > -6 {
            // Civil twilight: from about 400 lx at sunrise down to a few lux.
            value = streetLight + 392 * pow((elevation + 6) / 6, 3)
        } else {
            value = streetLight
        }
        return clamp(value, 0...200_000)
    }

    /// LED panel temperature in °C: the air plus heating by sunlight on the panel and by the
    /// LEDs themselves at `brightness` (0...1).
    public static func panelTemperature(site: SimulatedSite, at date: Date, seed: UInt64, brightness: Double) -> Double {
        let air = temperature(site: site, at: date, seed: seed)
        let sun = 18 * lux(site: site, at: date, seed: seed) / 110_000
        let leds = 22 * clamp(brightness, 0...1)
        return clamp(air + sun + leds + 1, -40...120)
    }

    /// Local clock hour (0..<24) at the site.
    static func localHour(_ site: SimulatedSite, _ date: Date) -> Double {
        let local = date.timeIntervalSince1970 + Double(site.timeZone.secondsFromGMT(for: date))
        return positiveRemainder(local / 3600, 24)
    }

    /// Mean solar hour at the site's longitude, which drives temperature whatever the clocks say.
    static func solarHour(_ site: SimulatedSite, _ date: Date) -> Double {
        positiveRemainder(date.timeIntervalSince1970 / 3600 + site.longitude / 15, 24)
    }

    /// A bump of height 1 at `center` o'clock, wrapping round midnight.
    static func peak(_ hour: Double, at center: Double, width: Double) -> Double {
        var d = abs(hour - center)
        d = min(d, 24 - d)
        return exp(-0.5 * d * d / (width * width))
    }

    /// 0 at night, 1 from mid-morning to evening, with smooth edges around 06:00 and 22:00.
    static func daytime(_ hour: Double) -> Double {
        let rise = 1 / (1 + exp(-(hour - 6.5) * 2))
        let fall = 1 / (1 + exp((hour - 21.5) * 2))
        return rise * fall
    }

    /// Value noise in -1...1: random per site and time slot, eased between neighbouring slots
    /// so readings a few seconds apart stay close.
    static func smoothNoise(_ site: SimulatedSite, _ date: Date, seed: UInt64, salt: UInt64, period: Double) -> Double {
        let slots = date.timeIntervalSince1970 / period
        let slot = slots.rounded(.down)
        let f = slots - slot
        let base = hash(site.source, seed ^ (salt &* 0x9E37_79B9_7F4A_7C15))
        let a = unit(mix(base, UInt64(bitPattern: Int64(slot)))) * 2 - 1
        let b = unit(mix(base, UInt64(bitPattern: Int64(slot) &+ 1))) * 2 - 1
        let eased = f * f * (3 - 2 * f)
        return a + (b - a) * eased
    }

    /// FNV-1a of the text, mixed with the seed: stable across runs and platforms, unlike `Hasher`.
    static func hash(_ text: String, _ seed: UInt64) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 {
            h = (h ^ UInt64(b)) &* 0x100_0000_01B3
        }
        return mix(h, seed)
    }

    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var g = SplitMix64(seed: a ^ (b &* 0xD6E8_FEB8_6659_FD93))
        return g.next()
    }

    static func unit(_ x: UInt64) -> Double {
        Double(x >> 11) * 0x1p-53
    }

    private static func clamp(_ v: Double, _ range: ClosedRange<Double>) -> Double {
        min(range.upperBound, max(range.lowerBound, v))
    }

    private static func positiveRemainder(_ a: Double, _ b: Double) -> Double {
        let r = a.truncatingRemainder(dividingBy: b)
        return r < 0 ? r + b : r
    }
}
