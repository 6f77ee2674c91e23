/// A city rule: a threshold on a metric's windowed value at any source in an area, raised when it
/// holds for a while and cleared, with hysteresis, when it has stopped holding for a while.
///
/// For example "the 1-minute mean of pm25 above 75 for at least 10 minutes at any source in
/// district north; clear below 55 for 10 minutes":
/// `Rule(id: "pm25-north", metric: "pm25", windowSeconds: 60, function: .mean, comparison: .above,
///  threshold: 75, forSeconds: 600, clearThreshold: 55, clearForSeconds: 600, area: .districts(["north"]))`.
public struct Rule: Codable, Hashable, Sendable {
    /// How a window's readings become one value.
    public enum Function: String, Codable, Sendable, CaseIterable {
        case mean, min, max
    }

    /// Which side of the threshold raises the rule.
    public enum Comparison: String, Codable, Sendable, CaseIterable {
        case above, below
    }

    /// Where the rule looks: sources in these districts, or within a circle.
    public enum Area: Hashable, Sendable {
        case districts([String])
        case circle(GeoCircle)
    }

    public var id: String
    public var metric: String
    /// Readings are grouped into windows of this length, aligned to the epoch (60 = whole minutes).
    public var windowSeconds: Int
    public var function: Function
    public var comparison: Comparison
    public var threshold: Double
    /// The windows must hold the condition for this long before the rule is raised.
    public var forSeconds: Int
    /// Once raised, the rule clears when windows stay on the other side of this value
    /// (at or below it for `above`, at or above it for `below`) for `clearForSeconds`.
    public var clearThreshold: Double
    public var clearForSeconds: Int
    /// A source with no reading for this long stops counting: an episode it had started is
    /// forgotten and, if it held the rule raised, it clears at its last reading plus this.
    public var silenceSeconds: Int
    public var area: Area

    public init(
        id: String, metric: String, windowSeconds: Int = 60, function: Function = .mean, comparison: Comparison = .above,
        threshold: Double, forSeconds: Int, clearThreshold: Double, clearForSeconds: Int, silenceSeconds: Int = 900, area: Area
    ) {
        self.id = id
        self.metric = metric
        self.windowSeconds = windowSeconds
        self.function = function
        self.comparison = comparison
        self.threshold = threshold
        self.forSeconds = forSeconds
        self.clearThreshold = clearThreshold
        self.clearForSeconds = clearForSeconds
        self.silenceSeconds = silenceSeconds
        self.area = area
    }

    public static let maxSeconds = 7 * 86_400
    public static let maxDistricts = 64

    /// Whether a window's value holds the raising condition.
    func raises(_ value: Double) -> Bool {
        comparison == .above ? value > threshold : value < threshold
    }

    /// Whether a window's value counts towards clearing.
    func clears(_ value: Double) -> Bool {
        comparison == .above ? value <= clearThreshold : value >= clearThreshold
    }

    /// Every problem with the rule, with field paths under `field`.
    public func issues(field: String = "") -> [FieldIssue] {
        let prefix = field.isEmpty ? "" : field + "."
        var c = IssueCollector()
        if !Identifier.isValid(id) { c.add(prefix + "id", "'\(id.prefix(80))' is not a valid id: use 1-64 lowercase letters, digits, '-' or '_'") }
        if !Metric.isValidName(metric) { c.add(prefix + "metric", "'\(metric.prefix(80))' is not a valid metric name") }
        if !(60...86_400).contains(windowSeconds) || windowSeconds % 60 != 0 {
            c.add(prefix + "windowSeconds", "must be whole minutes from 60 to 86400, got \(windowSeconds)")
        }
        for (name, seconds) in [("forSeconds", forSeconds), ("clearForSeconds", clearForSeconds)] where !(0...Self.maxSeconds).contains(seconds) {
            c.add(prefix + name, "must be 0 to \(Self.maxSeconds) seconds, got \(seconds)")
        }
        if !(60...Self.maxSeconds).contains(silenceSeconds) {
            c.add(prefix + "silenceSeconds", "must be 60 to \(Self.maxSeconds) seconds, got \(silenceSeconds)")
        }
        if !threshold.isFinite { c.add(prefix + "threshold", "must be a finite number") }
        if !clearThreshold.isFinite {
            c.add(prefix + "clearThreshold", "must be a finite number")
        } else if threshold.isFinite && (comparison == .above ? clearThreshold > threshold : clearThreshold < threshold) {
            c.add(prefix + "clearThreshold", "must be at or \(comparison == .above ? "below" : "above") the threshold \(threshold), or the rule would flap")
        }
        switch area {
        case .districts(let codes):
            if codes.isEmpty { c.add(prefix + "area.districts", "names no district") }
            if codes.count > Self.maxDistricts { c.add(prefix + "area.districts", "at most \(Self.maxDistricts) districts") }
            for (i, code) in codes.enumerated() where !Identifier.isValid(code, maxLength: 32) {
                c.add(prefix + "area.districts[\(i)]", "'\(code.prefix(80))' is not a valid district code")
            }
        case .circle(let circle):
            c.merge(circle.issues(field: prefix + "area.circle"))
        }
        return c.issues
    }

    /// Whether a source at this place is in the rule's area.
    public func covers(_ place: SourcePlace) -> Bool {
        switch area {
        case .districts(let codes): codes.contains(place.district)
        case .circle(let circle): circle.contains(lat: place.lat, lon: place.lon)
        }
    }
}

extension Rule.Area: Codable {
    enum CodingKeys: String, CodingKey { case districts, circle }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let districts = try c.decodeIfPresent([String].self, forKey: .districts)
        let circle = try c.decodeIfPresent(GeoCircle.self, forKey: .circle)
        switch (districts, circle) {
        case (let districts?, nil): self = .districts(districts)
        case (nil, let circle?): self = .circle(circle)
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "give either districts or circle"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .districts(let codes): try c.encode(codes, forKey: .districts)
        case .circle(let circle): try c.encode(circle, forKey: .circle)
        }
    }
}

/// Where a reading's source is: its district and position (a display's, or a sensor's own).
public struct SourcePlace: Hashable, Sendable {
    public var district: String
    public var lat: Double
    public var lon: Double

    public init(district: String, lat: Double, lon: Double) {
        self.district = district
        self.lat = lat
        self.lon = lon
    }
}
