public import TentacleRender

/// How a network sink lays the display's pixels on universes: a `PixelMapping` without the
/// display size, which is known only when the player starts.
public struct MappingOptions: Hashable, Sendable {
    /// Nil means one panel the size of the display.
    public var panelWidth: Int?
    public var panelHeight: Int?
    /// The order of pixels inside each panel.
    public var wiring: PixelMapping.Wiring
    /// The order the data line runs through the panels.
    public var chain: PixelMapping.Wiring
    public var colorOrder: PixelMapping.ColorOrder
    /// The first universe (sACN) or 15-bit port-address (Art-Net).
    public var startUniverse: Int
    public var panelStartsUniverse: Bool

    public init(
        panelWidth: Int? = nil,
        panelHeight: Int? = nil,
        wiring: PixelMapping.Wiring = .rowMajor,
        chain: PixelMapping.Wiring = .rowMajor,
        colorOrder: PixelMapping.ColorOrder = .rgb,
        startUniverse: Int,
        panelStartsUniverse: Bool = false
    ) {
        self.panelWidth = panelWidth
        self.panelHeight = panelHeight
        self.wiring = wiring
        self.chain = chain
        self.colorOrder = colorOrder
        self.startUniverse = startUniverse
        self.panelStartsUniverse = panelStartsUniverse
    }

    /// The mapping for a `width`×`height` display; an error names the sink option that does not fit.
    public func mapping(width: Int, height: Int) throws(SinkConfigurationError) -> PixelMapping {
        let panelWidth = panelWidth ?? width, panelHeight = panelHeight ?? height
        do {
            return try PixelMapping(
                width: width, height: height, panelWidth: panelWidth, panelHeight: panelHeight,
                panelOrder: PixelMapping.panelOrder(columns: width / max(panelWidth, 1), rows: height / max(panelHeight, 1), wiring: chain),
                wiring: wiring, colorOrder: colorOrder, startUniverse: startUniverse,
                panelStartsUniverse: panelStartsUniverse)
        } catch {
            throw SinkConfigurationError(error, width: width, height: height)
        }
    }
}

extension SinkConfigurationError {
    /// A mapping error for a `width`×`height` display told in the sink string's words: "panel"
    /// for panelWidth, "universe" for startUniverse.
    init(_ error: OutputError, width: Int, height: Int) {
        let part = switch error.field {
        case "panelWidth", "panelHeight": "panel"
        case "startUniverse", "portAddress": "universe"
        default: error.field
        }
        self.init(part, "does not fit the \(width)×\(height) display (\(error))")
    }
}
