/// A use case refused what it was asked: one shape for every domain refusal, with a code that
/// new cases extend without breaking callers. Only the server maps codes to HTTP statuses.
public struct DomainError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The input breaks a rule of the domain (a value out of range, nothing usable in it).
        public static let invalid = Code(rawValue: "invalid")
        /// The input cannot be read at all (wrong format for what was sent).
        public static let unreadable = Code(rawValue: "unreadable")
        /// The object does not exist, or is outside what the caller may see.
        public static let notFound = Code(rawValue: "notFound")
        /// The change clashes with what is there (received before, superseded, in use).
        public static let conflict = Code(rawValue: "conflict")
        /// The same thing was received before (an alert with this identifier); nothing changed.
        public static let duplicate = Code(rawValue: "duplicate")
        /// The caller may not do this to this object.
        public static let forbidden = Code(rawValue: "forbidden")
    }

    public var code: Code
    public var message: String
    /// The input field the refusal is about, as a path (`references`, `readings[2].value`).
    public var field: String?
    /// Every problem found, when there are several.
    public var issues: [FieldIssue]

    public init(_ code: Code, _ message: String, field: String? = nil, issues: [FieldIssue] = []) {
        self.code = code
        self.message = message
        self.field = field
        self.issues = issues
    }

    public var description: String { "\(code): \(message)" }
}
