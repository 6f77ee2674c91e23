import Foundation
import Testing
import TentacleCore

private func utc(_ text: String) -> Date {
    Date(timeIntervalSince1970: Double(ReadingTime.parse(text)!) / 1000)
}

private func day(_ y: Int, _ m: Int, _ d: Int) -> LocalDate {
    LocalDate(year: y, month: m, day: d)!
}

private func minutes(_ a: Date?, _ b: Date) -> Double {
    guard let a else { return .infinity }
    return abs(a.timeIntervalSince(b)) / 60
}

@Suite struct SolarPositionTests {
    @Test func equatorAtNoonOnTheEquinoxIsOverhead() {
        let times = SolarPosition.sunTimes(latitude: 0, longitude: 0, on: day(2026, 3, 20))
        #expect(times.noonElevation > 89.5)
        #expect(minutes(times.solarNoon, utc("2026-03-20T12:07:30Z")) < 1)
    }

    @Test func berlinOnTheSolstice() {
        let (lat, lon) = (52.52, 13.405)
        // 04:43 and 21:33 Berlin summer time (UTC+2).
        let times = SolarPosition.sunTimes(latitude: lat, longitude: lon, on: day(2026, 6, 21))
        #expect(minutes(times.sunrise, utc("2026-06-21T02:43:00Z")) <= 3)
        #expect(minutes(times.sunset, utc("2026-06-21T19:33:00Z")) <= 3)
        // At noon the sun stands 90° − latitude + declination (23.44°) high.
        #expect(abs(times.noonElevation - (90 - lat + 23.44)) < 0.5)
        let atSunrise = SolarPosition.elevation(latitude: lat, longitude: lon, at: times.sunrise!)
        #expect(abs(atSunrise - (-0.833 + 0.57)) < 0.3)
    }

    @Test func eventsFallOnTheLocalDateEastAndWest() {
        let sydney = SolarPosition.sunTimes(latitude: -33.87, longitude: 151.21, on: day(2026, 6, 21))
        // 07:00 and 16:54 Sydney standard time (UTC+10) on 21 June.
        #expect(minutes(sydney.sunrise, utc("2026-06-20T21:00:00Z")) <= 3)
        #expect(minutes(sydney.sunset, utc("2026-06-21T06:54:00Z")) <= 3)
        let honolulu = SolarPosition.sunTimes(latitude: 21.31, longitude: -157.86, on: day(2026, 6, 21))
        // 05:51 and 19:17 Hawaii time (UTC−10) on 21 June.
        #expect(minutes(honolulu.sunrise, utc("2026-06-21T15:51:00Z")) <= 3)
        #expect(minutes(honolulu.sunset, utc("2026-06-22T05:17:00Z")) <= 3)
    }

    @Test func polarDayAndNight() {
        let summer = SolarPosition.sunTimes(latitude: 69.65, longitude: 18.96, on: day(2026, 6, 21))
        #expect(summer.sunrise == nil && summer.sunset == nil && summer.noonElevation > 0)
        let winter = SolarPosition.sunTimes(latitude: 69.65, longitude: 18.96, on: day(2026, 12, 21))
        #expect(winter.sunrise == nil && winter.sunset == nil && winter.noonElevation < 0)
    }

    @Test func elevationAtKnownPlacesAndTimes() {
        // Shanghai, 2026-12-21 04:00 UTC (noon local): 90 − 31.23 − 23.44.
        #expect(abs(SolarPosition.elevation(latitude: 31.23, longitude: 121.47, at: utc("2026-12-21T04:00:00Z")) - 35.3) < 0.5)
        // Berlin at local midnight in June: well below the horizon, about −14°.
        #expect(abs(SolarPosition.elevation(latitude: 52.52, longitude: 13.405, at: utc("2026-06-20T23:06:00Z")) - -14.1) < 0.5)
    }
}
