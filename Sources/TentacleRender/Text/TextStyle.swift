/// Where a line sits across its box.
public enum HorizontalAlignment: String, Codable, Sendable, CaseIterable {
    case left, center, right
}

/// Where a block of lines sits down its box.
public enum VerticalAlignment: String, Codable, Sendable, CaseIterable {
    case top, middle, bottom
}

/// How text looks: font, integer scale, colours, decoration, alignment and wrapping.
///
/// Decoding fills absent keys with the defaults, so a layout names only what it changes.
public struct TextStyle: Hashable, Sendable, Codable {
    public static let scaleRange = 1...4

    public var font: String = "6x13"
    /// Each font pixel becomes a `scale`×`scale` block; drawing clamps it to `scaleRange`.
    public var scale: Int = 1
    public var color: RGB = .white
    /// A ring one font pixel wide around the glyphs, drawn under them.
    public var outline: RGB?
    /// The glyphs again one font pixel right and down, drawn under them.
    public var shadow: RGB?
    public var align: HorizontalAlignment = .left
    public var verticalAlign: VerticalAlignment = .top
    public var wrap: Bool = true
    /// Extra panel pixels between lines (not multiplied by `scale`).
    public var lineSpacing: Int = 0

    public init(
        font: String = "6x13", scale: Int = 1, color: RGB = .white, outline: RGB? = nil, shadow: RGB? = nil,
        align: HorizontalAlignment = .left, verticalAlign: VerticalAlignment = .top, wrap: Bool = true, lineSpacing: Int = 0
    ) {
        self.font = font
        self.scale = scale
        self.color = color
        self.outline = outline
        self.shadow = shadow
        self.align = align
        self.verticalAlign = verticalAlign
        self.wrap = wrap
        self.lineSpacing = lineSpacing
    }

    private enum CodingKeys: String, CodingKey {
        case font, scale, color, outline, shadow, align, verticalAlign, wrap, lineSpacing
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TextStyle()
        font = try c.decodeIfPresent(String.self, forKey: .font) ?? defaults.font
        scale = try c.decodeIfPresent(Int.self, forKey: .scale) ?? defaults.scale
        color = try c.decodeIfPresent(RGB.self, forKey: .color) ?? defaults.color
        outline = try c.decodeIfPresent(RGB.self, forKey: .outline)
        shadow = try c.decodeIfPresent(RGB.self, forKey: .shadow)
        align = try c.decodeIfPresent(HorizontalAlignment.self, forKey: .align) ?? defaults.align
        verticalAlign = try c.decodeIfPresent(VerticalAlignment.self, forKey: .verticalAlign) ?? defaults.verticalAlign
        wrap = try c.decodeIfPresent(Bool.self, forKey: .wrap) ?? defaults.wrap
        lineSpacing = try c.decodeIfPresent(Int.self, forKey: .lineSpacing) ?? defaults.lineSpacing
    }
}
