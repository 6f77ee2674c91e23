/// The districts, groups and displays of the demo city, ready to be stored.
public struct DemoCityData: Hashable, Sendable {
    public var name: String
    public var timezone: String
    public var districts: [District]
    public var groups: [DisplayGroup]
    /// Every display has its id set and passes `DisplayRules` for creation.
    public var displays: [DisplayInput]

    public init(name: String, timezone: String, districts: [District], groups: [DisplayGroup], displays: [DisplayInput]) {
        self.name = name
        self.timezone = timezone
        self.districts = districts
        self.groups = groups
        self.displays = displays
    }
}

/// Port Tentacle, a fictional city of nine districts for `tentacle demo` and tests.
///
/// The districts tile a 3×3 grid of irregular octagons that share their edges; displays line a
/// few streets inside each district. Ids, names and counts are the same for every seed, so docs
/// can name `old-town-bus-001`; the seed only moves shapes and positions and varies sizes and tags.
public enum DemoCity {
    public static let name = "Port Tentacle"
    public static let timezone = "Asia/Shanghai"

    public static func make(seed: UInt64 = 1) -> DemoCityData {
        var random = SplitMix64(seed: seed)
        let grid = Grid(random: &random)
        var districts: [District] = []
        var displays: [DisplayInput] = []
        for plan in plans {
            let boundary = grid.boundary(column: plan.column, row: plan.row)
            districts.append(District(code: plan.code, name: plan.name, boundary: boundary))
            displays += Self.displays(of: plan, along: grid.core(column: plan.column, row: plan.row), random: &random)
        }
        return DemoCityData(name: name, timezone: timezone, districts: districts, groups: groups, displays: displays)
    }

    static let groups = Kind.allCases.map { DisplayGroup(code: $0.group, name: $0.groupName, description: $0.groupDescription) }

    /// A district: where it sits in the grid, its pole-id prefix and its streets.
    struct Plan {
        var code: String
        var name: String
        var abbreviation: String
        var column: Int
        var row: Int
        var streets: [String]
    }

    /// Row 0 is the south edge, column 0 the west.
    static let plans: [Plan] = [
        Plan(code: "university", name: "University", abbreviation: "UN", column: 0, row: 2, streets: ["College Ave", "Library Rd", "Science Park Dr"]),
        Plan(code: "north", name: "North", abbreviation: "NO", column: 1, row: 2, streets: ["North Ring Rd", "Pine Ave", "Maple St"]),
        Plan(code: "airport", name: "Airport", abbreviation: "AP", column: 2, row: 2, streets: ["Airport Expy", "Terminal Rd", "Cargo Ln"]),
        Plan(code: "west", name: "West", abbreviation: "WE", column: 0, row: 1, streets: ["West Lake Rd", "Willow Ave", "Orchard St"]),
        Plan(code: "old-town", name: "Old Town", abbreviation: "OT", column: 1, row: 1, streets: ["Market St", "Temple Ln", "Bell Tower Rd"]),
        Plan(code: "east", name: "East", abbreviation: "EA", column: 2, row: 1, streets: ["East Gate Rd", "Silk Rd", "Lantern St"]),
        Plan(code: "harbor", name: "Harbor", abbreviation: "HB", column: 0, row: 0, streets: ["Harbor Rd", "Quay St", "Lighthouse Ave"]),
        Plan(code: "south", name: "South", abbreviation: "SO", column: 1, row: 0, streets: ["South Ring Rd", "Garden Rd", "Canal St"]),
        Plan(code: "riverside", name: "Riverside", abbreviation: "RS", column: 2, row: 0, streets: ["River Rd", "Ferry St", "Bridge Ave"]),
    ]

    /// The kinds of display, with how many of each every district has.
    enum Kind: CaseIterable {
        case lightPole, busStop, roadsideBoard, metroEntrance

        var perDistrict: Int {
            switch self {
            case .lightPole: return 22
            case .busStop: return 10
            case .roadsideBoard: return 5
            case .metroEntrance: return 3
            }
        }

        var group: String {
            switch self {
            case .lightPole: return "light-poles"
            case .busStop: return "bus-stops"
            case .roadsideBoard: return "roadside-boards"
            case .metroEntrance: return "metro-entrances"
            }
        }

        var groupName: String {
            switch self {
            case .lightPole: return "Light poles"
            case .busStop: return "Bus stops"
            case .roadsideBoard: return "Roadside boards"
            case .metroEntrance: return "Metro entrances"
            }
        }

        var groupDescription: String {
            switch self {
            case .lightPole: return "Small panels on smart street-light poles, most with environment sensors"
            case .busStop: return "Shelter screens showing arrivals, time and alerts"
            case .roadsideBoard: return "Large boards facing traffic for road and emergency messages"
            case .metroEntrance: return "Wide banners above metro station entrances"
            }
        }

