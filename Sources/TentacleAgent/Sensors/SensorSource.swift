public import Foundation
public import TentacleCore

/// Where an agent's sensor values come from: the pole's own sensors, or simulated ones.
///
/// The agent asks for light on every frame it sets the brightness for, and for the other values
/// when it draws live values and sends its reports; metrics are named as in `MetricCatalogue`.
public protocol SensorSource: Sendable {
    /// What the sensors read at `date` beside `display`, whose panel is driven at `brightness`
    /// (0...1): city values (`pm25`, `noise_dba`, `temp_c`, ...), `lux` and `panel_temp_c`.
    func readings(for display: Display, at date: Date, brightness: Double) -> [Reading]
    /// The light beside `display` at `date` in lux, for auto-brightness; nil without a light sensor.
    func lux(for display: Display, at date: Date) -> Double?
}
