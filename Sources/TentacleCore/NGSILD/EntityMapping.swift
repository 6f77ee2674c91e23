/// The latest value of one series.
public struct ObservedValue: Hashable, Sendable {
    public var time: Int64
    public var value: Double

    public init(time: Int64, value: Double) {
        self.time = time
        self.value = value
    }
}

/// What a display showed last, as it reported it (proof of play).
public struct DisplayShowing: Hashable, Sendable {
    public var kind: String
    public var layoutId: String?
    public var campaignId: String?
    public var alertId: String?
    public var since: Int64

    public init(kind: String, layoutId: String?, campaignId: String?, alertId: String?, since: Int64) {
        self.kind = kind
        self.layoutId = layoutId
        self.campaignId = campaignId
        self.alertId = alertId
        self.since = since
    }
}

/// How a Tentacle metric appears in NGSI-LD: the entity type that carries it, the attribute name
/// the Smart Data Models give it, its UN/CEFACT unit code and the factor from Tentacle's unit.
public struct AttributeMapping: Hashable, Sendable {
    /// Which entity of a source carries the attribute.
    public enum Carrier: String, Hashable, Sendable {
        case airQuality = "AirQualityObserved", noise = "NoiseLevelObserved", weather = "WeatherObserved"
        /// The `Display` entity when the source is a display, else one `DeviceMeasurement` per metric.
        case panel = "Display"
        /// One `DeviceMeasurement` per metric.
        case measurement = "DeviceMeasurement"
    }

    public var metric: String
    public var attribute: String
    public var carrier: Carrier
    public var unitCode: String?
    /// NGSI-LD value = Tentacle value ÷ divisor (a division, so 55 % is exactly 0.55).
    public var divisor: Double

    public init(metric: String, attribute: String, carrier: Carrier, unitCode: String?, divisor: Double = 1) {
        self.metric = metric
        self.attribute = attribute
        self.carrier = carrier
        self.unitCode = unitCode
        self.divisor = divisor
    }

    /// The metrics of Tentacle's built-in catalogue; any other metric is a `DeviceMeasurement`.
    public static let known: [AttributeMapping] = [
        AttributeMapping(metric: "pm25", attribute: "pm25", carrier: .airQuality, unitCode: "GQ"),
        AttributeMapping(metric: "pm10", attribute: "pm10", carrier: .airQuality, unitCode: "GQ"),
        AttributeMapping(metric: "no2", attribute: "no2", carrier: .airQuality, unitCode: "GQ"),
        AttributeMapping(metric: "o3", attribute: "o3", carrier: .airQuality, unitCode: "GQ"),
        AttributeMapping(metric: "noise_dba", attribute: "LAeq", carrier: .noise, unitCode: "2N"),
        AttributeMapping(metric: "temp_c", attribute: "temperature", carrier: .weather, unitCode: "CEL"),
        // The Smart Data Models give relative humidity as a fraction of one.
        AttributeMapping(metric: "humidity_pct", attribute: "relativeHumidity", carrier: .weather, unitCode: "C62", divisor: 100),
        AttributeMapping(metric: "pressure_hpa", attribute: "atmosphericPressure", carrier: .weather, unitCode: "A97"),
        AttributeMapping(metric: "wind_ms", attribute: "windSpeed", carrier: .weather, unitCode: "MTS"),
        AttributeMapping(metric: "lux", attribute: "illuminance", carrier: .weather, unitCode: "LUX"),
        AttributeMapping(metric: "panel_temp_c", attribute: "panelTemperature", carrier: .panel, unitCode: "CEL"),
        AttributeMapping(metric: "supply_v", attribute: "supplyVoltage", carrier: .panel, unitCode: "VLT"),
        AttributeMapping(metric: "fps", attribute: "frameRate", carrier: .panel, unitCode: nil),
        AttributeMapping(metric: "brightness_pct", attribute: "brightness", carrier: .panel, unitCode: "P1"),
    ]

