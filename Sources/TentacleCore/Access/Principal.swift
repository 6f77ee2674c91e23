/// Which districts a user may see and change.
public enum DistrictScope: Hashable, Sendable {
    case all
    case only(Set<String>)

    public init(districts: [String]) {
        self = districts.isEmpty ? .all : .only(Set(districts))
    }

    public func contains(_ district: String) -> Bool {
        switch self {
        case .all: return true
        case .only(let set): return set.contains(district)
        }
    }

    /// The district codes, or nil for every district.
    public var districts: [String]? {
        switch self {
        case .all: return nil
        case .only(let set): return set.sorted()
        }
    }
}

/// The authenticated user behind a request.
public struct Principal: Hashable, Sendable {
    public var userID: String
    public var username: String
    public var role: Role
    public var scope: DistrictScope

    public init(userID: String, username: String, role: Role, scope: DistrictScope) {
        self.userID = userID
        self.username = username
        self.role = role
        self.scope = scope
    }

    public func can(_ permission: Permission) -> Bool {
        AccessPolicy.allows(role, permission)
    }
}
