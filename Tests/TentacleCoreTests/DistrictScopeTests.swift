import Foundation
import Testing
import TentacleCore

@Suite struct DistrictScopeTests {
    @Test func noDistrictsMeansEveryDistrict() {
        let scope = DistrictScope(districts: [])
        #expect(scope == .all)
        #expect(scope.districts == nil)
        #expect(scope.contains("north"))
        #expect(scope.contains("anything"))
    }

    @Test func listedDistrictsOnly() {
        let scope = DistrictScope(districts: ["south", "north"])
        #expect(scope == .only(["north", "south"]))
        #expect(scope.contains("north"))
        #expect(scope.contains("south"))
        #expect(!scope.contains("east"))
        #expect(!scope.contains(""))
        #expect(!scope.contains("North"))
    }

    @Test func districtsAreSortedAndUnique() {
        #expect(DistrictScope(districts: ["west", "east", "west"]).districts == ["east", "west"])
    }

    @Test func userPrincipalCarriesRoleAndScope() {
        let user = User(id: "u1", username: "ana", role: .publisher, districts: ["north"], createdAt: Date(timeIntervalSince1970: 0))
        let principal = user.principal
        #expect(principal.userID == "u1")
        #expect(principal.username == "ana")
        #expect(principal.role == .publisher)
        #expect(principal.scope.contains("north"))
        #expect(!principal.scope.contains("south"))

        let admin = User(id: "u2", username: "root", role: .admin, districts: [], createdAt: Date(timeIntervalSince1970: 0))
        #expect(admin.principal.scope == .all)
    }
}
