import Foundation
import Testing
import TentacleCore
import TentacleSimulation

private let shanghai = TimeZone(identifier: "Asia/Shanghai")!

private func site(_ district: String = "old-town", source: String = "old-town-pole-001") -> SimulatedSite {
    SimulatedSite(source: source, district: district, latitude: 31.23, longitude: 121.47, timeZone: shanghai)
}

/// 2026-11-25 at `hour` o'clock Shanghai time, `day` days later.
private func local(_ hour: Double, day: Int = 0) -> Date {
    Date(timeIntervalSince1970: 1_795_536_000 + Double(day) * 86_400 + hour * 3600)
}

@Suite struct TelemetrySimulatorTests {
    @Test func pm25PeaksInTheMorningAndEveningRushHours() {
        for seed: UInt64 in 1...5 {
            for day in 0..<10 {
                for district in ["old-town", "harbor", "university"] {
                    let s = site(district, source: "\(district)-pole-00\(seed)")
                    let night = TelemetrySimulator.pm25(site: s, at: local(3, day: day), seed: seed)
                    #expect(TelemetrySimulator.pm25(site: s, at: local(8, day: day), seed: seed) > night * 1.5)
                    #expect(TelemetrySimulator.pm25(site: s, at: local(18, day: day), seed: seed) > night * 1.5)
                }
            }
        }
    }

    @Test func districtsDiffer() {
        let districts = ["university", "north", "airport", "west", "old-town", "east", "harbor", "south", "riverside"]
        let means = districts.map { d in
            (0..<24).map { TelemetrySimulator.pm25(site: site(d, source: "p"), at: local(Double($0)), seed: 1) }.reduce(0, +) / 24
        }
        #expect(means.max()! / means.min()! > 1.3)
    }

    @Test func noiseFollowsTheDayWithinBounds() {
        for hour in stride(from: 0.0, to: 24, by: 0.25) {
            let v = TelemetrySimulator.noise(site: site(), at: local(hour), seed: 1)
            #expect((45...80).contains(v))
        }
        #expect(TelemetrySimulator.noise(site: site(), at: local(3), seed: 1) < 52)
        #expect(TelemetrySimulator.noise(site: site(), at: local(8), seed: 1) > 70)
    }

    @Test func temperatureIsWarmerInTheAfternoon() {
        for day in 0..<10 {
            let dawn = TelemetrySimulator.temperature(site: site(), at: local(5, day: day), seed: 2)
            let afternoon = TelemetrySimulator.temperature(site: site(), at: local(14.5, day: day), seed: 2)
            #expect(afternoon > dawn + 4)
        }
    }

    @Test func luxFollowsTheSun() {
        #expect(TelemetrySimulator.lux(site: site(), at: local(0), seed: 1) < 10)
        #expect(TelemetrySimulator.lux(site: site(), at: local(12), seed: 1) > 20_000)
        let sunrise = SolarPosition.sunTimes(latitude: 31.23, longitude: 121.47, on: LocalDate(year: 2026, month: 11, day: 25)!).sunrise!
        #expect((200...600).contains(TelemetrySimulator.lux(site: site(), at: sunrise, seed: 1)))
    }

    @Test func panelHeatsWithSunAndBrightness() {
        let dim = TelemetrySimulator.panelTemperature(site: site(), at: local(12), seed: 1, brightness: 0.1)
        let bright = TelemetrySimulator.panelTemperature(site: site(), at: local(12), seed: 1, brightness: 1)
        #expect(bright > dim + 15)
        let night = TelemetrySimulator.panelTemperature(site: site(), at: local(0), seed: 1, brightness: 0.1)
        let air = TelemetrySimulator.temperature(site: site(), at: local(0), seed: 1)
        #expect(night - air < 5)
        #expect(dim - TelemetrySimulator.temperature(site: site(), at: local(12), seed: 1) > 5)
    }

    @Test func readingsPassValidationAllYearRound() {
        var readings: [Reading] = []
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        let places = [(31.23, 121.47), (69.65, 18.96), (-33.87, 151.21), (0, -78.5)]
        for (i, (lat, lon)) in places.enumerated() {
            let s = SimulatedSite(source: "pole-\(i)", district: "d\(i)", latitude: lat, longitude: lon, timeZone: shanghai)
            for step in 0..<730 {
                let date = start.addingTimeInterval(Double(step) * 43_200 + Double(i) * 3917)
                readings += TelemetrySimulator.readings(site: s, at: date, seed: UInt64(i), brightness: Double(step % 11) / 10)
            }
        }
        for reading in readings {
            let metric = MetricCatalogue.builtIn[reading.metric]
            #expect(metric?.range.contains(reading.value) == true, "\(reading)")
        }
    }

    @Test func sameInputsSameValuesAndSmoothInTime() {
        let a = TelemetrySimulator.readings(site: site(), at: local(9), seed: 4, brightness: 0.5)
        #expect(a == TelemetrySimulator.readings(site: site(), at: local(9), seed: 4, brightness: 0.5))
        #expect(a != TelemetrySimulator.readings(site: site(), at: local(9), seed: 5, brightness: 0.5))
        #expect(a.map(\.metric) == TelemetrySimulator.metrics)
        let now = TelemetrySimulator.pm25(site: site(), at: local(9), seed: 4)
        let soon = TelemetrySimulator.pm25(site: site(), at: local(9).addingTimeInterval(10), seed: 4)
        #expect(abs(now - soon) < 0.5)
    }
}
