public import Foundation
public import TentacleAgent
public import TentacleCore

/// Sensors that read plausible values where the display stands, from `TelemetrySimulator`: for
/// trying the agent without hardware and for simulated cities.
public struct SimulatedSensors: SensorSource {
    /// Displays with different seeds read differently; the same seed reads the same everywhere.
    public var seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
    }

    public func readings(for display: Display, at date: Date, brightness: Double) -> [Reading] {
        TelemetrySimulator.readings(site: Self.site(display), at: date, seed: seed, brightness: brightness)
    }

    public func lux(for display: Display, at date: Date) -> Double? {
        TelemetrySimulator.lux(site: Self.site(display), at: date, seed: seed)
    }

    private static func site(_ d: Display) -> SimulatedSite {
        SimulatedSite(source: d.id, district: d.district, latitude: d.lat, longitude: d.lon, timeZone: TimeZone(identifier: d.timezone) ?? .gmt)
    }
}
