public import Foundation

/// One change, as written to the append-only audit log.
public struct AuditEntry: Codable, Hashable, Sendable {
    public var id: Int64
    public var time: Date
    /// The username, or `system` for changes the server makes itself.
    public var actor: String
    public var action: String
    public var objectType: String
    public var objectId: String
    public var summary: String

    public init(id: Int64, time: Date, actor: String, action: String, objectType: String, objectId: String, summary: String) {
        self.id = id
        self.time = time
        self.actor = actor
        self.action = action
        self.objectType = objectType
        self.objectId = objectId
        self.summary = summary
    }
}

/// A change about to be audited: written in the same transaction as the change itself.
public struct AuditEvent: Hashable, Sendable {
    public var actor: String
    public var action: String
    public var objectType: String
    public var objectId: String
    public var summary: String

    public init(actor: String, action: String, objectType: String, objectId: String, summary: String) {
        self.actor = actor
        self.action = action
        self.objectType = objectType
        self.objectId = objectId
        self.summary = summary
    }
}

/// Filters for reading the audit log, newest first.
public struct AuditQuery: Hashable, Sendable {
    public var actor: String?
    public var action: String?
    public var objectType: String?
    public var objectId: String?
    public var from: Date?
    public var to: Date?
    /// The id of the last entry of the previous page; results continue below it.
    public var before: Int64?
    public var limit: Int

    public init(
        actor: String? = nil, action: String? = nil, objectType: String? = nil, objectId: String? = nil,
        from: Date? = nil, to: Date? = nil, before: Int64? = nil, limit: Int = 100
    ) {
        self.actor = actor
        self.action = action
        self.objectType = objectType
        self.objectId = objectId
        self.from = from
        self.to = to
        self.before = before
        self.limit = limit
    }
}
