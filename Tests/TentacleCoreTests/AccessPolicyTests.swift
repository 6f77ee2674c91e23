import Testing
import TentacleCore

/// The columns of `expected`, in order.
private let permissions: [Permission] = [
    .readRegistry, .writeDisplays, .writeDistricts, .manageCredentials, .manageUsers, .readAudit,
    .readContent, .writeContent, .approveContent, .readTelemetry, .writeTelemetry, .manageMetrics, .postAlerts, .manageRules,
]

/// The whole role × permission matrix, written out so a change to the policy shows up here.
private let expected: [Role: [Bool]] = [
    //            read  writeDisp writeDistr creds  users  audit  readCont writeCont approve readTel writeTel metrics alerts rules
    .admin:     [true, true, true, true, true, true, true, true, true, true, true, true, true, true],
    .operator:  [true, true, false, true, false, false, true, false, false, true, true, false, false, true],
    .publisher: [true, false, false, false, false, false, true, true, false, true, false, false, false, true],
    .approver:  [true, false, false, false, false, false, true, false, true, true, false, false, false, false],
    .alerter:   [true, false, false, false, false, false, true, false, false, true, false, false, true, false],
    .viewer:    [true, false, false, false, false, false, true, false, false, true, false, false, false, false],
]

@Suite struct AccessPolicyTests {
    @Test func tableCoversEveryRoleAndPermission() {
        #expect(Set(expected.keys) == Set(Role.allCases))
        #expect(Set(permissions) == Set(Permission.allCases))
        #expect(permissions.count == Permission.allCases.count)
        #expect(expected.values.allSatisfy { $0.count == permissions.count })
    }

    @Test(arguments: Role.allCases, permissions.indices)
    func policyMatchesTable(_ role: Role, _ column: Int) {
        let permission = permissions[column]
        let allowed = expected[role]?[column]
        #expect(AccessPolicy.allows(role, permission) == allowed, "\(role) × \(permission)")
        #expect(AccessPolicy.permissions(of: role).contains(permission) == allowed)
    }

    @Test(arguments: Role.allCases)
    func principalAsksThePolicy(_ role: Role) {
        let principal = Principal(userID: "u1", username: "ana", role: role, scope: .all)
        for permission in Permission.allCases {
            #expect(principal.can(permission) == AccessPolicy.allows(role, permission))
        }
    }

    @Test func rolesAreOrderedFromMostToLeastPowerful() {
        #expect(Role.allCases.sorted() == [.admin, .operator, .publisher, .approver, .alerter, .viewer])
        #expect(Role.admin < Role.viewer)
        #expect(!(Role.viewer < Role.viewer))
    }

    @Test func rolesAndPermissionsHaveStableNames() {
        #expect(Role.allCases.map(\.rawValue) == ["admin", "operator", "publisher", "approver", "alerter", "viewer"])
        #expect(Permission.allCases.map(\.rawValue) == [
            "readRegistry", "writeDisplays", "writeDistricts", "manageCredentials", "manageUsers", "readAudit",
            "readContent", "writeContent", "approveContent", "readTelemetry", "writeTelemetry", "manageMetrics", "postAlerts", "manageRules",
        ])
    }
}
