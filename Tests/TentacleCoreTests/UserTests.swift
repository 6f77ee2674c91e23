import Testing
import TentacleCore

@Suite struct UserTests {
    @Test func validUserHasNoIssues() {
        #expect(User.issues(username: "ana", password: "correct horse", districts: ["north"]).isEmpty)
        #expect(User.issues(username: nil, password: nil, districts: nil).isEmpty)
    }

    @Test(arguments: ["", "Ana", "ana smith", "-ana"])
    func invalidUsernameIsRejected(_ name: String) {
        #expect(User.issues(username: name, password: nil, districts: nil).map(\.field) == ["username"])
    }

    @Test func passwordMustBe10To72Bytes() {
        #expect(User.issues(username: nil, password: String(repeating: "p", count: 9), districts: nil).map(\.field) == ["password"])
        #expect(User.issues(username: nil, password: String(repeating: "p", count: 10), districts: nil).isEmpty)
        #expect(User.issues(username: nil, password: String(repeating: "p", count: 72), districts: nil).isEmpty)
        #expect(User.issues(username: nil, password: String(repeating: "p", count: 73), districts: nil).map(\.field) == ["password"])
        // 25 three-byte characters are 75 bytes: bcrypt would silently drop the tail.
        #expect(User.issues(username: nil, password: String(repeating: "密", count: 25), districts: nil).map(\.field) == ["password"])
    }

    @Test func invalidDistrictIsNamedByIndex() {
        #expect(User.issues(username: nil, password: nil, districts: ["north", "South"]).map(\.field) == ["districts[1]"])
    }
}
