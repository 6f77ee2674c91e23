/// What a display shows when no alert or campaign is on.
///
/// Precedence: the display's own default, then the first of its groups (in the display's group
/// order) that has one, then the global default; with none of these the display shows nothing.
public struct DefaultLayouts: Codable, Hashable, Sendable {
    /// Display id → layout id.
    public var byDisplay: [String: String]
    /// Group code → layout id.
    public var byGroup: [String: String]
    public var global: String?

    public init(byDisplay: [String: String] = [:], byGroup: [String: String] = [:], global: String? = nil) {
        self.byDisplay = byDisplay
        self.byGroup = byGroup
        self.global = global
    }

    enum CodingKeys: String, CodingKey { case byDisplay, byGroup, global }

    /// Every field may be left out, as in the API's schema: `{"global": "x"}` sets only the global default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        byDisplay = try c.decodeIfPresent([String: String].self, forKey: .byDisplay) ?? [:]
        byGroup = try c.decodeIfPresent([String: String].self, forKey: .byGroup) ?? [:]
        global = try c.decodeIfPresent(String.self, forKey: .global)
    }

    public func layout(for display: Display) -> DefaultLayout? {
        if let id = byDisplay[display.id] { return DefaultLayout(layoutId: id, source: .display) }
        for group in display.groups {
            if let id = byGroup[group] { return DefaultLayout(layoutId: id, source: .group(group)) }
        }
        return global.map { DefaultLayout(layoutId: $0, source: .global) }
    }
}

/// The default layout chosen for a display and where the choice came from.
public struct DefaultLayout: Codable, Hashable, Sendable {
    public var layoutId: String
    public var source: DefaultLayoutSource

    public init(layoutId: String, source: DefaultLayoutSource) {
        self.layoutId = layoutId
        self.source = source
    }
}

/// Which rule of `DefaultLayouts` chose a default layout.
public enum DefaultLayoutSource: Codable, Hashable, Sendable {
    case display
    case group(String)
    case global

    /// Encoded as one string: `display`, `global` or `group:CODE`.
    public var text: String {
        switch self {
        case .display: "display"
        case .group(let code): "group:\(code)"
        case .global: "global"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch text {
        case "display": self = .display
        case "global": self = .global
        case let t where t.hasPrefix("group:") && t.count > 6: self = .group(String(t.dropFirst(6)))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not display, global or group:CODE"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}
