import Foundation
import Testing
import TentacleCore
import TentacleDemo

private let header = "id,name,width,height,lat,lon,district,pole_id,groups,tags,timezone,notes"

private func csv(_ rows: String...) -> String {
    ([header] + rows).joined(separator: "\n") + "\n"
}

private func row(id: String = "harbor-bus-001", width: String = "192", lat: String = "31.2", district: String = "harbor", timezone: String = "Asia/Shanghai") -> String {
    "\(id),Harbor Rd bus stop 1,\(width),96,\(lat),121.4,\(district),P-HB-0001,bus-stops,4g;solar,\(timezone),"
}

private func issues(_ result: Result<[ImportRow], ValidationError>) -> [FieldIssue] {
    if case .failure(let error) = result { return error.issues }
    return []
}

private func rows(_ result: Result<[ImportRow], ValidationError>) -> [ImportRow]? {
    if case .success(let rows) = result { return rows }
    return nil
}

private func geoJSON(_ features: String...) -> [UInt8] {
    Array(#"{"type":"FeatureCollection","features":[\#(features.joined(separator: ","))]}"#.utf8)
}

private func feature(properties: String = #""name":"Quay St light pole 3","width":64,"height":32,"district":"harbor","timezone":"Asia/Shanghai""#, geometry: String = #"{"type":"Point","coordinates":[121.45,31.21]}"#) -> String {
    #"{"type":"Feature","geometry":\#(geometry),"properties":{\#(properties)}}"#
}

@Suite struct DisplayImportCSVTests {
    @Test func goodFileGivesEveryRowWithItsLine() throws {
        let text = csv(
            row(),
            #"harbor-pole-002,"Quay St light pole 2",64,32,31.21,121.41,harbor,,light-poles|solar-poles, aqi-sensor | noise-sensor ,Asia/Shanghai,"Faces the quay, north side""#,
            ",Unnamed id pole,96,48,31.22,121.42,harbor,,,,UTC,"
        )
        let result = try #require(rows(DisplayImport.parseCSV(text)))
        #expect(result.map(\.row) == [2, 3, 4])
        #expect(result[0].input == DisplayInput(
            id: "harbor-bus-001", name: "Harbor Rd bus stop 1", width: 192, height: 96, lat: 31.2, lon: 121.4,
            district: "harbor", poleId: "P-HB-0001", groups: ["bus-stops"], tags: ["4g", "solar"], timezone: "Asia/Shanghai"
        ))
        #expect(result[1].input.groups == ["light-poles", "solar-poles"])
        #expect(result[1].input.tags == ["aqi-sensor", "noise-sensor"])
        #expect(result[1].input.notes == "Faces the quay, north side")
        #expect(result[1].input.poleId == nil)
        #expect(result[2].input.id == nil)
        #expect(result[2].input.groups == nil)
        #expect(result[2].input.tags == nil)
    }

    @Test func columnsMayComeInAnyOrderAndCase() throws {
        let text = "Timezone, Name ,LAT,lon,width,height,district,poleId\nUTC,Pole,1.5,2.5,64,32,north,P-1\n"
        let result = try #require(rows(DisplayImport.parseCSV(text)))
        #expect(result.map(\.input) == [DisplayInput(name: "Pole", width: 64, height: 32, lat: 1.5, lon: 2.5, district: "north", poleId: "P-1", timezone: "UTC")])
    }

    @Test func spacesAndTabsAroundCellsAreDropped() throws {
        let text = "name,width,height,lat,lon,district,timezone,notes\n\u{3000}Pole 1\t, 64 ,32,\t1.5,2,north , UTC,\" two  words \"\n"
        let input = try #require(rows(DisplayImport.parseCSV(text))?.first?.input)
        #expect(input == DisplayInput(name: "Pole 1", width: 64, height: 32, lat: 1.5, lon: 2, district: "north", timezone: "UTC", notes: "two  words"))
    }

    @Test func windowsFileWithBOMAndCRLF() throws {
        let text = "\u{FEFF}" + csv(row(), row(id: "harbor-bus-002")).replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try #require(rows(DisplayImport.parseCSV(text))).map(\.row) == [2, 3])
    }

    @Test func headerOnlyImportsNothing() {
        #expect(rows(DisplayImport.parseCSV(header + "\n")) == [])
    }

    @Test func blankAndEmptyRowsAreSkipped() {
        let text = csv(row(), "", ",,,,,,,,,,,", row(id: "harbor-bus-002"))
        #expect(rows(DisplayImport.parseCSV(text))?.map(\.row) == [2, 5])
    }

    @Test func oneBadRowFailsTheWholeFileAndNamesLineAndField() {
        let result = DisplayImport.parseCSV(csv(row(), row(id: "harbor-bus-002", width: "abc"), row(id: "harbor-bus-003")))
        #expect(rows(result) == nil)
        #expect(issues(result) == [FieldIssue(field: "width", message: "'abc' is not an integer", row: 3)])
    }

    @Test func everyBadRowIsReported() {
        let result = DisplayImport.parseCSV(csv(
            row(width: "4"),
            row(id: "harbor-bus-002"),
            row(id: "harbor-bus-003", lat: "north", district: "Harbor"),
            row(id: "harbor-bus-004", timezone: "Mars/Olympus"),
            row(id: "harbor-bus-005")
        ))
        #expect(issues(result).map { "\($0.row ?? 0):\($0.field)" } == ["2:width", "4:lat", "4:district", "5:timezone"])
        #expect(issues(result)[1].message == "'north' is not a number")
    }

    @Test func missingRequiredValueIsNamed() {
        let result = DisplayImport.parseCSV(csv(row(district: "")))
        #expect(issues(result) == [FieldIssue(field: "district", message: "is required", row: 2)])
    }

    @Test func issuesUseTheHeaderSpellingOfAColumn() {
        let text = "name,width,height,lat,lon,district,timezone,poleId,Groups\nPole,64,32,1,1,north,UTC,,Bus Stops\n"
        #expect(issues(DisplayImport.parseCSV(text)).map(\.field) == ["Groups[0]"])
        let snake = "name,width,height,lat,lon,district,timezone,pole_id\nPole,64,32,1,1,north,UTC,\"a\tb\"\n"
        #expect(issues(DisplayImport.parseCSV(snake)).map(\.field) == ["pole_id"])
    }

    @Test func lineNumbersCountQuotedNewlines() {
        let text = csv(
            #"harbor-bus-001,Pole,64,32,1,1,harbor,,,,UTC,"two"#,
            #"lines""#,
            row(id: "harbor-bus-002", width: "x")
        )
        #expect(issues(DisplayImport.parseCSV(text)) == [FieldIssue(field: "width", message: "'x' is not an integer", row: 4)])
    }

    @Test func duplicateIdIsReportedOnTheLaterRow() {
        let result = DisplayImport.parseCSV(csv(row(), row(id: "harbor-bus-002"), row()))
        #expect(issues(result) == [FieldIssue(field: "id", message: "'harbor-bus-001' is also the id of row 2", row: 4)])
    }

    @Test func unknownColumnIsNamed() {
        let text = header + ",colour\n" + row() + ",red\n"
        let found = issues(DisplayImport.parseCSV(text))
        #expect(found.count == 1)
        #expect(found.first?.field == "colour")
        #expect(found.first?.row == 1)
        #expect(found.first?.message.hasPrefix("unknown column") == true)
    }

    @Test func unnamedColumnIsNamedByPosition() {
        #expect(issues(DisplayImport.parseCSV(header + ",\n" + row() + ",\n")).map(\.field) == ["column 13"])
    }

    @Test func missingRequiredColumnIsOneIssueNotOnePerRow() {
        let text = "name,width,height,lat,lon,district\nA,64,32,1,1,north\nB,64,32,1,1,north\n"
        #expect(issues(DisplayImport.parseCSV(text)) == [FieldIssue(field: "timezone", message: "required column is missing", row: 1)])
    }

    @Test func everyMissingColumnIsNamed() {
        #expect(issues(DisplayImport.parseCSV("id,notes\n")).map(\.field) == ["name", "width", "height", "lat", "lon", "district", "timezone"])
    }

    @Test func duplicateColumnIsReported() {
        let text = "name,width,height,lat,lon,district,timezone,pole_id,poleId\n"
        #expect(issues(DisplayImport.parseCSV(text)) == [FieldIssue(field: "poleId", message: "column appears twice (also as 'pole_id')", row: 1)])
    }

    @Test func rowWithWrongFieldCountIsReported() {
        let result = DisplayImport.parseCSV(csv(row(), "a,b,c"))
        #expect(issues(result) == [FieldIssue(field: "columns", message: "has 3 fields; the header has 12", row: 3)])
    }

    @Test func malformedCSVNamesTheLine() {
        let found = issues(DisplayImport.parseCSV(csv(row(), "x,\"open")))
        #expect(found.map(\.field) == ["csv"])
        #expect(found.map(\.row) == [3])
    }

    @Test func emptyTextIsAnError() {
        #expect(issues(DisplayImport.parseCSV("")).map(\.field) == ["csv"])
        #expect(issues(DisplayImport.parseCSV("\n\n")).map(\.field) == ["csv"])
    }

    @Test func tooManyRowsIsOneIssue() {
        let text = csv(row(width: "x"), row(width: "y"), row(width: "z"))
        #expect(issues(DisplayImport.parseCSV(text, maxRows: 2)) == [
            FieldIssue(field: "rows", message: "the file has 3 rows; at most 2 can be imported at once"),
        ])
        #expect(rows(DisplayImport.parseCSV(csv(row(), row(id: "b")), maxRows: 2))?.count == 2)
    }

    @Test func defaultLimitIsOneHundredThousand() {
        #expect(DisplayImport.maxRows == 100_000)
    }
}

