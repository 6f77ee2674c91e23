public import Foundation

/// Whether a display is talking to the server and healthy.
public enum DisplayStatus: String, Codable, Sendable, CaseIterable {
    case online, offline, degraded
}

/// An LED display on a pole, roadside or bus stop.
public struct Display: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    /// Panel resolution in pixels.
    public var width: Int
    public var height: Int
    /// WGS84 location.
    public var lat: Double
    public var lon: Double
    public var district: String
    public var poleId: String?
    public var groups: [String]
    public var tags: [String]
    /// IANA timezone the display's schedules are read in.
    public var timezone: String
    public var notes: String
    public var status: DisplayStatus
    public var lastSeen: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, name: String, width: Int, height: Int, lat: Double, lon: Double,
        district: String, poleId: String? = nil, groups: [String] = [], tags: [String] = [],
        timezone: String, notes: String = "", status: DisplayStatus = .offline,
        lastSeen: Date? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.width = width
        self.height = height
        self.lat = lat
        self.lon = lon
        self.district = district
        self.poleId = poleId
        self.groups = groups
        self.tags = tags
        self.timezone = timezone
        self.notes = notes
        self.status = status
        self.lastSeen = lastSeen
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The fields a user sends to create or change a display; absent fields are nil.
///
/// On create every required field must be present; on update only the present fields change.
public struct DisplayInput: Codable, Hashable, Sendable {
    public var id: String?
    public var name: String?
    public var width: Int?
    public var height: Int?
    public var lat: Double?
    public var lon: Double?
    public var district: String?
    public var poleId: String?
    public var groups: [String]?
    public var tags: [String]?
    public var timezone: String?
    public var notes: String?

    public static let fieldNames: Set<String> = [
        "id", "name", "width", "height", "lat", "lon", "district", "poleId", "groups", "tags", "timezone", "notes",
    ]

    /// The names of the fields this input sets, in a fixed order (for audit summaries).
    public var presentFields: [String] {
        let set: [(String, Bool)] = [
            ("id", id != nil), ("name", name != nil), ("width", width != nil), ("height", height != nil),
            ("lat", lat != nil), ("lon", lon != nil), ("district", district != nil), ("poleId", poleId != nil),
            ("groups", groups != nil), ("tags", tags != nil), ("timezone", timezone != nil), ("notes", notes != nil),
        ]
        return set.filter(\.1).map(\.0)
    }

    public init(
        id: String? = nil, name: String? = nil, width: Int? = nil, height: Int? = nil,
        lat: Double? = nil, lon: Double? = nil, district: String? = nil, poleId: String? = nil,
        groups: [String]? = nil, tags: [String]? = nil, timezone: String? = nil, notes: String? = nil
    ) {
        self.id = id
        self.name = name
        self.width = width
        self.height = height
        self.lat = lat
        self.lon = lon
        self.district = district
        self.poleId = poleId
        self.groups = groups
        self.tags = tags
        self.timezone = timezone
        self.notes = notes
    }
}

/// The limits every display field is checked against.
public enum DisplayRules {
    /// Panel sizes in pixels, up to a 4K UHD video wall (3840×2160): the largest frame the renderer draws,
    /// so every registered display gets frames of its own size.
    public static let widthRange = 8...3840
    public static let heightRange = 8...2160
    public static let maxNameLength = 120
    public static let maxNotesLength = 2000
    public static let maxPoleIdLength = 64
    public static let maxTags = 32
    public static let maxGroups = 32