    static let byMetric = Dictionary(uniqueKeysWithValues: known.map { ($0.metric, $0) })

    /// The mapping of `metric`; an unknown metric is a `DeviceMeasurement`'s `numValue`.
    public static func of(_ metric: String) -> AttributeMapping {
        byMetric[metric] ?? AttributeMapping(metric: metric, attribute: "numValue", carrier: .measurement, unitCode: nil)
    }
}

/// Entity types Tentacle serves, in the order `/types` lists them.
public enum EntityType {
    public static let all = ["AirQualityObserved", "Device", "DeviceMeasurement", "Display", "NoiseLevelObserved", "Streetlight", "WeatherObserved"]

    /// `urn:ngsi-ld:<type>:<key>`.
    public static func id(_ type: String, _ key: String) -> String { "urn:ngsi-ld:\(type):\(key)" }

    /// The type and key of an id Tentacle gives out, or nil.
    public static func parse(_ id: String) -> (type: String, key: String)? {
        let prefix = "urn:ngsi-ld:"
        guard id.hasPrefix(prefix) else { return nil }
        let rest = id.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let type = String(rest[..<colon]), key = String(rest[rest.index(after: colon)...])
        guard all.contains(type), !key.isEmpty else { return nil }
        return (type, key)
    }
}

/// Tentacle's displays and sensors as NGSI-LD entities.
///
/// - A display is a `Display` (Tentacle's own model; no Smart Data Model describes a street
///   display), carrying its panel health readings.
/// - A registered sensor is a `Device`.
/// - A source's air readings are an `AirQualityObserved`, its noise a `NoiseLevelObserved`, its
///   weather and light a `WeatherObserved` (an air-quality sensor's weather readings stay on its
///   `AirQualityObserved`); any other metric a `DeviceMeasurement`.
/// - A pole that carries displays or sensors is a `Streetlight`.
public struct EntityRegistry: Sendable {
    public let displays: [String: Display]
    public let sensors: [String: Sensor]
    /// Pole id → the entity ids of the displays and devices on it, sorted.
    public let poles: [String: [String]]

    public init(displays: [Display], sensors: [Sensor]) {
        self.displays = Dictionary(displays.map { ($0.id, $0) }) { first, _ in first }
        self.sensors = Dictionary(sensors.map { ($0.id, $0) }) { first, _ in first }
        var poles: [String: [String]] = [:]
        for d in displays { if let pole = d.poleId { poles[pole, default: []].append(EntityType.id("Display", d.id)) } }
        for s in sensors { if let pole = s.poleId { poles[pole, default: []].append(EntityType.id("Device", s.id)) } }
        self.poles = poles.mapValues { $0.sorted() }
    }

    /// Where a source is and which district it is in: the display's, or the registered sensor's.
    public func place(of source: String) -> (lat: Double, lon: Double, district: String)? {
        if let d = displays[source] { return (d.lat, d.lon, d.district) }
        if let s = sensors[source] { return (s.lat, s.lon, s.district) }
        return nil
    }

    /// The entity whose attribute a reading of `metric` by `source` sets; nil for a source that is
    /// neither a display nor a registered sensor.
    public func entityId(source: String, metric: String) -> String? {
        guard place(of: source) != nil else { return nil }
        let mapping = AttributeMapping.of(metric)
        switch mapping.carrier {
        // An air-quality station's temperature and humidity are part of its observation, as the model has them.
        case .weather where sensors[source]?.kind == .airQuality: return EntityType.id(AttributeMapping.Carrier.airQuality.rawValue, source)
        case .airQuality, .noise, .weather: return EntityType.id(mapping.carrier.rawValue, source)
        case .panel where displays[source] != nil: return EntityType.id("Display", source)
        case .panel, .measurement: return EntityType.id("DeviceMeasurement", "\(source):\(metric)")
        }
    }