@Suite struct DisplayImportGeoJSONTests {
    @Test func goodCollectionGivesEveryFeature() throws {
        let data = geoJSON(
            feature(properties: #""id":"harbor-pole-003","name":"Quay St light pole 3","width":64,"height":32,"district":"harbor","poleId":"P-HB-0003","groups":["light-poles"],"tags":["solar","aqi-sensor"],"timezone":"Asia/Shanghai","notes":"new""#),
            #"{"type":"Feature","id":"harbor-bus-004","geometry":{"type":"Point","coordinates":[121.46,31.22,12.5]},"properties":{"name":"Harbor Rd bus stop 4","width":192.0,"height":96,"district":"harbor","timezone":"Asia/Shanghai","poleId":null}}"#
        )
        let result = try #require(rows(DisplayImport.parseGeoJSON(data)))
        #expect(result.map(\.row) == [1, 2])
        #expect(result[0].input == DisplayInput(
            id: "harbor-pole-003", name: "Quay St light pole 3", width: 64, height: 32, lat: 31.21, lon: 121.45,
            district: "harbor", poleId: "P-HB-0003", groups: ["light-poles"], tags: ["solar", "aqi-sensor"],
            timezone: "Asia/Shanghai", notes: "new"
        ))
        #expect(result[1].input.id == "harbor-bus-004")
        #expect(result[1].input.width == 192)
        #expect(result[1].input.lat == 31.22 && result[1].input.lon == 121.46)
        #expect(result[1].input.poleId == nil)
    }

    @Test func emptyCollectionImportsNothing() {
        #expect(rows(DisplayImport.parseGeoJSON(geoJSON())) == [])
    }

    @Test func wrongTypeNamesTheFeatureAndProperty() {
        let data = geoJSON(feature(), feature(), feature(), feature(properties: #""name":"X","width":"64","height":32,"district":"harbor","timezone":"UTC""#))
        #expect(issues(DisplayImport.parseGeoJSON(data)) == [
            FieldIssue(field: "features[3].properties.width", message: "must be an integer, got a string", row: 4),
        ])
    }

    @Test func everyBadFeatureIsReported() {
        let data = geoJSON(
            feature(geometry: #"{"type":"LineString","coordinates":[[121.4,31.2],[121.5,31.3]]}"#),
            feature(),
            #"{"type":"Feature","properties":{"name":"No place","width":64,"height":32,"district":"harbor","timezone":"UTC"}}"#,
            feature(geometry: #"{"type":"Point","coordinates":[121.4,95]}"#),
            feature(properties: #""name":"X","width":64.5,"height":true,"district":"harbor","timezone":"UTC","groups":["ok",3],"colour":"red""#)
        )
        let found = issues(DisplayImport.parseGeoJSON(data))
        #expect(found.map { "\($0.row ?? 0):\($0.field)" } == [
            "1:features[0].geometry.type",
            "3:features[2].geometry",
            "4:features[3].geometry.coordinates[1]",
            "5:features[4].properties.colour",
            "5:features[4].properties.groups[1]",
            "5:features[4].properties.height",
            "5:features[4].properties.width",
        ])
        #expect(found[0].message == "'LineString' is not supported; each display is a Point")
        #expect(found[6].message == "64.5 is not an integer")
        #expect(found[5].message == "must be an integer, got a boolean")
    }

    @Test func missingPropertiesAreRequiredFieldsNamedByPath() {
        let data = geoJSON(#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":null}"#)
        #expect(issues(DisplayImport.parseGeoJSON(data)).map(\.field) == [
            "features[0].properties.name", "features[0].properties.width", "features[0].properties.height",
            "features[0].properties.district", "features[0].properties.timezone",
        ])
    }

    @Test func locationMustComeFromTheGeometry() {
        let data = geoJSON(feature(properties: #""name":"X","width":64,"height":32,"district":"harbor","timezone":"UTC","lat":31.2"#))
        #expect(issues(DisplayImport.parseGeoJSON(data)).map(\.field) == ["features[0].properties.lat"])
    }

    @Test(arguments: [
        #"{"type":"Point","coordinates":[121.4]}"#,
        #"{"type":"Point","coordinates":["121.4","31.2"]}"#,
        #"{"type":"Point"}"#,
    ])
    func badCoordinatesAreNamed(_ geometry: String) {
        let found = issues(DisplayImport.parseGeoJSON(geoJSON(feature(geometry: geometry))))
        #expect(found == [FieldIssue(field: "features[0].geometry.coordinates", message: "must be [lon, lat] numbers", row: 1)])
    }

    @Test func featureThatIsNotAnObjectIsNamed() {
        let found = issues(DisplayImport.parseGeoJSON(geoJSON(feature(), "42")))
        #expect(found == [FieldIssue(field: "features[1]", message: "must be a Feature object", row: 2)])
    }

    @Test func featureTypeMustBeFeature() {
        let data = geoJSON(feature().replacingOccurrences(of: #""type":"Feature""#, with: #""type":"Thing""#))
        #expect(issues(DisplayImport.parseGeoJSON(data)).map(\.field) == ["features[0].type"])
    }

    @Test func conflictingIdsAreReported() {
        let data = geoJSON(#"{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"id":"b","name":"X","width":64,"height":32,"district":"harbor","timezone":"UTC"}}"#)
        #expect(issues(DisplayImport.parseGeoJSON(data)).map(\.field) == ["features[0].id"])
    }

    @Test func invalidFeatureIdIsNamedWhereItWasWritten() {
        let data = geoJSON(#"{"type":"Feature","id":"Bad Id","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"name":"X","width":64,"height":32,"district":"harbor","timezone":"UTC"}}"#)
        #expect(issues(DisplayImport.parseGeoJSON(data)).map(\.field) == ["features[0].id"])
    }

    @Test func duplicateIdsAcrossFeatures() {
        let props = #""id":"same","name":"X","width":64,"height":32,"district":"harbor","timezone":"UTC""#
        let found = issues(DisplayImport.parseGeoJSON(geoJSON(feature(properties: props), feature(properties: props))))
        #expect(found == [FieldIssue(field: "features[1].properties.id", message: "'same' is also the id of row 1", row: 2)])
    }

    @Test(arguments: [
        ("not json", "geojson"),
        ("[]", "type"),
        (#"{"type":"Feature"}"#, "type"),
        (#"{"type":"FeatureCollection"}"#, "features"),
        (#"{"type":"FeatureCollection","features":{}}"#, "features"),
    ])
    func documentThatIsNotACollectionIsOneIssue(_ json: String, _ field: String) {
        let found = issues(DisplayImport.parseGeoJSON(Array(json.utf8)))
        #expect(found.map(\.field) == [field])
        #expect(found.map(\.row) == [nil])
    }

    @Test func tooManyFeaturesIsOneIssue() {
        let found = issues(DisplayImport.parseGeoJSON(geoJSON(feature(), feature(), "1"), maxRows: 2))
        #expect(found == [FieldIssue(field: "rows", message: "the file has 3 rows; at most 2 can be imported at once")])
    }
}

@Suite struct DisplayImportRoundTripTests {
    /// Writes a field as RFC 4180 requires: quoted when it holds a comma, quote or line break.
    private func quoted(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    @Test func demoCityExportedAsCSVImportsUnchanged() throws {
        let displays = DemoCity.make().displays
        let lines = displays.map { d in
            [d.id ?? "", d.name ?? "", "\(d.width ?? 0)", "\(d.height ?? 0)", "\(d.lat ?? 0)", "\(d.lon ?? 0)",
             d.district ?? "", d.poleId ?? "", (d.groups ?? []).joined(separator: ";"), (d.tags ?? []).joined(separator: "|"),
             d.timezone ?? "", d.notes ?? ""].map(quoted).joined(separator: ",")
        }
        let text = DisplayImport.csvColumns.joined(separator: ",") + "\r\n" + lines.joined(separator: "\r\n")
        let result = try #require(rows(DisplayImport.parseCSV(text)))
        #expect(result.map(\.input) == displays)
        #expect(result.map(\.row) == Array(2...(displays.count + 1)))
    }
}
