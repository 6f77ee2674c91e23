public import Foundation

/// A person (or integration) who signs in to Tentacle.
public struct User: Codable, Hashable, Sendable {
    public var id: String
    public var username: String
    public var role: Role
    /// Empty means every district.
    public var districts: [String]
    public var createdAt: Date

    public init(id: String, username: String, role: Role, districts: [String], createdAt: Date) {
        self.id = id
        self.username = username
        self.role = role
        self.districts = districts
        self.createdAt = createdAt
    }

    public var principal: Principal {
        Principal(userID: id, username: username, role: role, scope: DistrictScope(districts: districts))
    }

    public static let minPasswordLength = 10

    /// Issues with a username, role scope and password as a user or admin typed them.
    public static func issues(username: String?, password: String?, districts: [String]?) -> [FieldIssue] {
        var c = IssueCollector()
        if let username, !Identifier.isValid(username, maxLength: 64) {
            c.add("username", "'\(username.prefix(80))' is not a valid username: \(Identifier.rule)")
        }
        if let password, password.count < minPasswordLength || password.utf8.count > 72 {
            // bcrypt reads at most 72 bytes; longer passwords would be silently truncated.
            c.add("password", "must be \(minPasswordLength) to 72 bytes long")
        }
        for (i, d) in (districts ?? []).enumerated() where !Identifier.isValid(d, maxLength: 32) {
            c.add("districts[\(i)]", "'\(d.prefix(80))' is not a valid district code")
        }
        return c.issues
    }
}

/// A bearer token or dashboard session as users see it (the secret is never stored).
public struct APIToken: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable { case api, session }

    public var id: String
    public var userId: String
    public var name: String
    public var kind: Kind
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(id: String, userId: String, name: String, kind: Kind, createdAt: Date, expiresAt: Date?, revokedAt: Date?) {
        self.id = id
        self.userId = userId
        self.name = name
        self.kind = kind
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// A display's credential record; only a hash of the token is kept.
public struct DeviceCredential: Codable, Hashable, Sendable {
    public var id: String
    public var displayId: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, displayId: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.displayId = displayId
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}
