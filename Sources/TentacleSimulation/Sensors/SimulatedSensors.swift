public import Foundation
public import TentacleAgent
public import TentacleCore

/// Sensors that read plausible values where the display stands, from `TelemetrySimulator`: for
/// trying the agent without hardware and for simulated cities.
public struct SimulatedSensors: SensorSource {
    /// Displays with different seeds read differently; the same seed reads the same everywhere.
    public var seed: UInt64
    /// Stretches of dirty air put on districts, for trying city rules.
    public var episodes: [PollutionEpisode]

    public init(seed: UInt64, episodes: [PollutionEpisode] = []) {
        self.seed = seed
        self.episodes = episodes
    }

    public func readings(for display: Display, at date: Date, brightness: Double) -> [Reading] {
        let readings = TelemetrySimulator.readings(site: Self.site(display), at: date, seed: seed, brightness: brightness)
        guard let episode = episodes.first(where: { $0.covers(display.district, at: date) }) else { return readings }
        return readings.map { r in
            r.metric == "pm25" ? Reading(source: r.source, metric: r.metric, time: r.time, value: max(r.value, episode.pm25)) : r
        }
    }

    public func lux(for display: Display, at date: Date) -> Double? {
        TelemetrySimulator.lux(site: Self.site(display), at: date, seed: seed)
    }

    private static func site(_ d: Display) -> SimulatedSite {
        SimulatedSite(source: d.id, district: d.district, latitude: d.lat, longitude: d.lon, timeZone: TimeZone(identifier: d.timezone) ?? .gmt)
    }
}

/// PM2.5 of at least `pm25` µg/m³ at every simulated sensor of `district` from `start` until `end`.
public struct PollutionEpisode: Hashable, Sendable {
    public var district: String
    public var start: Date
    public var end: Date
    public var pm25: Double

    public init(district: String, start: Date, end: Date, pm25: Double) {
        self.district = district
        self.start = start
        self.end = end
        self.pm25 = pm25
    }

    func covers(_ district: String, at date: Date) -> Bool {
        district == self.district && date >= start && date < end
    }
}
