/// What a user is for; each role grants a fixed set of permissions.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case admin, `operator`, publisher, approver, alerter, viewer

    public static func < (a: Role, b: Role) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One thing a request may do. Routes name the permission they need.
public enum Permission: String, Codable, Sendable, CaseIterable {
    case readRegistry          // displays, groups, districts
    case writeDisplays         // create, update, delete, import displays; groups
    case writeDistricts        // districts and their boundaries shape scoping, so admin only
    case manageCredentials     // issue, rotate and revoke device tokens
    case manageUsers
    case readAudit
    case readContent           // layouts, assets, campaigns, previews, what a display shows
    case writeContent          // upload assets, edit layouts, campaigns and default layouts
    case approveContent        // approve or reject someone else's campaign revision
    case readTelemetry         // readings, rollups, latest values, exports, the metric catalogue
    case writeTelemetry        // post readings (sensor gateways use an operator's API token)
    case manageMetrics         // add metrics to the catalogue
    case postAlerts            // post CAP alerts that override every screen in their area
    case manageRules           // write city rules (they act once someone with approveContent approved them)
}

/// The role × permission matrix. Kept as data so tests can walk every pair.
public enum AccessPolicy {
    public static func permissions(of role: Role) -> Set<Permission> {
        switch role {
        case .admin:
            return Set(Permission.allCases)
        case .operator:
            // City operators and field technicians run the registry and provision poles.
            return [.readRegistry, .writeDisplays, .manageCredentials, .readContent, .readTelemetry, .writeTelemetry, .manageRules]
        case .publisher:
            return [.readRegistry, .readContent, .writeContent, .readTelemetry, .manageRules]
        case .approver:
            return [.readRegistry, .readContent, .approveContent, .readTelemetry]
        case .alerter:
            // Emergency managers post alerts and watch which screens confirmed them.
            return [.readRegistry, .readContent, .readTelemetry, .postAlerts]
        case .viewer:
            return [.readRegistry, .readContent, .readTelemetry]
        }
    }

    public static func allows(_ role: Role, _ permission: Permission) -> Bool {
        permissions(of: role).contains(permission)
    }
}
