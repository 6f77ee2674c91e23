public import Foundation

/// A sensor on a pole or a display: what it measures and where. Its id is the `source` of its readings.
public struct Sensor: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        case airQuality = "air-quality", noise, weather, light, panel, other
    }

    public var id: String
    public var kind: Kind
    public var metrics: [String]
    /// The display it is mounted on, if any; its location and district are the display's.
    public var displayId: String?
    public var poleId: String?
    public var lat: Double
    public var lon: Double
    public var district: String
    public var createdAt: Date

    public init(
        id: String, kind: Kind, metrics: [String], displayId: String?, poleId: String?, lat: Double, lon: Double, district: String,
        createdAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.metrics = metrics
        self.displayId = displayId
        self.poleId = poleId
        self.lat = lat
        self.lon = lon
        self.district = district
        self.createdAt = createdAt
    }
}

/// What a user sends to register a sensor: on a display (location from it) or at a place in a district.
public struct SensorInput: Codable, Hashable, Sendable {
    public var id: String?
    public var kind: String?
    public var metrics: [String]?
    public var displayId: String?
    public var poleId: String?
    public var lat: Double?
    public var lon: Double?
    public var district: String?

    public static let fieldNames: Set<String> = ["id", "kind", "metrics", "displayId", "poleId", "lat", "lon", "district"]

    public init(
        id: String? = nil, kind: String? = nil, metrics: [String]? = nil, displayId: String? = nil, poleId: String? = nil,
        lat: Double? = nil, lon: Double? = nil, district: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.metrics = metrics
        self.displayId = displayId
        self.poleId = poleId
        self.lat = lat
        self.lon = lon
        self.district = district
    }

    /// Every problem with the fields that can be checked without the registry; `catalogue` names the known metrics.
    public func issues(catalogue: MetricCatalogue) -> [FieldIssue] {
        var c = IssueCollector()
        if let id, !Identifier.isValid(id) { c.add("id", "'\(id.prefix(80))' is not a valid sensor id: \(Identifier.rule)") }
        if id == nil { c.add("id", "is required") }
        if let kind {
            if Sensor.Kind(rawValue: kind) == nil {
                c.add("kind", "must be one of \(Sensor.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        } else {
            c.add("kind", "is required")
        }
        switch metrics {
        case nil, []?: c.add("metrics", "name at least one metric")
        case let list?:
            for (i, name) in list.enumerated() where catalogue[name] == nil { c.add("metrics[\(i)]", "'\(name.prefix(40))' is not in the metric catalogue") }
            if Set(list).count != list.count { c.add("metrics", "names a metric twice") }
        }
        if let poleId, poleId.isEmpty || poleId.count > 64 { c.add("poleId", "must be 1-64 characters") }
        if displayId == nil {
            if let lat { if !(-90...90).contains(lat) { c.add("lat", "must be -90...90") } } else { c.add("lat", "is required without displayId") }
            if let lon { if !(-180...180).contains(lon) { c.add("lon", "must be -180...180") } } else { c.add("lon", "is required without displayId") }
            if district == nil { c.add("district", "is required without displayId") }
        } else if lat != nil || lon != nil || district != nil {
            c.add("displayId", "a sensor on a display takes the display's location; leave out lat, lon and district")
        }
        return c.issues
    }
}
