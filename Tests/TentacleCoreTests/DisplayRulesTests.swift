import Foundation
import Testing
import TentacleCore

/// A complete, valid display; tests change one field at a time.
private let valid = DisplayInput(
    id: "old-town-bus-001", name: "Market St bus stop 1", width: 192, height: 96, lat: 31.23, lon: 121.47,
    district: "old-town", poleId: "P-OT-0001", groups: ["bus-stops"], tags: ["4g", "aqi-sensor"],
    timezone: "Asia/Shanghai", notes: "Faces the northbound lane"
)

private func issues(_ change: (inout DisplayInput) -> Void, creating: Bool = true) -> [FieldIssue] {
    var input = valid
    change(&input)
    return DisplayRules.issues(in: input, creating: creating)
}

private func fields(_ change: (inout DisplayInput) -> Void) -> [String] {
    issues(change).map(\.field)
}

@Suite struct DisplayRulesTests {
    @Test func completeInputHasNoIssues() {
        #expect(DisplayRules.issues(in: valid, creating: true).isEmpty)
        #expect(DisplayRules.issues(in: valid, creating: false).isEmpty)
    }

    @Test func createRequiresEveryRequiredField() {
        let found = DisplayRules.issues(in: DisplayInput(), creating: true)
        #expect(found.map(\.field) == ["name", "width", "height", "lat", "lon", "district", "timezone"])
        #expect(found.allSatisfy { $0.message == "is required" })
    }

    @Test func optionalFieldsMayBeAbsentOnCreate() {
        let minimal = DisplayInput(name: "Pole", width: 64, height: 32, lat: 0, lon: 0, district: "north", timezone: "UTC")
        #expect(DisplayRules.issues(in: minimal, creating: true).isEmpty)
    }

    @Test func updateRequiresNothing() {
        #expect(DisplayRules.issues(in: DisplayInput(), creating: false).isEmpty)
        #expect(DisplayRules.issues(in: DisplayInput(notes: "moved"), creating: false).isEmpty)
    }

    @Test func updateStillChecksPresentFields() {
        let found = DisplayRules.issues(in: DisplayInput(width: 2), creating: false)
        #expect(found.map(\.field) == ["width"])
    }

    @Test func rowIsSetOnEveryIssue() {
        let found = DisplayRules.issues(in: DisplayInput(width: 1), creating: true, row: 7)
        #expect(found.count == 7)
        #expect(found.allSatisfy { $0.row == 7 })
    }

    @Test func everyBadFieldIsReportedAtOnce() {
        let bad = DisplayInput(
            id: "Bad Id", name: "", width: 0, height: 5000, lat: 91, lon: -181, district: "Old Town",
            poleId: "", groups: ["Bus"], tags: ["Solar"], timezone: "Mars/Olympus",
            notes: String(repeating: "x", count: 2001)
        )
        let found = Set(DisplayRules.issues(in: bad, creating: true).map(\.field))
        #expect(found == ["id", "name", "width", "height", "lat", "lon", "district", "poleId", "groups[0]", "tags[0]", "timezone", "notes"])
    }

    // MARK: id

    @Test(arguments: ["Bad", "has space", "-lead", "", String(repeating: "a", count: 65)])
    func invalidIdIsRejected(_ id: String) {
        #expect(fields { $0.id = id } == ["id"])
    }

    // MARK: name

    @Test(arguments: ["", "   ", "\u{3000}"])
    func blankNameIsRejected(_ name: String) {
        let found = issues { $0.name = name }
        #expect(found == [FieldIssue(field: "name", message: "must not be empty")])
    }

    @Test func nameLongerThan120CharactersIsRejected() {
        let found = issues { $0.name = String(repeating: "n", count: 121) }
        #expect(found == [FieldIssue(field: "name", message: "is 121 characters long; at most 120 allowed")])
        #expect(fields { $0.name = String(repeating: "n", count: 120) }.isEmpty)
    }

