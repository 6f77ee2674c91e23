/// The metrics readings may use: the built-in set plus any an admin added.
public struct MetricCatalogue: Hashable, Sendable {
    private var byName: [String: Metric]

    /// Every metric, sorted by name.
    public var metrics: [Metric] { byName.values.sorted { $0.name < $1.name } }

    /// Builds a catalogue from metrics that each pass `Metric.issues()` and have distinct names.
    public init(_ metrics: [Metric]) throws(ValidationError) {
        var c = IssueCollector()
        var byName: [String: Metric] = [:]
        for (i, metric) in metrics.enumerated() {
            c.row = i + 1
            for issue in metric.issues() { c.add(issue.field, issue.message) }
            if byName.updateValue(metric, forKey: metric.name) != nil {
                c.add("name", "metric '\(metric.name.prefix(80))' is listed twice")
            }
        }
        try c.check()
        self.byName = byName
    }

    public subscript(name: String) -> Metric? { byName[name] }

    public func contains(_ name: String) -> Bool { byName[name] != nil }

    /// This catalogue with an admin-added metric; a name already in use is an issue, so the meaning
    /// of stored readings never changes under them.
    public func adding(_ metric: Metric) throws(ValidationError) -> MetricCatalogue {
        var c = IssueCollector()
        c.merge(metric.issues())
        if byName[metric.name] != nil {
            c.add("name", "metric '\(metric.name)' already exists")
        }
        try c.check()
        var copy = self
        copy.byName[metric.name] = metric
        return copy
    }

    /// The metrics every Tentacle knows, with ranges wide enough for any real sensor.
    public static let builtInMetrics: [Metric] = [
        Metric(name: "pm25", unit: "µg/m³", range: 0...1000, description: "Fine particulate matter (PM2.5)"),
        Metric(name: "pm10", unit: "µg/m³", range: 0...2000, description: "Coarse particulate matter (PM10)"),
        Metric(name: "no2", unit: "µg/m³", range: 0...2000, description: "Nitrogen dioxide"),
        Metric(name: "o3", unit: "µg/m³", range: 0...1000, description: "Ozone"),
        Metric(name: "noise_dba", unit: "dBA", range: 0...150, description: "A-weighted sound level"),
        Metric(name: "temp_c", unit: "°C", range: -60...70, description: "Air temperature"),
        Metric(name: "humidity_pct", unit: "%", range: 0...100, description: "Relative humidity"),
        Metric(name: "pressure_hpa", unit: "hPa", range: 800...1100, description: "Air pressure"),
        Metric(name: "wind_ms", unit: "m/s", range: 0...100, description: "Wind speed"),
        Metric(name: "lux", unit: "lx", range: 0...200_000, description: "Ambient light level"),
        Metric(name: "panel_temp_c", unit: "°C", range: -40...120, description: "LED panel temperature"),
        Metric(name: "supply_v", unit: "V", range: 0...60, description: "Panel supply voltage"),
        Metric(name: "fps", unit: "fps", range: 0...240, description: "Frames the player shows per second"),
        Metric(name: "brightness_pct", unit: "%", range: 0...100, description: "Panel brightness the player applies"),
    ]

    public static let builtIn: MetricCatalogue = {
        var byName: [String: Metric] = [:]
        for metric in builtInMetrics { byName[metric.name] = metric }
        return MetricCatalogue(checked: byName)
    }()

    private init(checked byName: [String: Metric]) {
        self.byName = byName
    }
}