    /// Every issue with `input`; `creating` requires the fields a new display needs.
    public static func issues(in input: DisplayInput, creating: Bool, row: Int? = nil) -> [FieldIssue] {
        var c = IssueCollector(row: row)
        func required<T>(_ value: T?, _ field: String) {
            if creating && value == nil { c.add(field, "is required") }
        }
        required(input.name, "name")
        required(input.width, "width")
        required(input.height, "height")
        required(input.lat, "lat")
        required(input.lon, "lon")
        required(input.district, "district")
        required(input.timezone, "timezone")

        if let id = input.id, !Identifier.isValid(id) {
            c.add("id", "'\(id.prefix(80))' is not a valid id: \(Identifier.rule)")
        }
        if let name = input.name {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                c.add("name", "must not be empty")
            } else if name.count > maxNameLength {
                c.add("name", "is \(name.count) characters long; at most \(maxNameLength) allowed")
            } else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                c.add("name", "must not contain control characters")
            }
        }
        for (field, value, range) in [("width", input.width, widthRange), ("height", input.height, heightRange)] {
            if let v = value, !range.contains(v) {
                c.add(field, "\(v) is out of range \(range.lowerBound)...\(range.upperBound) pixels")
            }
        }
        if let lat = input.lat, !(lat.isFinite && (-90...90).contains(lat)) {
            c.add("lat", "\(lat) is out of range -90...90")
        }
        if let lon = input.lon, !(lon.isFinite && (-180...180).contains(lon)) {
            c.add("lon", "\(lon) is out of range -180...180")
        }
        if let district = input.district, !Identifier.isValid(district, maxLength: 32) {
            c.add("district", "'\(district.prefix(80))' is not a valid district code: use 1-32 lowercase letters, digits, '-' or '_', starting with a letter or digit")
        }
        if let pole = input.poleId {
            if pole.isEmpty || pole.utf8.count > maxPoleIdLength
                || pole.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            {
                c.add("poleId", "must be 1-\(maxPoleIdLength) printable characters")
            }
        }
        if let groups = input.groups {
            if groups.count > maxGroups { c.add("groups", "at most \(maxGroups) groups allowed") }
            for (i, g) in groups.enumerated() where !Identifier.isValid(g) {
                c.add("groups[\(i)]", "'\(g.prefix(80))' is not a valid group code: \(Identifier.rule)")
            }
            if Set(groups).count != groups.count { c.add("groups", "lists a group twice") }
        }
        if let tags = input.tags {
            if tags.count > maxTags { c.add("tags", "at most \(maxTags) tags allowed") }
            for (i, t) in tags.enumerated() where !Identifier.isValid(t, maxLength: 32) {
                c.add("tags[\(i)]", "'\(t.prefix(80))' is not a valid tag: use 1-32 lowercase letters, digits, '-' or '_'")
            }
        }
        if let tz = input.timezone, !TimeZones.isKnown(tz) {
            c.add("timezone", "'\(tz.prefix(80))' is not an IANA timezone in the tz database (e.g. Europe/Berlin)")
        }
        if let notes = input.notes, notes.count > maxNotesLength {
            c.add("notes", "is \(notes.count) characters long; at most \(maxNotesLength) allowed")
        }
        return c.issues
    }
}

extension Display {
    /// A new display from a complete, already validated input.
    public init(creating input: DisplayInput, id: String, at now: Date) {
        self.init(
            id: id, name: input.name ?? "", width: input.width ?? 0, height: input.height ?? 0,
            lat: input.lat ?? 0, lon: input.lon ?? 0, district: input.district ?? "",
            poleId: input.poleId, groups: input.groups ?? [], tags: Self.normalizedTags(input.tags ?? []),
            timezone: input.timezone ?? "UTC", notes: input.notes ?? "",
            createdAt: now, updatedAt: now
        )
    }

    /// This display with the present fields of an already validated input applied.
    public func applying(_ input: DisplayInput, at now: Date) -> Display {
        var d = self
        if let v = input.name { d.name = v }
        if let v = input.width { d.width = v }
        if let v = input.height { d.height = v }
        if let v = input.lat { d.lat = v }
        if let v = input.lon { d.lon = v }
        if let v = input.district { d.district = v }
        if let v = input.poleId { d.poleId = v }
        if let v = input.groups { d.groups = v }
        if let v = input.tags { d.tags = Self.normalizedTags(v) }
        if let v = input.timezone { d.timezone = v }
        if let v = input.notes { d.notes = v }
        d.updatedAt = now
        return d
    }

    /// Tags are a set: duplicates dropped, first occurrence order kept.
    package static func normalizedTags(_ tags: [String]) -> [String] {
        var seen = Set<String>()
        return tags.filter { seen.insert($0).inserted }
    }
}

/// The IANA tz database as the system knows it.
public enum TimeZones {
    private static let known = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC"])

    public static func isKnown(_ identifier: String) -> Bool {
        known.contains(identifier)
    }
}
