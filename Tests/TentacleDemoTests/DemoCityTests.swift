import Testing
import TentacleCore
@testable import TentacleDemo

private let seeds: [UInt64] = [1, 2, 42, .max]

@Suite struct DemoCityTests {
    @Test func cityIsBigEnough() {
        let city = DemoCity.make()
        #expect(city.displays.count >= 300)
        #expect(city.districts.count >= 6)
        #expect(Set(city.groups.map(\.code)).isSuperset(of: ["bus-stops", "light-poles", "roadside-boards"]))
        #expect(city.timezone == "Asia/Shanghai")
    }

    @Test(arguments: seeds)
    func everyDisplayIsValidAndReferencesExistingCodes(_ seed: UInt64) {
        let city = DemoCity.make(seed: seed)
        let districts = Set(city.districts.map(\.code))
        let groups = Set(city.groups.map(\.code))
        for display in city.displays {
            #expect(DisplayRules.issues(in: display, creating: true).isEmpty, "\(display.id ?? "?")")
            #expect(display.id != nil)
            #expect(districts.contains(display.district ?? ""))
            #expect(Set(display.groups ?? []).isSubset(of: groups))
            #expect(display.timezone == city.timezone)
        }
    }

    @Test func districtsAndGroupsAreValid() {
        let city = DemoCity.make()
        for district in city.districts {
            #expect(district.issues().isEmpty, "\(district.code)")
            #expect(district.boundary != nil)
        }
        for group in city.groups {
            #expect(group.issues().isEmpty, "\(group.code)")
        }
        #expect(Set(city.districts.map(\.code)).count == city.districts.count)
        #expect(Set(city.groups.map(\.code)).count == city.groups.count)
    }

    @Test func idsAndPoleIdsAreUnique() {
        let displays = DemoCity.make().displays
        #expect(Set(displays.compactMap(\.id)).count == displays.count)
        #expect(Set(displays.compactMap(\.poleId)).count == displays.count)
    }

    @Test(arguments: seeds)
    func everyDisplayIsInsideItsOwnDistrictOnly(_ seed: UInt64) throws {
        let city = DemoCity.make(seed: seed)
        for display in city.displays {
            let lat = try #require(display.lat), lon = try #require(display.lon)
            let containing = city.districts.filter { $0.boundary?.contains(lat: lat, lon: lon) == true }.map(\.code)
            #expect(containing == [display.district], "\(display.id ?? "?") at \(lat),\(lon)")
        }
    }

    @Test(arguments: seeds)
    func districtsTileTheCityWithoutOverlapsOrGaps(_ seed: UInt64) throws {
        let city = DemoCity.make(seed: seed)
        let boundaries = city.districts.compactMap(\.boundary)
        for boundary in boundaries {
            #expect(boundary.issues(field: "boundary").isEmpty)
            let ring = try #require(boundary.polygons.first?.first)
            #expect(ring.first == ring.last)
        }
        let boxes = boundaries.compactMap(\.boundingBox)
        let minLat = try #require(boxes.map(\.minLat).min()), maxLat = try #require(boxes.map(\.maxLat).max())
        let minLon = try #require(boxes.map(\.minLon).min()), maxLon = try #require(boxes.map(\.maxLon).max())
        // Outer corners move inward by at most 0.15 of a cell and outward by as much, so a margin
        // of 0.35 cells (0.0105° lat, 0.0123° lon) is surely inside the city.
        let inner = BoundingBox(minLat: minLat + 0.0105, minLon: minLon + 0.0123, maxLat: maxLat - 0.0105, maxLon: maxLon - 0.0123)
        let steps = 60
        for i in 0...steps {
            for j in 0...steps {
                // Irrational-looking offsets keep samples off shared edges, where a point is in both.
                let lat = minLat + (maxLat - minLat) * (Double(i) + 0.137) / Double(steps + 1)
                let lon = minLon + (maxLon - minLon) * (Double(j) + 0.291) / Double(steps + 1)
                let count = boundaries.filter { $0.contains(lat: lat, lon: lon) }.count
                #expect(count <= 1, "\(lat),\(lon) lies in \(count) districts")
                if inner.contains(lat: lat, lon: lon) {
                    #expect(count == 1, "\(lat),\(lon) lies in no district")
                }
            }
        }
    }

    @Test func neighbouringDistrictsShareTheirEdge() throws {
        let city = DemoCity.make()
        let oldTown = try #require(city.districts.first { $0.code == "old-town" }?.boundary?.polygons.first?.first)
        let north = try #require(city.districts.first { $0.code == "north" }?.boundary?.polygons.first?.first)
        #expect(Set(oldTown).intersection(north).count == 3)
    }

    @Test func sameSeedGivesTheSameCity() {
        #expect(DemoCity.make(seed: 7) == DemoCity.make(seed: 7))
        #expect(DemoCity.make() == DemoCity.make(seed: 1))
    }

    @Test func otherSeedMovesThingsButKeepsIds() {
        let a = DemoCity.make(seed: 1), b = DemoCity.make(seed: 2)
        #expect(a != b)
        #expect(a.displays.map(\.id) == b.displays.map(\.id))
        #expect(a.districts.map(\.code) == b.districts.map(\.code))
    }

    @Test func documentedExamplesExist() throws {
        let displays = DemoCity.make().displays
        let bus = try #require(displays.first { $0.id == "old-town-bus-001" })
        #expect(bus.district == "old-town")
        #expect(bus.groups == ["bus-stops"])
        let pole = try #require(displays.first { $0.id == "harbor-pole-012" })
        #expect(pole.name?.hasSuffix(" light pole 12") == true)
        #expect(pole.poleId?.hasPrefix("P-HB-") == true)
    }

    @Test func sizesAreTypicalForEachGroup() {
        let typical: [String: Set<[Int]>] = [
            "light-poles": [[64, 32], [96, 48], [128, 64]],
            "bus-stops": [[128, 64], [192, 96]],
            "roadside-boards": [[256, 128], [384, 192]],
            "metro-entrances": [[256, 64], [192, 48]],
        ]
        for display in DemoCity.make().displays {
            let size = [display.width ?? 0, display.height ?? 0]
            let group = display.groups?.first ?? ""
            #expect(typical[group]?.contains(size) == true, "\(display.id ?? "?") is \(size) in \(group)")
        }
    }

    @Test func everyGroupAndDistrictIsUsed() {
        let city = DemoCity.make()
        let counts = Dictionary(grouping: city.displays, by: { $0.district ?? "" }).mapValues(\.count)
        #expect(Set(counts.keys) == Set(city.districts.map(\.code)))
        #expect(Set(city.displays.flatMap { $0.groups ?? [] }) == Set(city.groups.map(\.code)))
    }

    @Test func namesFollowStreetKindNumber() {
        for display in DemoCity.make().displays {
            let name = display.name ?? ""
            let kinds = ["light pole", "bus stop", "roadside board", "metro entrance"]
            #expect(kinds.contains { name.contains(" \($0) ") }, "\(name)")
            #expect(name.last?.isNumber == true)
        }
    }

    @Test func tagsComeFromTheSensorAndLinkVocabulary() {
        let vocabulary: Set = ["solar", "aqi-sensor", "noise-sensor", "weather-station", "4g", "fiber"]
        for display in DemoCity.make().displays {
            let tags = Set(display.tags ?? [])
            #expect(tags.isSubset(of: vocabulary))
            #expect(tags.contains("4g") != tags.contains("fiber"), "exactly one uplink")
        }
    }
}
