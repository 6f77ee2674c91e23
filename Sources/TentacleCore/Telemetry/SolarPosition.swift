public import Foundation

/// Where the sun is in the sky, by NOAA's solar calculator formulas (Meeus, accurate to about
/// a minute of time for sunrise and sunset between ±72° latitude).
public enum SolarPosition {
    /// The sun's elevation above the horizon in degrees at `date`, corrected for atmospheric
    /// refraction as an observer sees it; negative below the horizon.
    public static func elevation(latitude: Double, longitude: Double, at date: Date) -> Double {
        let t = date.timeIntervalSince1970
        let sun = Sun(julianCentury: julianCentury(t))
        let minutesOfDay = (t / 60).truncatingRemainder(dividingBy: 1440)
        let trueSolarMinutes = positiveRemainder(minutesOfDay + sun.equationOfTime + 4 * longitude, 1440)
        let hourAngle = trueSolarMinutes / 4 - 180
        let lat = radians(latitude), decl = radians(sun.declination)
        let cosZenith = sin(lat) * sin(decl) + cos(lat) * cos(decl) * cos(radians(hourAngle))
        let geometric = 90 - degrees(acos(min(1, max(-1, cosZenith))))
        return geometric + refraction(geometric)
    }

    /// Sunrise, solar noon and sunset of one day at a place.
    public struct SunTimes: Hashable, Sendable {
        /// Nil when the sun does not rise or set that day (polar day or night).
        public var sunrise: Date?
        public var solarNoon: Date
        public var sunset: Date?
        /// The sun's elevation at solar noon: above 0 with no sunrise means it never sets.
        public var noonElevation: Double
    }

    /// The sun times of a calendar date at a place, as the place's own calendar reads it.
    ///
    /// Sunrise and sunset are when the sun's upper edge meets an ideal horizon (zenith 90.833°).
    public static func sunTimes(latitude: Double, longitude: Double, on date: LocalDate) -> SunTimes {
        // Minutes from UTC midnight of the date: solar noon then falls on that date at the place
        // for any longitude, and sunrise may fall on the UTC day before (east) or after (west).
        let midnight = Double(date.dayNumber) * 86_400
        func noonMinutes(_ estimate: Double) -> Double {
            720 - 4 * longitude - Sun(julianCentury: julianCentury(midnight + estimate * 60)).equationOfTime
        }
        let noon = noonMinutes(noonMinutes(720))
        let noonDate = Date(timeIntervalSince1970: midnight + noon * 60)
        let noonElevation = elevation(latitude: latitude, longitude: longitude, at: noonDate)

        // The hour angle depends on the declination at the event itself; two refinements settle it.
        func event(_ sign: Double) -> Date? {
            var minutes = noon
            for _ in 0..<3 {
                let sun = Sun(julianCentury: julianCentury(midnight + minutes * 60))
                let lat = radians(latitude), decl = radians(sun.declination)
                let cosH = cos(radians(90.833)) / (cos(lat) * cos(decl)) - tan(lat) * tan(decl)
                guard cosH >= -1 && cosH <= 1 else { return nil }
                let eventNoon = 720 - 4 * longitude - sun.equationOfTime
                minutes = eventNoon + sign * 4 * degrees(acos(cosH))
            }
            return Date(timeIntervalSince1970: midnight + minutes * 60)
        }
        return SunTimes(sunrise: event(-1), solarNoon: noonDate, sunset: event(1), noonElevation: noonElevation)
    }

    /// The sun's declination and the equation of time at one instant.
    private struct Sun {
        /// Degrees.
        var declination: Double
        /// Minutes that apparent solar time runs ahead of mean solar time.
        var equationOfTime: Double

        init(julianCentury t: Double) {
            let meanLongitude = positiveRemainder(280.46646 + t * (36000.76983 + t * 0.0003032), 360)
            let meanAnomaly = 357.52911 + t * (35999.05029 - 0.0001537 * t)
            let eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
            let m = radians(meanAnomaly)
            let center = sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t)) + sin(2 * m) * (0.019993 - 0.000101 * t)
                + sin(3 * m) * 0.000289
            let omega = radians(125.04 - 1934.136 * t)
            let apparentLongitude = meanLongitude + center - 0.00569 - 0.00478 * sin(omega)
            let meanObliquity = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60
            let obliquity = radians(meanObliquity + 0.00256 * cos(omega))
            declination = degrees(asin(sin(obliquity) * sin(radians(apparentLongitude))))
            let y = pow(tan(obliquity / 2), 2)
            let l0 = radians(meanLongitude)
            equationOfTime = 4 * degrees(
                y * sin(2 * l0) - 2 * eccentricity * sin(m) + 4 * eccentricity * y * sin(m) * cos(2 * l0)
                    - 0.5 * y * y * sin(4 * l0) - 1.25 * eccentricity * eccentricity * sin(2 * m))
        }
    }

    /// Julian centuries since J2000.0 of a Unix time.
    private static func julianCentury(_ unixSeconds: Double) -> Double {
        (unixSeconds / 86_400 + 2_440_587.5 - 2_451_545) / 36_525
    }

    /// NOAA's approximation of how much the air lifts the sun's image, in degrees.
    private static func refraction(_ elevation: Double) -> Double {
        let e = elevation
        let t = tan(radians(e))
        let arcseconds: Double
        if e > 85 {
            arcseconds = 0
        } else if e > 5 {
            arcseconds = 58.1 / t - 0.07 / pow(t, 3) + 0.000086 / pow(t, 5)
        } else if e > -0.575 {
            arcseconds = 1735 + e * (-518.2 + e * (103.4 + e * (-12.79 + e * 0.711)))
        } else {
            arcseconds = -20.772 / t
        }
        return arcseconds / 3600
    }

    private static func radians(_ d: Double) -> Double { d * .pi / 180 }
    private static func degrees(_ r: Double) -> Double { r * 180 / .pi }

    private static func positiveRemainder(_ a: Double, _ b: Double) -> Double {
        let r = a.truncatingRemainder(dividingBy: b)
        return r < 0 ? r + b : r
    }
}
