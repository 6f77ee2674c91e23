import Foundation
@testable import TentacleCore
import Testing

@Suite struct EntityMappingTests {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)
    static let display = Display(
        id: "d-1", name: "Main St", width: 192, height: 96, lat: 52.5, lon: 13.4, district: "north", poleId: "p-1", groups: ["bus-stops"],
        tags: ["aqi-sensor"], timezone: "Europe/Berlin", status: .online, lastSeen: t0, createdAt: t0, updatedAt: t0)
    static let air = Sensor(id: "aq-1", kind: .airQuality, metrics: ["pm25", "temp_c"], displayId: "d-1", poleId: "p-1", lat: 52.5, lon: 13.4, district: "north", createdAt: t0)
    static let weather = Sensor(id: "wx-1", kind: .weather, metrics: ["temp_c", "lux", "rain_mm"], displayId: nil, poleId: nil, lat: 52.0, lon: 13.0, district: "south", createdAt: t0)
    static let registry = EntityRegistry(displays: [display], sensors: [air, weather])
    static let ms = Reading.milliseconds(t0)

    static func json(_ entity: ContextEntity, _ format: EntityFormat) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(entity.json(format))) as? [String: Any])
    }

    @Test func everySourceFeedsTheEntitiesItsReadingsBelongTo() {
        #expect(Self.registry.entityId(source: "d-1", metric: "brightness_pct") == "urn:ngsi-ld:Display:d-1")
        #expect(Self.registry.entityId(source: "d-1", metric: "pm25") == "urn:ngsi-ld:AirQualityObserved:d-1")
        #expect(Self.registry.entityId(source: "d-1", metric: "temp_c") == "urn:ngsi-ld:WeatherObserved:d-1")
        #expect(Self.registry.entityId(source: "d-1", metric: "noise_dba") == "urn:ngsi-ld:NoiseLevelObserved:d-1")
        #expect(Self.registry.entityId(source: "aq-1", metric: "temp_c") == "urn:ngsi-ld:AirQualityObserved:aq-1", "an air station keeps its weather")
        #expect(Self.registry.entityId(source: "wx-1", metric: "lux") == "urn:ngsi-ld:WeatherObserved:wx-1")
        #expect(Self.registry.entityId(source: "wx-1", metric: "rain_mm") == "urn:ngsi-ld:DeviceMeasurement:wx-1:rain_mm")
        #expect(Self.registry.entityId(source: "wx-1", metric: "fps") == "urn:ngsi-ld:DeviceMeasurement:wx-1:fps", "panel metrics of a non-display")
        #expect(Self.registry.entityId(source: "stranger", metric: "pm25") == nil)
    }

    @Test func seriesMapEachEntityBackToItsSourceAndMetrics() {
        let s = Self.registry.series(of: "urn:ngsi-ld:AirQualityObserved:aq-1", known: ["pm25", "temp_c", "lux"])
        #expect(s?.source == "aq-1" && s?.metrics == ["pm25": "pm25", "temperature": "temp_c", "illuminance": "lux"])
        #expect(Self.registry.series(of: "urn:ngsi-ld:Display:d-1", known: ["fps", "pm25"])?.metrics == ["frameRate": "fps"])
        #expect(Self.registry.series(of: "urn:ngsi-ld:DeviceMeasurement:wx-1:rain_mm", known: [])?.metrics == ["numValue": "rain_mm"])
        #expect(Self.registry.series(of: "urn:ngsi-ld:DeviceMeasurement:wx-1:temp_c", known: []) == nil, "temp_c is on its WeatherObserved")
        for none in ["urn:ngsi-ld:Device:aq-1", "urn:ngsi-ld:Streetlight:p-1", "urn:ngsi-ld:Display:aq-1", "urn:ngsi-ld:AirQualityObserved:nobody", "urn:x:y", "urn:ngsi-ld:Bus:1"] {
            #expect(Self.registry.series(of: none, known: ["pm25"]) == nil, "\(none)")
        }
        #expect(EntityType.parse("urn:ngsi-ld:Display:") == nil && EntityType.parse("urn:ngsi-ld:Display") == nil)
        let parsed = EntityType.parse("urn:ngsi-ld:DeviceMeasurement:a:b")
        #expect(parsed?.type == "DeviceMeasurement" && parsed?.key == "a:b")
    }

    @Test func entitiesCarryValuesInTheModelsUnitsWithTimes() throws {
        let latest = ["pm25": ObservedValue(time: Self.ms + 60_000, value: 41), "temp_c": ObservedValue(time: Self.ms, value: 3.5)]
        let entities = Self.registry.entities(source: "aq-1", latest: latest, showing: nil)
        #expect(entities.map(\.id) == ["urn:ngsi-ld:AirQualityObserved:aq-1", "urn:ngsi-ld:Device:aq-1"])
        let aq = try Self.json(entities[0], .keyValues)
        #expect(aq["pm25"] as? Double == 41 && aq["temperature"] as? Double == 3.5)
        #expect(aq["dateObserved"] as? String == "2026-01-01T00:01:00Z", "the newest reading's time")
        #expect(aq["refDevice"] as? String == "urn:ngsi-ld:Device:aq-1" && aq["areaServed"] as? String == "north")
        let normalized = try Self.json(entities[0], .normalized)
        let temperature = try #require(normalized["temperature"] as? [String: Any])
        #expect(temperature["unitCode"] as? String == "CEL" && temperature["observedAt"] as? String == "2026-01-01T00:00:00Z")
        let device = try Self.json(entities[1], .keyValues)
        #expect(device["controlledProperty"] as? [String] == ["pm25", "temperature"])
        #expect(device["dateLastValueReported"] as? String == "2026-01-01T00:01:00Z")
        #expect(device["refDisplay"] as? String == "urn:ngsi-ld:Display:d-1" && device["refStreetlight"] as? String == "urn:ngsi-ld:Streetlight:p-1")

        // Humidity in percent becomes the model's fraction of one, exactly.
        let humid = Self.registry.entities(source: "wx-1", latest: ["humidity_pct": ObservedValue(time: Self.ms, value: 55)], showing: nil)
        #expect(try Self.json(try #require(humid.first { $0.type == "WeatherObserved" }), .keyValues)["relativeHumidity"] as? Double == 0.55)
        // A declared metric gives its entity before the first reading; a custom one is a DeviceMeasurement.
        let quiet = Self.registry.entities(source: "wx-1", latest: [:], showing: nil).map(\.id)
        #expect(quiet == ["urn:ngsi-ld:Device:wx-1", "urn:ngsi-ld:DeviceMeasurement:wx-1:rain_mm", "urn:ngsi-ld:WeatherObserved:wx-1"])
    }

    @Test func theDisplayModelAndItsPole() throws {
        let showing = DisplayShowing(kind: "alert", layoutId: nil, campaignId: nil, alertId: "cap-1", since: Self.ms)
        let display = try #require(Self.registry.entities(source: "d-1", latest: ["brightness_pct": ObservedValue(time: Self.ms, value: 70)], showing: showing).first)
        let kv = try Self.json(display, .keyValues)
        #expect(kv["type"] as? String == "Display" && kv["name"] as? String == "Main St" && kv["status"] as? String == "online")
        #expect((kv["resolution"] as? [String: Double]) == ["width": 192, "height": 96])
        #expect(kv["brightness"] as? Double == 70 && kv["groups"] as? [String] == ["bus-stops"] && kv["timezone"] as? String == "Europe/Berlin")
        #expect((kv["showing"] as? [String: String]) == ["kind": "alert", "alert": "cap-1"])
        #expect(kv["dateLastSeen"] as? String == "2026-01-01T00:00:00Z" && kv["description"] == nil)
        let pole = try #require(Self.registry.streetlight("p-1"))
        #expect(pole.attributes["refDevice"] == .relationship(["urn:ngsi-ld:Device:aq-1", "urn:ngsi-ld:Display:d-1"]))
        #expect(Self.registry.streetlight("nowhere") == nil)
        let all = Self.registry.entities(latest: [:]).map(\.type)
        #expect(all.filter { $0 == "Streetlight" }.count == 1 && all.filter { $0 == "Display" }.count == 1)
        #expect(Self.registry.entities(types: ["Streetlight"], latest: [:]).map(\.id) == ["urn:ngsi-ld:Streetlight:p-1"])
        #expect(Self.registry.entities(types: ["Device"], latest: [:]).map(\.id) == ["urn:ngsi-ld:Device:aq-1", "urn:ngsi-ld:Device:wx-1"])
    }

    @Test func jsonIsDeterministicAndEscaped() {
        let entity = ContextEntity(
            id: "urn:ngsi-ld:Display:x", type: "Display",
            attributes: ["name": .property(.string("a \"quoted\"\nname")), "b": .property(.object(["z": .null, "a": .bool(true)])), "location": .geo(lat: 1, lon: 2)])
        let text = String(decoding: entity.json(.keyValues, context: ["http://c"]), as: UTF8.self)
        #expect(text == #"{"id":"urn:ngsi-ld:Display:x","type":"Display","b":{"a":true,"z":null},"location":{"coordinates":[2,1],"type":"Point"},"name":"a \"quoted\"\nname","@context":["http://c"]}"#)
        #expect(String(decoding: ContextEntity.jsonArray([], .normalized, context: nil), as: UTF8.self) == "[]")
    }

    @Test func selectorsCombineTargetsAttributesQueriesAndPlaces() throws {
        let entities = Self.registry.entities(latest: ["aq-1": ["pm25": ObservedValue(time: Self.ms, value: 41)]])
        func ids(_ s: EntitySelector) -> [String] { entities.filter(s.matches).map(\.id) }
        #expect(ids(EntitySelector(targets: [.init(types: ["AirQualityObserved"])])) == ["urn:ngsi-ld:AirQualityObserved:aq-1"], "d-1 has no air readings")
        #expect(ids(EntitySelector(attributes: ["pm25"])) == ["urn:ngsi-ld:AirQualityObserved:aq-1"])
        #expect(ids(EntitySelector(query: try NGSIQuery.parse("status==\"online\""))) == ["urn:ngsi-ld:Display:d-1"])
        let near = try NGSIGeoQuery.parse(georel: "near;maxDistance==1000", geometry: "Point", coordinates: "[13.0,52.0]", geoproperty: nil)
        #expect(ids(EntitySelector(geo: near)) == ["urn:ngsi-ld:Device:wx-1", "urn:ngsi-ld:DeviceMeasurement:wx-1:rain_mm", "urn:ngsi-ld:WeatherObserved:wx-1"])
        let pattern = try IdPattern("urn:ngsi-ld:Device:.*")
        #expect(ids(EntitySelector(targets: [.init(idPattern: pattern)])).count == 2)
        #expect(!pattern.matches("xurn:ngsi-ld:Device:a"), "the whole id must match")
        #expect(throws: NGSIQueryError.self) { try IdPattern("(") }
        #expect(EntitySelector(targets: [.init(types: ["Display"]), .init(ids: ["x"])]).types == nil)
        #expect(EntitySelector(targets: [.init(types: ["Display"]), .init(types: ["Device"])]).types == ["Display", "Device"])
    }

    @Test func aggregationFoldsRollupsIntoPeriods() throws {
        func cell(_ v: Double, _ t: Int64) -> RollupCell { RollupCell(value: v, time: t) }
        let h = RollupTier.hour.width
        let points: [(bucketStart: Int64, cell: RollupCell)] = [(0, cell(10, 1)), (h, cell(20, h + 1)), (3 * h, cell(40, 3 * h + 1))]
        let twoHours = TemporalAggregation.fold(points, from: 0, tier: .hour, period: 2 * h)
        #expect(twoHours.map(\.start) == [0, 2 * h] && twoHours.map(\.end) == [2 * h, 4 * h])
        #expect(twoHours.map { TemporalAggregation.Method.avg.value($0.cell) } == [15, 40])
        #expect(twoHours.map { TemporalAggregation.Method.totalCount.value($0.cell) } == [2, 1])
        // Periods start at the bucket holding `from`.
        #expect(TemporalAggregation.fold(points, from: h + 5, tier: .hour, period: 2 * h).map(\.start) == [-h, h, 3 * h])
        #expect(try TemporalAggregation.tier(period: 2 * h) == .hour && (try TemporalAggregation.tier(period: 90_000 * 2)) == .minute)
        #expect(throws: NGSIQueryError.self) { try TemporalAggregation.tier(period: 30_000) }
        #expect(try TemporalAggregation.Method.parse("avg, max,avg") == [.avg, .max])
        for bad in ["stddev", "median", "", ","] {
            #expect(throws: NGSIQueryError.self, "\(bad)") { try TemporalAggregation.Method.parse(bad) }
        }
    }
}