    @Test func nameLengthCountsCharactersNotBytes() {
        #expect(fields { $0.name = String(repeating: "站", count: 120) }.isEmpty)
    }

    @Test(arguments: ["Bus\nstop", "Bus\u{7}stop", "Tab\tstop", "\u{0}"])
    func nameWithControlCharacterIsRejected(_ name: String) {
        let found = issues { $0.name = name }
        #expect(found == [FieldIssue(field: "name", message: "must not contain control characters")])
    }

    @Test func nameWithCJKAndAccentsIsAccepted() {
        #expect(fields { $0.name = "人民广场 bus stop — Café" }.isEmpty)
    }

    // MARK: width and height

    @Test(arguments: [Int.min, -1, 0, 7, 3841, 4096, Int.max])
    func widthOutOfRangeIsRejected(_ size: Int) {
        #expect(fields { $0.width = size } == ["width"])
        #expect(issues { $0.width = size }.first?.message == "\(size) is out of range 8...3840 pixels")
    }

    @Test(arguments: [Int.min, -1, 0, 7, 2161, 3840, Int.max])
    func heightOutOfRangeIsRejected(_ size: Int) {
        #expect(fields { $0.height = size } == ["height"])
        #expect(issues { $0.height = size }.first?.message == "\(size) is out of range 8...2160 pixels")
    }

    @Test(arguments: [(8, 8), (9, 9), (64, 32), (3839, 2159), (3840, 2160)])
    func sizeInRangeIsAccepted(_ size: (width: Int, height: Int)) {
        #expect(fields { $0.width = size.width; $0.height = size.height }.isEmpty)
    }

    // MARK: lat and lon

    @Test(arguments: [-90.000001, 90.000001, -1000, .nan, .infinity, -.infinity])
    func latitudeOutOfRangeIsRejected(_ lat: Double) {
        #expect(fields { $0.lat = lat } == ["lat"])
    }

    @Test(arguments: [-90, -0.0, 0, 45.5, 90])
    func latitudeInRangeIsAccepted(_ lat: Double) {
        #expect(fields { $0.lat = lat }.isEmpty)
    }

    @Test(arguments: [-180.000001, 180.000001, 360, .nan, .infinity, -.infinity])
    func longitudeOutOfRangeIsRejected(_ lon: Double) {
        #expect(fields { $0.lon = lon } == ["lon"])
    }

    @Test(arguments: [-180, 0, 121.47, 180])
    func longitudeInRangeIsAccepted(_ lon: Double) {
        #expect(fields { $0.lon = lon }.isEmpty)
    }

    // MARK: district

    @Test(arguments: ["", "North", "old town", "-north", "_north", "nörth", String(repeating: "d", count: 33)])
    func invalidDistrictCodeIsRejected(_ code: String) {
        #expect(fields { $0.district = code } == ["district"])
    }

    @Test(arguments: ["n", "old-town", "old_town", "district-9", "9", String(repeating: "d", count: 32)])
    func validDistrictCodeIsAccepted(_ code: String) {
        #expect(fields { $0.district = code }.isEmpty)
    }

    // MARK: poleId

    @Test(arguments: ["", String(repeating: "p", count: 65), "P-1\t", "P\n1"])
    func invalidPoleIdIsRejected(_ pole: String) {
        let found = issues { $0.poleId = pole }
        #expect(found == [FieldIssue(field: "poleId", message: "must be 1-64 printable characters")])
    }

    @Test(arguments: ["P-HB-0012", "pole 7", "灯杆-3", String(repeating: "p", count: 64)])
    func validPoleIdIsAccepted(_ pole: String) {
        #expect(fields { $0.poleId = pole }.isEmpty)
    }

    // MARK: groups

    @Test func invalidGroupIsNamedByIndex() {
        #expect(fields { $0.groups = ["bus-stops", "Light Poles"] } == ["groups[1]"])
    }

    @Test func duplicateGroupIsRejected() {
        let found = issues { $0.groups = ["bus-stops", "light-poles", "bus-stops"] }
        #expect(found == [FieldIssue(field: "groups", message: "lists a group twice")])
    }

