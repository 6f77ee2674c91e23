/// One thing wrong with an input, named by its field (and row, for imports).
public struct FieldIssue: Hashable, Sendable, Codable {
    /// The field path, e.g. `width` or `boundary.coordinates[0][3]`.
    public var field: String
    public var message: String
    /// The 1-based CSV line or GeoJSON feature number, when the input had rows.
    public var row: Int?

    public init(field: String, message: String, row: Int? = nil) {
        self.field = field
        self.message = message
        self.row = row
    }
}

/// An input failed validation; it lists every issue found, not just the first.
public struct ValidationError: Error, Hashable, Sendable {
    public var issues: [FieldIssue]

    public init(_ issues: [FieldIssue]) {
        self.issues = issues
    }

    /// Throws a `ValidationError` holding `issues`, unless there are none.
    public static func check(_ issues: [FieldIssue]) throws(ValidationError) {
        if !issues.isEmpty { throw ValidationError(issues) }
    }

    public init(field: String, _ message: String) {
        self.issues = [FieldIssue(field: field, message: message)]
    }

    /// A one-line summary naming the first issue and how many more there are.
    public var summary: String {
        guard let first = issues.first else { return "invalid input" }
        let row = first.row.map { "row \($0): " } ?? ""
        let more = issues.count > 1 ? " (and \(issues.count - 1) more)" : ""
        return "\(row)\(first.field): \(first.message)\(more)"
    }
}

/// Collects issues while a value is checked field by field.
public struct IssueCollector: Sendable {
    public private(set) var issues: [FieldIssue] = []
    public var row: Int?

    public init(row: Int? = nil) {
        self.row = row
    }

    public mutating func add(_ field: String, _ message: String) {
        issues.append(FieldIssue(field: field, message: message, row: row))
    }

    public mutating func merge(_ other: [FieldIssue]) {
        issues.append(contentsOf: other)
    }

    public var isEmpty: Bool { issues.isEmpty }

    /// Throws a `ValidationError` holding everything collected, if anything was.
    public func check() throws(ValidationError) {
        try ValidationError.check(issues)
    }
}
