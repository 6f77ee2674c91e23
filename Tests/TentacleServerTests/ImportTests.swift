import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
import TentacleStore
import Testing

@Suite("Bulk import")
struct ImportTests {
    static let header = "id,name,width,height,lat,lon,district,pole_id,groups,tags,timezone,notes"

    struct Imported: Decodable {
        var imported: Int
        var ids: [String]
    }

    @Test func csvWithOneBadRowChangesNothing() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let csv = """
                    \(Self.header)
                    c-1,First,64,32,52.5,13.4,north,P1,bus-stops,solar,Europe/Berlin,
                    c-2,Second,2,32,52.5,13.4,north,P2,,,Europe/Berlin,
                    c-3,Third,64,32,52.5,13.4,south,P3,light-poles;bus-stops,,UTC,ok

                    """
                let displays = try await fx.displayCount()
                let audit = try await fx.auditCount()
                let response = try await api.send(.post, "/v1/displays/import", body: csv, contentType: "text/csv")
                #expect(response.status == .unprocessableContent, "\(response.text)")
                let error = try #require(response.apiError)
                #expect(error.code == "validation_failed")
                #expect(error.field == "width")
                #expect(error.issues?.map { "\($0.row ?? 0) \($0.field)" } == ["3 width"])
                #expect(try await fx.displayCount() == displays)
                #expect(try await fx.auditCount() == audit)
                #expect(try await fx.store.display(id: "c-1") == nil)
            }
        }
    }

    @Test func everyBadRowIsReported() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let csv = """
                    \(Self.header)
                    e-1,Bad lat,64,32,95,13.4,north,,,,UTC,
                    e-2,Fine,64,32,52.5,13.4,north,,,,UTC,
                    e-3,Bad zone,64,32,52.5,13.4,north,,,,Nowhere/Town,
                    """
                let response = try await api.send(.post, "/v1/displays/import", body: csv, contentType: "text/csv")
                #expect(response.status == .unprocessableContent)
                #expect(response.apiError?.issues?.map { "\($0.row ?? 0) \($0.field)" } == ["2 lat", "4 timezone"])
                #expect(try await fx.store.display(id: "e-2") == nil)
            }
        }
    }

    @Test func rowWithAnUnknownDistrictIsNamed() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let csv = """
                    \(Self.header)
                    u-1,Known,64,32,52.5,13.4,north,,,,UTC,
                    u-2,Unknown,64,32,52.5,13.4,west,,,,UTC,
                    u-3,Unknown group,64,32,52.5,13.4,east,,ferries,,UTC,
                    """
                let displays = try await fx.displayCount()
                let response = try await api.send(.post, "/v1/displays/import", body: csv, contentType: "text/csv")
                #expect(response.status == .unprocessableContent, "\(response.text)")
                #expect(response.apiError?.code == "validation_failed")
                #expect(response.apiError?.issues?.map { "\($0.row ?? 0) \($0.field)" } == ["3 district", "4 groups[0]"])
                #expect(try await fx.displayCount() == displays)
            }
        }
    }

    @Test func goodCSVIsStored() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let csv = #"""
                    \#(Self.header)
                    c-1,"Corner, east side",64,32,52.5,13.4,north,P1,bus-stops;light-poles,solar|wifi,Europe/Berlin,
                    c-2,Second,384,192,52.45,13.35,south,,,,UTC,"said ""hi"""

                    """#
                let response = try await api.send(.post, "/v1/displays/import", body: csv, contentType: "text/csv; charset=utf-8")
                #expect(response.status == .created, "\(response.text)")
                let result = try response.decode(Imported.self)
                #expect(result.imported == 2)
                #expect(result.ids == ["c-1", "c-2"])

                let first = try await api.send(.get, "/v1/displays/c-1").decode(Display.self)
                #expect(first.name == "Corner, east side")
                #expect(first.groups == ["bus-stops", "light-poles"])
                #expect(first.tags == ["solar", "wifi"])
                #expect(first.poleId == "P1")
                let second = try await api.send(.get, "/v1/displays/c-2").decode(Display.self)
                #expect(second.notes == #"said "hi""#)
                #expect(second.width == 384)

                let audit = try await fx.store.auditEntries(AuditQuery(action: "display.import"))
                #expect(audit.map(\.actor) == ["admin"])
            }
        }
    }

    @Test func goodGeoJSONIsStored() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let geojson = """
                    {"type": "FeatureCollection", "features": [
                      {"type": "Feature", "id": "g-1", "geometry": {"type": "Point", "coordinates": [13.41, 52.52]},
                       "properties": {"name": "Geo one", "width": 128, "height": 64, "district": "east", "timezone": "Europe/Berlin",
                                      "groups": ["roadside-boards"], "tags": ["led"], "poleId": "G1"}},
                      {"type": "Feature", "geometry": {"type": "Point", "coordinates": [13.30, 52.40]},
                       "properties": {"id": "g-2", "name": "Geo two", "width": 64, "height": 32, "district": "south", "timezone": "UTC"}}
                    ]}
                    """
                let response = try await api.send(.post, "/v1/displays/import", body: geojson, contentType: "application/geo+json")
                #expect(response.status == .created, "\(response.text)")
                #expect(try response.decode(Imported.self).ids == ["g-1", "g-2"])
                let one = try #require(try await fx.store.display(id: "g-1"))
                #expect(one.lat == 52.52)
                #expect(one.lon == 13.41)
                #expect(one.groups == ["roadside-boards"])
                #expect(try await fx.store.display(id: "g-2")?.district == "south")
            }
        }
    }

    @Test func badGeoJSONFeatureIsNamedAndNothingStored() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let geojson = """
                    {"type": "FeatureCollection", "features": [
                      {"type": "Feature", "geometry": {"type": "Point", "coordinates": [13.41, 52.52]},
                       "properties": {"id": "g-1", "name": "Fine", "width": 128, "height": 64, "district": "east", "timezone": "UTC"}},
                      {"type": "Feature", "geometry": {"type": "Point", "coordinates": [13.41, 52.52]},
                       "properties": {"id": "g-2", "name": "Too wide", "width": 9000, "height": 64, "district": "east", "timezone": "UTC"}}
                    ]}
                    """
                let response = try await api.send(.post, "/v1/displays/import", body: geojson, contentType: "application/geo+json")
                #expect(response.status == .unprocessableContent)
                let issue = try #require(response.apiError?.issues?.first)
                #expect(issue.row == 2)
                #expect(issue.field == "features[1].properties.width")
                #expect(try await fx.store.display(id: "g-1") == nil)
            }
        }
    }

    @Test func otherMediaTypesAreRefused() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let response = try await api.send(.post, "/v1/displays/import", body: "whatever", contentType: "application/octet-stream")
                #expect(response.status == .unsupportedMediaType)
                #expect(response.apiError?.code == "unsupported_media_type")
            }
        }
    }
}
