/// How a display's pixels travel to its LEDs as DMX universes, validated when it is made.
///
/// The display is `width`×`height` pixels, built from a grid of `panelWidth`×`panelHeight`
/// panels (one panel the size of the display by default). The panels are chained in
/// `panelOrder`, left to right then top to bottom unless told otherwise. Inside every panel the
/// pixels run from its top-left corner in `wiring` order. Each pixel becomes three slots in
/// `colorOrder`, and the chain is cut into universes of `pixelsPerUniverse` pixels numbered from
/// `startUniverse`; with `panelStartsUniverse` every panel begins a fresh universe, as pixel
/// controllers with one output per panel expect. A universe never splits a pixel.
///
/// In JSON every field but `width` and `height` may be left out:
/// `{"width": 192, "height": 96, "panelWidth": 64, "panelHeight": 32, "wiring": "serpentine",
///   "colorOrder": "grb", "startUniverse": 1}`.
public struct PixelMapping: Hashable, Sendable, Codable {
    /// The order of pixels along a panel's data line.
    public enum Wiring: String, Hashable, Sendable, Codable, CaseIterable {
        /// Every row runs left to right.
        case rowMajor
        /// Rows alternate, the first left to right, the next right to left (boustrophedon).
        case serpentine
    }

    /// The order a pixel's colours are sent in, which depends on the LED chip.
    public enum ColorOrder: String, Hashable, Sendable, Codable, CaseIterable {
        case rgb, rbg, grb, gbr, brg, bgr

        /// For each of the three slots, which frame byte (0 red, 1 green, 2 blue) fills it.
        var sources: (Int, Int, Int) {
            switch self {
            case .rgb: (0, 1, 2)
            case .rbg: (0, 2, 1)
            case .grb: (1, 0, 2)
            case .gbr: (1, 2, 0)
            case .brg: (2, 0, 1)
            case .bgr: (2, 1, 0)
            }
        }
    }

    /// A panel's place in the grid, counted from the top-left panel.
    public struct PanelPosition: Hashable, Sendable, Codable {
        public var column: Int
        public var row: Int

        public init(column: Int, row: Int) {
            self.column = column
            self.row = row
        }
    }

    /// 170 RGB pixels fill 510 of a universe's 512 slots.
    public static let maxPixelsPerUniverse = 170
    /// The highest universe E1.31 allows; Art-Net port-addresses stop lower, at 32767.
    public static let maxUniverse = 63999

    public let width: Int
    public let height: Int
    public let panelWidth: Int
    public let panelHeight: Int
    /// Every panel once, in the order the data line runs through them.
    public let panelOrder: [PanelPosition]
    public let wiring: Wiring
    public let colorOrder: ColorOrder
    public let startUniverse: Int
    public let pixelsPerUniverse: Int
    public let panelStartsUniverse: Bool
    /// How many universes a frame fills, numbered `startUniverse...lastUniverse`.
    public let universeCount: Int

    public var panelColumns: Int { width / panelWidth }
    public var panelRows: Int { height / panelHeight }
    public var lastUniverse: Int { startUniverse + universeCount - 1 }

    public init(
        width: Int,
        height: Int,
        panelWidth: Int? = nil,
        panelHeight: Int? = nil,
        panelOrder: [PanelPosition]? = nil,
        wiring: Wiring = .rowMajor,
        colorOrder: ColorOrder = .rgb,
        startUniverse: Int = 1,
        pixelsPerUniverse: Int = PixelMapping.maxPixelsPerUniverse,
        panelStartsUniverse: Bool = false
    ) throws(OutputError) {
        try OutputError.check("width", width, in: 1...Frame.maxWidth)
        try OutputError.check("height", height, in: 1...Frame.maxHeight)
        let panelWidth = panelWidth ?? width
        let panelHeight = panelHeight ?? height
        try OutputError.check("panelWidth", panelWidth, in: 1...width)
        try OutputError.check("panelHeight", panelHeight, in: 1...height)
        guard width % panelWidth == 0 else {
            throw .invalid("panelWidth", "\(panelWidth) does not divide the display width \(width)")
        }
        guard height % panelHeight == 0 else {
            throw .invalid("panelHeight", "\(panelHeight) does not divide the display height \(height)")
        }
        try OutputError.check("pixelsPerUniverse", pixelsPerUniverse, in: 1...PixelMapping.maxPixelsPerUniverse)
        try OutputError.check("startUniverse", startUniverse, in: 0...PixelMapping.maxUniverse)

        let columns = width / panelWidth, rows = height / panelHeight
        let panelOrder = panelOrder ?? PixelMapping.panelOrder(columns: columns, rows: rows, wiring: .rowMajor)
        try PixelMapping.validate(panelOrder, columns: columns, rows: rows)

        let pixelsPerPanel = panelWidth * panelHeight
        let universeCount = panelStartsUniverse
            ? panelOrder.count * PixelMapping.universes(pixels: pixelsPerPanel, per: pixelsPerUniverse)
            : PixelMapping.universes(pixels: width * height, per: pixelsPerUniverse)
        guard startUniverse + universeCount - 1 <= PixelMapping.maxUniverse else {
            throw .invalid("startUniverse", "\(startUniverse) leaves no room for \(universeCount) universes "
                + "below \(PixelMapping.maxUniverse); the highest start is \(PixelMapping.maxUniverse - universeCount + 1)")
        }

        self.width = width
        self.height = height
        self.panelWidth = panelWidth
        self.panelHeight = panelHeight
        self.panelOrder = panelOrder
        self.wiring = wiring
        self.colorOrder = colorOrder
        self.startUniverse = startUniverse
        self.pixelsPerUniverse = pixelsPerUniverse
        self.panelStartsUniverse = panelStartsUniverse
        self.universeCount = universeCount
    }