        /// Sizes of common LED modules for this kind of site (width × height).
        var sizes: [(Int, Int)] {
            switch self {
            case .lightPole: return [(64, 32), (96, 48), (128, 64)]
            case .busStop: return [(128, 64), (192, 96)]
            case .roadsideBoard: return [(256, 128), (384, 192)]
            case .metroEntrance: return [(256, 64), (192, 48)]
            }
        }

        var idPart: String {
            switch self {
            case .lightPole: return "pole"
            case .busStop: return "bus"
            case .roadsideBoard: return "board"
            case .metroEntrance: return "metro"
            }
        }

        var label: String {
            switch self {
            case .lightPole: return "light pole"
            case .busStop: return "bus stop"
            case .roadsideBoard: return "roadside board"
            case .metroEntrance: return "metro entrance"
            }
        }

        /// Boards and metro banners hang on their own structures, not on poles.
        var poleIdPrefix: String {
            switch self {
            case .lightPole, .busStop: return "P"
            case .roadsideBoard, .metroEntrance: return "S"
            }
        }
    }

    private static func displays(of plan: Plan, along core: Box, random: inout SplitMix64) -> [DisplayInput] {
        // Interleave kinds so every street gets some of each rather than one kind per street.
        var sites: [(Kind, Int)] = []
        for i in 0..<Kind.allCases.map(\.perDistrict).max()! {
            for kind in Kind.allCases where i < kind.perDistrict { sites.append((kind, i + 1)) }
        }
        let streets = plan.streets.indices.map { core.street($0, random: &random) }
        var result: [DisplayInput] = []
        for (index, (kind, number)) in sites.enumerated() {
            let streetIndex = index % streets.count
            let street = streets[streetIndex]
            let slots = (sites.count - streetIndex + streets.count - 1) / streets.count
            let slot = index / streets.count
            let (lat, lon) = place(on: street, slot: slot, of: slots, random: &random)
            let size = kind.sizes[random.int(below: kind.sizes.count)]
            result.append(DisplayInput(
                id: "\(plan.code)-\(kind.idPart)-\(padded(number, 3))",
                name: "\(plan.streets[streetIndex]) \(kind.label) \(number)",
                width: size.0, height: size.1, lat: lat, lon: lon, district: plan.code,
                poleId: "\(kind.poleIdPrefix)-\(plan.abbreviation)-\(padded(index + 1, 4))",
                groups: [kind.group], tags: tags(for: kind, random: &random), timezone: timezone
            ))
        }
        return result
    }

    /// Spreads a street's displays evenly, each up to about 20 m to either side of the centre line.
    private static func place(on street: Street, slot: Int, of slots: Int, random: inout SplitMix64) -> (lat: Double, lon: Double) {
        let t = (Double(slot) + 0.5 + random.double(in: -0.3...0.3)) / Double(slots)
        let onStreet = street.point(at: t)
        let side = random.double(in: -1...1) * 0.0002
        return (rounded(onStreet.lat + side * street.normal.lat), rounded(onStreet.lon + side * street.normal.lon))
    }

    private static func tags(for kind: Kind, random: inout SplitMix64) -> [String] {
        var tags = [random.double(in: 0...1) < 0.6 ? "fiber" : "4g"]
        let sensors: [(String, Double)]
        switch kind {
        case .lightPole: sensors = [("solar", 0.3), ("aqi-sensor", 0.6), ("noise-sensor", 0.4), ("weather-station", 0.2)]
        case .busStop: sensors = [("solar", 0.2), ("aqi-sensor", 0.4), ("noise-sensor", 0.2)]
        case .roadsideBoard: sensors = [("weather-station", 0.5), ("noise-sensor", 0.3)]
        case .metroEntrance: sensors = [("aqi-sensor", 0.3)]
        }
        for (tag, chance) in sensors where random.double(in: 0...1) < chance { tags.append(tag) }
        return tags
    }

    private static func padded(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Six decimals (about 0.1 m) keep the JSON readable; shared vertices stay exactly equal.
    static func rounded(_ degrees: Double) -> Double {
        (degrees * 1_000_000).rounded() / 1_000_000
    }
}

// MARK: - Geometry of the grid

extension DemoCity {
    typealias Position = GeoGeometry.Position

    /// A lat/lon rectangle.
    struct Box {
        var south, west, north, east: Double