    /// The source and the attribute → metric map behind an entity's readings, for temporal
    /// queries; nil for an entity without readings (`Device`, `Streetlight`) or one that does not exist.
    public func series(of entityId: String, known metrics: [String]) -> (source: String, metrics: [String: String])? {
        guard let (type, key) = EntityType.parse(entityId) else { return nil }
        var source = key
        if type == "DeviceMeasurement" {
            guard let colon = key.lastIndex(of: ":") else { return nil }
            source = String(key[..<colon])
            let metric = String(key[key.index(after: colon)...])
            guard place(of: source) != nil, entityId == self.entityId(source: source, metric: metric) else { return nil }
            return (source, ["numValue": metric])
        }
        guard place(of: source) != nil, type != "Device", type != "Streetlight" else { return nil }
        if type == "Display" && displays[source] == nil { return nil }
        var map: [String: String] = [:]
        for metric in metrics where self.entityId(source: source, metric: metric) == entityId {
            map[AttributeMapping.of(metric).attribute] = metric
        }
        return (source, map)
    }

    /// Every entity of `types` (all when nil), in id order.
    public func entities(
        types: Set<String>? = nil, latest: [String: [String: ObservedValue]], showing: [String: DisplayShowing] = [:]
    ) -> [ContextEntity] {
        var all: [ContextEntity] = []
        all.reserveCapacity(displays.count * 2 + sensors.count * 2 + poles.count)
        let fed = types.map { !$0.isSubset(of: ["Streetlight"]) } ?? true
        if fed {
            for id in displays.keys { all += entities(source: id, latest: latest[id] ?? [:], showing: showing[id], types: types) }
            for id in sensors.keys where displays[id] == nil { all += entities(source: id, latest: latest[id] ?? [:], showing: nil, types: types) }
        }
        if types?.contains("Streetlight") ?? true {
            for pole in poles.keys { if let light = streetlight(pole) { all.append(light) } }
        }
        all.sort { $0.id < $1.id }
        return all
    }

    /// The entities a source's readings feed: its `Display` or `Device`, and one observed entity
    /// per kind of reading it makes (a sensor's observed entities exist from the metrics it
    /// declares, before its first reading).
    /// Only entities of `types`, when given.
    public func entities(source: String, latest: [String: ObservedValue], showing: DisplayShowing?, types: Set<String>? = nil) -> [ContextEntity] {
        guard let place = place(of: source) else { return [] }
        var byId: [String: ContextEntity] = [:]
        let refDevice: String
        if let display = displays[source] {
            refDevice = EntityType.id("Display", source)
            if types?.contains("Display") ?? true { byId[refDevice] = Self.display(display, showing: showing) }
        } else {
            let sensor = sensors[source]!
            refDevice = EntityType.id("Device", source)
            if types?.contains("Device") ?? true { byId[refDevice] = Self.device(sensor, latest: latest) }
        }
        let declared = sensors[source]?.metrics ?? []
        for metric in Set(declared).union(latest.keys).sorted() {
            guard let id = entityId(source: source, metric: metric) else { continue }
            if let types, byId[id] == nil, let (type, _) = EntityType.parse(id), !types.contains(type) { continue }
            let mapping = AttributeMapping.of(metric)
            var entity = byId[id] ?? Self.observed(id: id, mapping: mapping, place: place, refDevice: refDevice)
            if let value = latest[metric] {
                entity.attributes[mapping.attribute] = .property(.number(value.value / mapping.divisor), observedAt: value.time, unitCode: mapping.unitCode)
                if entity.type != "Display", let text = ReadingTime.format(value.time), (entity.observedAt ?? .min) <= value.time {
                    entity.attributes["dateObserved"] = .property(.string(text))
                }
            }
            byId[id] = entity
        }
        return byId.values.sorted { $0.id < $1.id }
    }

    /// The `Streetlight` of a pole.
    public func streetlight(_ pole: String) -> ContextEntity? {
        guard let members = poles[pole], let first = members.first, let (_, key) = EntityType.parse(first), let place = place(of: key) else { return nil }
        return ContextEntity(
            id: EntityType.id("Streetlight", pole), type: "Streetlight",
            attributes: [
                "name": .property(.string(pole)), "location": .geo(lat: place.lat, lon: place.lon),
                "areaServed": .property(.string(place.district)), "refDevice": .relationship(members),
            ],
            district: place.district)
    }

