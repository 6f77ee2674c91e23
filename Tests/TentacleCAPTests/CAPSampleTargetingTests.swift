import Foundation
import TentacleCAP
import TentacleCore
import Testing

/// A display of a small test city built around a sample's area.
private struct Spot {
    var id: String
    var lat: Double
    var lon: Double
    var district = "elsewhere"

    var display: Display {
        Display(
            id: id, name: id, width: 192, height: 96, lat: lat, lon: lon, district: district, timezone: "UTC",
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0)
        )
    }
}

/// Metres north of `lat` as degrees of latitude on the haversine sphere.
private func north(_ metres: Double) -> Double {
    metres / (GeoCircle.earthRadiusMeters * .pi / 180)
}

@Suite struct CAPSampleTargetingTests {
    /// The ids the alert covers, checked to be the same through `covers` and through the candidates' targets.
    private func selected(_ name: String, _ city: [Spot], geocodes: GeocodeTable = GeocodeTable()) throws -> Set<String> {
        let alert = try CAP.parse(try CAPSamples.data(name))
        let byArea = Set(city.filter { alert.covers(lat: $0.lat, lon: $0.lon, district: $0.district, geocodes: geocodes) }.map(\.id))
        let candidates = alert.candidates(geocodes: geocodes)
        let byCandidate = Set(city.filter { spot in candidates.contains { $0.target.matches(spot.display) } }.map(\.id))
        #expect(byArea == byCandidate, "candidates disagree with the areas for \(name)")
        return byArea
    }

    @Test func kazakhstanPolygonSelectsInsideVertexAndEdge() throws {
        let city = [
            Spot(id: "vertex", lat: 49.245, lon: 82.599),
            Spot(id: "edge", lat: (49.245 + 49.266) / 2, lon: (82.599 + 82.382) / 2),
            Spot(id: "centre", lat: 48.8, lon: 82.6),
            Spot(id: "east", lat: 48.7, lon: 83.0),
            Spot(id: "south-west-notch", lat: 48.2, lon: 81.7),
            Spot(id: "north", lat: 50, lon: 82.6),
            Spot(id: "far-east", lat: 48.3, lon: 83.5),
            Spot(id: "west-notch", lat: 49.0, lon: 82.0),
            Spot(id: "district-by-geocode", lat: 43.2, lon: 76.9, district: "kokpekti"),
        ]
        #expect(try selected(CAPSamples.polygonKZ, city) == ["vertex", "edge", "centre", "east"])
        let table = GeocodeTable(["KZSTD": ["304": "kokpekti"]])
        #expect(try selected(CAPSamples.polygonKZ, city, geocodes: table) == ["vertex", "edge", "centre", "east", "district-by-geocode"])
    }

    @Test func taiwanCircleSelectsWithinHalfAKilometre() throws {
        let lat = 23.8262083333333, lon = 120.185488888889
        let city = [
            Spot(id: "centre", lat: lat, lon: lon),
            Spot(id: "499m", lat: lat + north(499), lon: lon),
            Spot(id: "501m", lat: lat + north(501), lon: lon),
            Spot(id: "2km", lat: lat - north(2000), lon: lon),
        ]
        #expect(try selected(CAPSamples.circleTW, city) == ["centre", "499m"])
    }

    @Test func irelandGeocodesSelectMappedDistricts() throws {
        let city = [
            Spot(id: "howth", lat: 53.38, lon: -6.07, district: "howth"),
            Spot(id: "strangford", lat: 54.37, lon: -5.55, district: "strangford"),
            Spot(id: "galway", lat: 53.27, lon: -9.05, district: "galway"),
        ]
        #expect(try selected(CAPSamples.geocodeIE, city).isEmpty)
        let table = GeocodeTable(["EMMA_ID": ["EI807": "howth", "EI806": "strangford", "EI999": "galway"]])
        #expect(try selected(CAPSamples.geocodeIE, city, geocodes: table) == ["howth", "strangford"])
    }

    @Test func zeroRadiusCircleSelectsOnlyItsCentre() throws {
        let city = [
            Spot(id: "epicentre", lat: 32.9525, lon: -115.5527),
            Spot(id: "a-metre-off", lat: 32.9525 + north(1), lon: -115.5527),
        ]
        #expect(try selected(CAPSamples.updateAppendix, city) == ["epicentre"])
    }

    @Test func cancelSelectsNothing() throws {
        let city = [Spot(id: "anywhere", lat: 39.16, lon: -119.77)]
        #expect(try selected(CAPSamples.cancelIPAWS, city).isEmpty)
    }

    @Test func macaoPolygonSelectsInsideVertexAndEdge() throws {
        let city = [
            Spot(id: "vertex", lat: 22.0766, lon: 113.5709),
            Spot(id: "south-edge", lat: 22.0766, lon: 113.59),
            Spot(id: "taipa", lat: 22.15, lon: 113.58),
            Spot(id: "peninsula", lat: 22.19, lon: 113.545),
            Spot(id: "just-south", lat: 22.0765, lon: 113.59),
            Spot(id: "hengqin-west", lat: 22.12, lon: 113.52),
            Spot(id: "zhuhai-north", lat: 22.25, lon: 113.55),
        ]
        #expect(try selected(CAPSamples.multilingualMO, city) == ["vertex", "south-edge", "taipa", "peninsula"])
    }
}