    /// Panels chained along rows from the top-left, each row left to right (`rowMajor`) or
    /// alternating direction (`serpentine`), the two usual ways installers run the cable.
    public static func panelOrder(columns: Int, rows: Int, wiring: Wiring) -> [PanelPosition] {
        (0..<max(rows, 0)).flatMap { row in
            let columnsInRow = Array(0..<max(columns, 0))
            let ordered = wiring == .serpentine && row % 2 == 1 ? columnsInRow.reversed() : columnsInRow
            return ordered.map { PanelPosition(column: $0, row: row) }
        }
    }

    /// The frame's pixels as universes of slots, in universe order. Every universe is full
    /// except the last one (or, with `panelStartsUniverse`, the last one of each panel).
    public func universes(for frame: Frame) throws(OutputError) -> [UniverseData] {
        guard frame.width == width, frame.height == height else {
            throw .invalid("frame", "is \(frame.width)×\(frame.height) but the mapping is for \(width)×\(height)")
        }
        let (first, second, third) = colorOrder.sources
        let fullUniverse = pixelsPerUniverse * 3
        var result: [UniverseData] = []
        result.reserveCapacity(universeCount)
        var slots: [UInt8] = []
        slots.reserveCapacity(fullUniverse)
        func finishUniverse() {
            guard !slots.isEmpty else { return }
            result.append(UniverseData(universe: startUniverse + result.count, slots: slots))
            slots.removeAll(keepingCapacity: true)
        }
        frame.bytes.withUnsafeBufferPointer { bytes in
            for panel in panelOrder {
                for y in 0..<panelHeight {
                    let rowStart = (panel.row * panelHeight + y) * width + panel.column * panelWidth
                    let reversed = wiring == .serpentine && y % 2 == 1
                    for step in 0..<panelWidth {
                        let pixel = (rowStart + (reversed ? panelWidth - 1 - step : step)) * 3
                        slots.append(bytes[pixel + first])
                        slots.append(bytes[pixel + second])
                        slots.append(bytes[pixel + third])
                        if slots.count == fullUniverse { finishUniverse() }
                    }
                }
                if panelStartsUniverse { finishUniverse() }
            }
            finishUniverse()
        }
        return result
    }

    private static func universes(pixels: Int, per pixelsPerUniverse: Int) -> Int {
        (pixels + pixelsPerUniverse - 1) / pixelsPerUniverse
    }

    private static func validate(_ order: [PanelPosition], columns: Int, rows: Int) throws(OutputError) {
        guard order.count == columns * rows else {
            throw .invalid("panelOrder", "lists \(order.count) panels but the display has \(columns * rows) (\(columns)×\(rows))")
        }
        var seen = Set<PanelPosition>()
        for (index, panel) in order.enumerated() {
            try OutputError.check("panelOrder[\(index)].column", panel.column, in: 0...columns - 1)
            try OutputError.check("panelOrder[\(index)].row", panel.row, in: 0...rows - 1)
            guard seen.insert(panel).inserted else {
                throw .invalid("panelOrder[\(index)]", "column \(panel.column), row \(panel.row) is listed twice")
            }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case width, height, panelWidth, panelHeight, panelOrder, wiring, colorOrder, startUniverse,
             pixelsPerUniverse, panelStartsUniverse
    }

    /// Decodes through the validating initialiser, so a configuration file gets the same checks.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            width: c.decode(Int.self, forKey: .width),
            height: c.decode(Int.self, forKey: .height),
            panelWidth: c.decodeIfPresent(Int.self, forKey: .panelWidth),
            panelHeight: c.decodeIfPresent(Int.self, forKey: .panelHeight),
            panelOrder: c.decodeIfPresent([PanelPosition].self, forKey: .panelOrder),
            wiring: c.decodeIfPresent(Wiring.self, forKey: .wiring) ?? .rowMajor,
            colorOrder: c.decodeIfPresent(ColorOrder.self, forKey: .colorOrder) ?? .rgb,
            startUniverse: c.decodeIfPresent(Int.self, forKey: .startUniverse) ?? 1,
            pixelsPerUniverse: c.decodeIfPresent(Int.self, forKey: .pixelsPerUniverse) ?? PixelMapping.maxPixelsPerUniverse,
            panelStartsUniverse: c.decodeIfPresent(Bool.self, forKey: .panelStartsUniverse) ?? false
        )
    }
}

/// One universe's worth of a frame: the slots after the start code, ready for a packet builder.
public struct UniverseData: Hashable, Sendable {
    public var universe: Int
    public var slots: [UInt8]

    public init(universe: Int, slots: [UInt8]) {
        self.universe = universe
        self.slots = slots
    }
}
