/// A kind of measurement: its name, unit and the range a working sensor can report.
public struct Metric: Codable, Hashable, Sendable {
    /// Lowercase letters, digits and `_`, starting with a letter, at most 32 bytes, e.g. `pm25`.
    public var name: String
    /// What values are measured in, e.g. `µg/m³`; empty for counts and ratios without a unit.
    public var unit: String
    /// Values outside this range are rejected at ingest as sensor faults.
    public var range: ClosedRange<Double>
    public var description: String

    public init(name: String, unit: String, range: ClosedRange<Double>, description: String) {
        self.name = name
        self.unit = unit
        self.range = range
        self.description = description
    }

    public static let maxNameLength = 32
    public static let maxUnitLength = 16
    public static let maxDescriptionLength = 200

    public static let nameRule = "use 1-32 lowercase letters, digits or '_', starting with a letter"

    /// Whether `name` follows the metric name rule.
    ///
    /// No `-` or `.`, unlike display ids: metric names become line-protocol field keys and
    /// `measurement_field` joins, which must read back unambiguously.
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= maxNameLength else { return false }
        for (i, b) in name.utf8.enumerated() {
            let letter = b >= 0x61 && b <= 0x7A
            if letter || (i > 0 && ((b >= 0x30 && b <= 0x39) || b == 0x5F)) { continue }
            return false
        }
        return true
    }

    /// Every issue with an admin-defined metric.
    public func issues() -> [FieldIssue] {
        var c = IssueCollector()
        if !Self.isValidName(name) {
            c.add("name", "'\(name.prefix(80))' is not a valid metric name: \(Self.nameRule)")
        }
        if unit.count > Self.maxUnitLength {
            c.add("unit", "at most \(Self.maxUnitLength) characters allowed")
        }
        if unit.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            c.add("unit", "must not contain control characters")
        }
        if !range.lowerBound.isFinite || !range.upperBound.isFinite {
            c.add("range", "both ends must be finite numbers")
        } else if !(range.lowerBound < range.upperBound) {
            c.add("range", "the low end \(range.lowerBound) must be below the high end \(range.upperBound)")
        }
        if description.count > Self.maxDescriptionLength {
            c.add("description", "at most \(Self.maxDescriptionLength) characters allowed")
        }
        return c.issues
    }
}