    static func display(_ d: Display, showing: DisplayShowing?) -> ContextEntity {
        var a: [String: ContextAttribute] = [
            "name": .property(.string(d.name)),
            "location": .geo(lat: d.lat, lon: d.lon),
            "areaServed": .property(.string(d.district)),
            "resolution": .property(.object(["width": .number(Double(d.width)), "height": .number(Double(d.height))])),
            "status": .property(.string(d.status.rawValue)),
            "timezone": .property(.string(d.timezone)),
        ]
        if !d.notes.isEmpty { a["description"] = .property(.string(d.notes)) }
        if !d.groups.isEmpty { a["groups"] = .property(.array(d.groups.map { .string($0) })) }
        if !d.tags.isEmpty { a["tags"] = .property(.array(d.tags.map { .string($0) })) }
        if let pole = d.poleId { a["refStreetlight"] = .relationship([EntityType.id("Streetlight", pole)]) }
        if let seen = d.lastSeen, let text = ReadingTime.format(Reading.milliseconds(seen)) { a["dateLastSeen"] = .property(.string(text)) }
        if let text = ReadingTime.format(Reading.milliseconds(d.createdAt)) { a["dateCreated"] = .property(.string(text)) }
        if let text = ReadingTime.format(Reading.milliseconds(d.updatedAt)) { a["dateModified"] = .property(.string(text)) }
        if let s = showing {
            var shown: [String: NGSIValue] = ["kind": .string(s.kind)]
            if let v = s.layoutId { shown["layout"] = .string(v) }
            if let v = s.campaignId { shown["campaign"] = .string(v) }
            if let v = s.alertId { shown["alert"] = .string(v) }
            a["showing"] = .property(.object(shown), observedAt: s.since)
        }
        return ContextEntity(id: EntityType.id("Display", d.id), type: "Display", attributes: a, district: d.district)
    }

    static func device(_ s: Sensor, latest: [String: ObservedValue]) -> ContextEntity {
        var a: [String: ContextAttribute] = [
            "name": .property(.string(s.id)),
            "deviceCategory": .property(.array([.string("sensor")])),
            "controlledProperty": .property(.array(s.metrics.map { m in .string(AttributeMapping.byMetric[m]?.attribute ?? m) })),
            "location": .geo(lat: s.lat, lon: s.lon),
            "areaServed": .property(.string(s.district)),
            "category": .property(.string(s.kind.rawValue)),
        ]
        if let text = ReadingTime.format(Reading.milliseconds(s.createdAt)) { a["dateInstalled"] = .property(.string(text)) }
        if let last = latest.values.map(\.time).max(), let text = ReadingTime.format(last) { a["dateLastValueReported"] = .property(.string(text)) }
        if let pole = s.poleId { a["refStreetlight"] = .relationship([EntityType.id("Streetlight", pole)]) }
        if let display = s.displayId { a["refDisplay"] = .relationship([EntityType.id("Display", display)]) }
        return ContextEntity(id: EntityType.id("Device", s.id), type: "Device", attributes: a, district: s.district)
    }

    static func observed(id: String, mapping: AttributeMapping, place: (lat: Double, lon: Double, district: String), refDevice: String) -> ContextEntity {
        let type = EntityType.parse(id)!.type
        var a: [String: ContextAttribute] = [
            "location": .geo(lat: place.lat, lon: place.lon),
            "areaServed": .property(.string(place.district)),
            "refDevice": .relationship([refDevice]),
        ]
        if type == "DeviceMeasurement" {
            a["controlledProperty"] = .property(.string(mapping.metric))
            a["measurementType"] = .property(.string(mapping.metric))
        }
        return ContextEntity(id: id, type: type, attributes: a, district: place.district)
    }
}