        /// A straight street across the box: the first runs east-west, the second north-south,
        /// the third diagonally.
        func street(_ index: Int, random: inout SplitMix64) -> Street {
            func lat(_ f: Double) -> Double { south + (north - south) * f }
            func lon(_ f: Double) -> Double { west + (east - west) * f }
            let a: Position, b: Position
            switch index % 3 {
            case 0:
                a = Position(lon: lon(0), lat: lat(random.double(in: 0.2...0.8)))
                b = Position(lon: lon(1), lat: lat(random.double(in: 0.2...0.8)))
            case 1:
                a = Position(lon: lon(random.double(in: 0.2...0.8)), lat: lat(0))
                b = Position(lon: lon(random.double(in: 0.2...0.8)), lat: lat(1))
            default:
                a = Position(lon: lon(0), lat: lat(random.double(in: 0...0.2)))
                b = Position(lon: lon(1), lat: lat(random.double(in: 0.8...1)))
            }
            return Street(a: a, b: b)
        }
    }

    /// A straight segment displays are placed along.
    struct Street {
        var a: Position
        var b: Position

        func point(at t: Double) -> Position {
            Position(lon: a.lon + (b.lon - a.lon) * t, lat: a.lat + (b.lat - a.lat) * t)
        }

        /// A unit vector across the street, in degrees.
        var normal: Position {
            let dLon = b.lon - a.lon, dLat = b.lat - a.lat
            let length = (dLon * dLon + dLat * dLat).squareRoot()
            return Position(lon: -dLat / length, lat: dLon / length)
        }
    }

    /// A 3×3 grid of cells whose corners and edge midpoints are jittered.
    ///
    /// Neighbouring cells read the same jittered points, so their boundaries share edges exactly
    /// and the districts tile the city without gaps or overlaps.
    struct Grid {
        static let columns = 3, rows = 3
        /// Cells of about 3.3 km: 0.03° of latitude and 0.035° of longitude at this latitude.
        static let cellLat = 0.03, cellLon = 0.035
        static let south = 31.23 - cellLat * Double(rows) / 2
        static let west = 121.47 - cellLon * Double(columns) / 2
        /// Jitter stays below a fifth of a cell, so the core box (inset by a quarter) is always inside.
        static let cornerJitter = 0.15, midpointJitter = 0.1

        /// Corners indexed [row][column] over (rows + 1) × (columns + 1) points.
        var corners: [[Position]] = []
        /// Midpoints of the edges running east-west: [row][column] over (rows + 1) × columns.
        var horizontalMidpoints: [[Position]] = []
        /// Midpoints of the edges running north-south: [row][column] over rows × (columns + 1).
        var verticalMidpoints: [[Position]] = []

        init(random: inout SplitMix64) {
            func point(_ row: Double, _ column: Double) -> Position {
                Position(lon: DemoCity.rounded(Self.west + column * Self.cellLon), lat: DemoCity.rounded(Self.south + row * Self.cellLat))
            }
            func jitter(_ amount: Double) -> Double { random.double(in: -amount...amount) }
            corners = (0...Self.rows).map { r in
                (0...Self.columns).map { c in point(Double(r) + jitter(Self.cornerJitter), Double(c) + jitter(Self.cornerJitter)) }
            }
            horizontalMidpoints = (0...Self.rows).map { r in
                (0..<Self.columns).map { c in point(Double(r) + jitter(Self.midpointJitter), Double(c) + 0.5 + jitter(Self.midpointJitter)) }
            }
            verticalMidpoints = (0..<Self.rows).map { r in
                (0...Self.columns).map { c in point(Double(r) + 0.5 + jitter(Self.midpointJitter), Double(c) + jitter(Self.midpointJitter)) }
            }
        }

        /// The closed, counter-clockwise ring of one cell: corner, midpoint, corner, ... back to the start.
        func boundary(column c: Int, row r: Int) -> GeoGeometry {
            let ring = [
                corners[r][c], horizontalMidpoints[r][c], corners[r][c + 1],
                verticalMidpoints[r][c + 1], corners[r + 1][c + 1],
                horizontalMidpoints[r + 1][c], corners[r + 1][c],
                verticalMidpoints[r][c], corners[r][c],
            ]
            return GeoGeometry(polygon: [ring])
        }

        /// The middle of a cell, inset by a quarter on every side.
        func core(column c: Int, row r: Int) -> Box {
            Box(
                south: Self.south + (Double(r) + 0.25) * Self.cellLat, west: Self.west + (Double(c) + 0.25) * Self.cellLon,
                north: Self.south + (Double(r) + 0.75) * Self.cellLat, east: Self.west + (Double(c) + 0.75) * Self.cellLon
            )
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and the same on every platform and Swift
/// version, which the standard library's generators and `random(in:)` do not promise.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    mutating func double(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// Uniform enough for picking among a handful of items; the modulo bias is below 2^-60.
    mutating func int(below n: Int) -> Int {
        Int(next() % UInt64(n))
    }
}