    @Test func moreThan32GroupsAreRejected() {
        #expect(fields { $0.groups = (1...33).map { "g\($0)" } } == ["groups"])
        #expect(fields { $0.groups = (1...32).map { "g\($0)" } }.isEmpty)
        #expect(fields { $0.groups = [] }.isEmpty)
    }

    // MARK: tags

    @Test func invalidTagIsNamedByIndex() {
        #expect(fields { $0.tags = ["solar", "AQI"] } == ["tags[1]"])
        #expect(fields { $0.tags = [String(repeating: "t", count: 33)] } == ["tags[0]"])
        #expect(fields { $0.tags = [String(repeating: "t", count: 32)] }.isEmpty)
    }

    @Test func duplicateTagsAreAcceptedAndDroppedOnCreate() {
        var input = valid
        input.tags = ["solar", "4g", "solar"]
        #expect(DisplayRules.issues(in: input, creating: true).isEmpty)
        let display = Display(creating: input, id: "d1", at: Date(timeIntervalSince1970: 0))
        #expect(display.tags == ["solar", "4g"])
    }

    @Test func moreThan32TagsAreRejected() {
        #expect(fields { $0.tags = (1...33).map { "t\($0)" } } == ["tags"])
        #expect(fields { $0.tags = (1...32).map { "t\($0)" } }.isEmpty)
    }

    // MARK: timezone

    @Test(arguments: ["Mars/Olympus", "", "europe/berlin", "Berlin", "GMT+25", "Asia/Shanghai "])
    func unknownTimezoneIsRejected(_ tz: String) {
        #expect(fields { $0.timezone = tz } == ["timezone"])
    }

    @Test(arguments: ["Europe/Berlin", "Asia/Shanghai", "America/New_York", "UTC"])
    func knownTimezoneIsAccepted(_ tz: String) {
        #expect(fields { $0.timezone = tz }.isEmpty)
    }

    // MARK: notes

    @Test func notesLongerThan2000CharactersAreRejected() {
        let found = issues { $0.notes = String(repeating: "x", count: 2001) }
        #expect(found == [FieldIssue(field: "notes", message: "is 2001 characters long; at most 2000 allowed")])
        #expect(fields { $0.notes = String(repeating: "x", count: 2000) }.isEmpty)
        #expect(fields { $0.notes = "" }.isEmpty)
    }

    @Test func notesMayHoldLineBreaks() {
        #expect(fields { $0.notes = "line one\nline two" }.isEmpty)
    }

    // MARK: applying an input

    @Test func createFillsEveryField() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let display = Display(creating: valid, id: "old-town-bus-001", at: now)
        #expect(display.name == "Market St bus stop 1")
        #expect(display.width == 192 && display.height == 96)
        #expect(display.lat == 31.23 && display.lon == 121.47)
        #expect(display.district == "old-town")
        #expect(display.poleId == "P-OT-0001")
        #expect(display.groups == ["bus-stops"])
        #expect(display.timezone == "Asia/Shanghai")
        #expect(display.status == .offline)
        #expect(display.lastSeen == nil)
        #expect(display.createdAt == now && display.updatedAt == now)
    }

    @Test func updateChangesOnlyPresentFields() {
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let later = created.addingTimeInterval(60)
        let display = Display(creating: valid, id: "d1", at: created)
        let updated = display.applying(DisplayInput(name: "Renamed", tags: ["fiber", "fiber"]), at: later)
        #expect(updated.name == "Renamed")
        #expect(updated.tags == ["fiber"])
        #expect(updated.width == display.width)
        #expect(updated.notes == display.notes)
        #expect(updated.createdAt == created)
        #expect(updated.updatedAt == later)
    }

    @Test func fieldNamesListEveryInputField() throws {
        let encoded = try JSONEncoder().encode(valid)
        let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect(Set(object.keys) == DisplayInput.fieldNames)
    }
}
