import Foundation
public import TentacleCore

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
/// The districts tile a 3×3 grid of irregular octagons that share their edges. One avenue per
/// grid row and one per column cross the whole city; displays line them and one local street per
/// district, and each district's metro entrances surround its avenue crossing. Ids and counts are the
/// same for every seed, so docs can name `old-town-bus-001`; the seed moves shapes and positions
/// and varies streets, sizes and tags.
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
            displays += Self.displays(of: plan, in: boundary, grid: grid, random: &random)
        }
        return DemoCityData(name: name, timezone: timezone, districts: districts, groups: groups, displays: displays)
    }

    static let groups = Kind.allCases.map { DisplayGroup(code: $0.group, name: $0.groupName, description: $0.groupDescription) }

    /// Avenues running east-west, by grid row from the south.
    static let eastWestAvenues = ["Harbor Rd", "Central Ave", "North Ring Rd"]
    /// Avenues running north-south, by grid column from the west.
    static let northSouthAvenues = ["West Lake Rd", "Market St", "East Gate Rd"]

    /// A district: where it sits in the grid, its pole-id prefix and its own street.
    struct Plan {
        var code: String
        var name: String
        var abbreviation: String
        var column: Int
        var row: Int
        var localStreet: String
    }

    /// Row 0 is the south edge, column 0 the west.
    static let plans: [Plan] = [
        Plan(code: "university", name: "University", abbreviation: "UN", column: 0, row: 2, localStreet: "College Ave"),
        Plan(code: "north", name: "North", abbreviation: "NO", column: 1, row: 2, localStreet: "Pine Ave"),
        Plan(code: "airport", name: "Airport", abbreviation: "AP", column: 2, row: 2, localStreet: "Terminal Rd"),
        Plan(code: "west", name: "West", abbreviation: "WE", column: 0, row: 1, localStreet: "Willow Ave"),
        Plan(code: "old-town", name: "Old Town", abbreviation: "OT", column: 1, row: 1, localStreet: "Temple Ln"),
        Plan(code: "east", name: "East", abbreviation: "EA", column: 2, row: 1, localStreet: "Silk Rd"),
        Plan(code: "harbor", name: "Harbor", abbreviation: "HB", column: 0, row: 0, localStreet: "Quay St"),
        Plan(code: "south", name: "South", abbreviation: "SO", column: 1, row: 0, localStreet: "Garden Rd"),
        Plan(code: "riverside", name: "Riverside", abbreviation: "RS", column: 2, row: 0, localStreet: "Ferry St"),
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

        /// Sorts displays kind by kind within a district.
        var order: Int { Kind.allCases.firstIndex(of: self) ?? 0 }

        /// Pole numbers run on across kinds so each is unique within its district.
        var poleOffset: Int { Kind.allCases.prefix(order).map(\.perDistrict).reduce(0, +) }

        /// Boards and metro banners hang on their own structures, not on poles.
        var poleIdPrefix: String {
            switch self {
            case .lightPole, .busStop: return "P"
            case .roadsideBoard, .metroEntrance: return "S"
            }
        }
    }

    private static func displays(of plan: Plan, in boundary: GeoGeometry, grid: Grid, random: inout SplitMix64) -> [DisplayInput] {
        let (c, r) = (plan.column, plan.row)
        let streets = [
            (eastWestAvenues[r], grid.eastWestAvenue(column: c, row: r)),
            (northSouthAvenues[c], grid.northSouthAvenue(column: c, row: r)),
            (plan.localStreet, grid.localStreet(column: c, row: r, random: &random)),
        ]
        var streetSites: [(Kind, Int)] = []
        var metroSites: [(Kind, Int)] = []
        for kind in Kind.allCases {
            for number in 1...kind.perDistrict {
                if kind == .metroEntrance { metroSites.append((kind, number)) } else { streetSites.append((kind, number)) }
            }
        }
        random.shuffle(&streetSites)

        var placed: [(kind: Kind, number: Int, street: String, lat: Double, lon: Double)] = []
        for (s, (streetName, street)) in streets.enumerated() {
            let onStreet = stride(from: s, to: streetSites.count, by: streets.count).map { streetSites[$0] }
            for (slot, (kind, number)) in onStreet.enumerated() {
                let t = (Double(slot) + 0.5 + random.double(in: -0.3...0.3)) / Double(onStreet.count)
                // Up to about 20 m either side of the centre line.
                let side = random.double(in: -1...1) * 0.0002
                let p = street.point(at: t, side: side, inside: boundary)
                placed.append((kind, number, streetName, p.lat, p.lon))
            }
        }
        let crossing = grid.avenueCrossing(column: c, row: r)
        for (i, (kind, number)) in metroSites.enumerated() {
            // Entrances about 60 m from the crossing, spread around it.
            let angle = (Double(i) + random.double(in: -0.2...0.2)) * 2 * Double.pi / Double(metroSites.count)
            let lat = rounded(crossing.lat + 0.0005 * sin(angle))
            let lon = rounded(crossing.lon + 0.0006 * cos(angle))
            placed.append((kind, number, eastWestAvenues[r], lat, lon))
        }

        return placed.sorted { ($0.kind.order, $0.number) < ($1.kind.order, $1.number) }.map { site in
            let size = site.kind.sizes[random.int(below: site.kind.sizes.count)]
            return DisplayInput(
                id: "\(plan.code)-\(site.kind.idPart)-\(padded(site.number, 3))",
                name: "\(site.street) \(site.kind.label) \(site.number)",
                width: size.0, height: size.1, lat: site.lat, lon: site.lon, district: plan.code,
                poleId: "\(site.kind.poleIdPrefix)-\(plan.abbreviation)-\(padded(site.kind.poleOffset + site.number, 4))",
                groups: [site.kind.group], tags: tags(for: site.kind, random: &random), timezone: timezone
            )
        }
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

    /// A straight segment displays are placed along.
    struct Street {
        var a: Position
        var b: Position

        /// The point a fraction `t` along the street and `side` degrees across it, moved toward
        /// the street's middle until it lies inside `boundary`.
        ///
        /// The middle of every street lies deep inside its district, so the walk always ends inside.
        func point(at t: Double, side: Double, inside boundary: GeoGeometry) -> Position {
            let dLon = b.lon - a.lon, dLat = b.lat - a.lat
            let length = (dLon * dLon + dLat * dLat).squareRoot()
            func at(_ u: Double) -> Position {
                Position(
                    lon: DemoCity.rounded(a.lon + dLon * u - side * dLat / length),
                    lat: DemoCity.rounded(a.lat + dLat * u + side * dLon / length)
                )
            }
            for step in 0..<10 {
                let p = at(t + (0.5 - t) * Double(step) / 10)
                if boundary.contains(lat: p.lat, lon: p.lon) { return p }
            }
            return at(0.5)
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
        /// Edges stay within 0.15 cells of the regular grid, so a cell's middle half is always inside it.
        static let cornerJitter = 0.15, midpointJitter = 0.1

        /// Corners indexed [row][column] over (rows + 1) × (columns + 1) points.
        var corners: [[Position]] = []
        /// Midpoints of the edges running east-west: [row][column] over (rows + 1) × columns.
        var horizontalMidpoints: [[Position]] = []
        /// Midpoints of the edges running north-south: [row][column] over rows × (columns + 1).
        var verticalMidpoints: [[Position]] = []
        /// Where each row's east-west avenue runs, as a fraction of the cell height; likewise columns.
        var avenueRows: [Double] = []
        var avenueColumns: [Double] = []

        init(random: inout SplitMix64) {
            func point(_ row: Double, _ column: Double) -> Position {
                let p = Self.position(row: row, column: column)
                return Position(lon: DemoCity.rounded(p.lon), lat: DemoCity.rounded(p.lat))
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
            avenueRows = (0..<Self.rows).map { _ in random.double(in: 0.35...0.65) }
            avenueColumns = (0..<Self.columns).map { _ in random.double(in: 0.35...0.65) }
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

        /// A position in grid units: (0, 0) is the south-west corner, (rows, columns) the north-east.
        static func position(row: Double, column: Double) -> Position {
            Position(lon: Self.west + column * Self.cellLon, lat: Self.south + row * Self.cellLat)
        }

        /// The east-west avenue's segment across one cell, edge to edge.
        func eastWestAvenue(column c: Int, row r: Int) -> Street {
            let row = Double(r) + avenueRows[r]
            return Street(a: Self.position(row: row, column: Double(c)), b: Self.position(row: row, column: Double(c + 1)))
        }

        /// The north-south avenue's segment across one cell, edge to edge.
        func northSouthAvenue(column c: Int, row r: Int) -> Street {
            let column = Double(c) + avenueColumns[c]
            return Street(a: Self.position(row: Double(r), column: column), b: Self.position(row: Double(r + 1), column: column))
        }

        func avenueCrossing(column c: Int, row r: Int) -> Position {
            Self.position(row: Double(r) + avenueRows[r], column: Double(c) + avenueColumns[c])
        }

        /// A street of 0.6 cells at any angle through a point in the middle of the cell.
        func localStreet(column c: Int, row r: Int, random: inout SplitMix64) -> Street {
            let middleRow = Double(r) + random.double(in: 0.3...0.7)
            let middleColumn = Double(c) + random.double(in: 0.3...0.7)
            let angle = random.double(in: 0...Double.pi)
            let dRow = 0.3 * sin(angle), dColumn = 0.3 * cos(angle)
            return Street(
                a: Self.position(row: middleRow - dRow, column: middleColumn - dColumn),
                b: Self.position(row: middleRow + dRow, column: middleColumn + dColumn)
            )
        }
    }
}

