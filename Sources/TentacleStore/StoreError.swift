/// A storage operation could not be done; the server maps codes to HTTP statuses.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The object does not exist (or is outside the caller's scope).
        case notFound
        /// The change clashes with what is stored (duplicate id, object still in use).
        case conflict
        /// The change refers to an object that does not exist (unknown district or group).
        case invalidReference
        /// The database cannot be reached now (a PostgreSQL server that is down or restarting); try again.
        case unavailable
    }

    public let code: Code
    public let field: String?
    public let message: String
    /// For imports: the 1-based row the problem is in.
    public let row: Int?

    public init(_ code: Code, field: String? = nil, _ message: String, row: Int? = nil) {
        self.code = code
        self.field = field
        self.message = message
        self.row = row
    }

    public static func notFound(_ type: String, _ id: String) -> StoreError {
        StoreError(.notFound, "\(type) '\(id)' not found")
    }

    public var description: String { message }
}
