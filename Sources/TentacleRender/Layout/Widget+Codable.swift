// Widgets read as flat JSON objects tagged by `type`; every field but the essential ones has a
// default, and colours are "#RRGGBB" strings, so hand-written layouts stay short.

extension Widget: Codable {
    private enum CodingKeys: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "text": self = .text(try TextWidget(from: decoder))
        case "marquee": self = .marquee(try MarqueeWidget(from: decoder))
        case "clock": self = .clock(try ClockWidget(from: decoder))
        case "image": self = .image(try ImageWidget(from: decoder))
        case "liveValue": self = .liveValue(try LiveValueWidget(from: decoder))
        case "alertBanner": self = .alertBanner(try AlertBannerWidget(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c,
                debugDescription: "unknown widget type \"\(type)\"; expected one of \(Widget.typeNames.joined(separator: ", "))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let w): try c.encode("text", forKey: .type); try w.encode(to: encoder)
        case .marquee(let w): try c.encode("marquee", forKey: .type); try w.encode(to: encoder)
        case .clock(let w): try c.encode("clock", forKey: .type); try w.encode(to: encoder)
        case .image(let w): try c.encode("image", forKey: .type); try w.encode(to: encoder)
        case .liveValue(let w): try c.encode("liveValue", forKey: .type); try w.encode(to: encoder)
        case .alertBanner(let w): try c.encode("alertBanner", forKey: .type); try w.encode(to: encoder)
        }
    }
}

/// The JSON form of `TextStyle`: every key optional, colours as "#RRGGBB".
private struct StyleCoding: Codable {
    var style: TextStyle

    init(_ style: TextStyle) { self.style = style }

    private enum CodingKeys: String, CodingKey {
        case font, scale, color, outline, shadow, align, verticalAlign, wrap, lineSpacing
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = TextStyle()
        if let v = try c.decodeIfPresent(String.self, forKey: .font) { s.font = v }
        if let v = try c.decodeBoundedIfPresent(forKey: .scale) { s.scale = v }
        if let v = try c.decodeColorIfPresent(forKey: .color) { s.color = v }
        s.outline = try c.decodeColorIfPresent(forKey: .outline)
        s.shadow = try c.decodeColorIfPresent(forKey: .shadow)
        if let v = try c.decodeIfPresent(HorizontalAlignment.self, forKey: .align) { s.align = v }
        if let v = try c.decodeIfPresent(VerticalAlignment.self, forKey: .verticalAlign) { s.verticalAlign = v }
        if let v = try c.decodeIfPresent(Bool.self, forKey: .wrap) { s.wrap = v }
        if let v = try c.decodeBoundedIfPresent(forKey: .lineSpacing) { s.lineSpacing = v }
        style = s
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(style.font, forKey: .font)
        try c.encode(style.scale, forKey: .scale)
        try c.encode(style.color.hex, forKey: .color)
        try c.encodeIfPresent(style.outline?.hex, forKey: .outline)
        try c.encodeIfPresent(style.shadow?.hex, forKey: .shadow)
        try c.encode(style.align, forKey: .align)
        try c.encode(style.verticalAlign, forKey: .verticalAlign)
        try c.encode(style.wrap, forKey: .wrap)
        try c.encode(style.lineSpacing, forKey: .lineSpacing)
    }
}

extension KeyedDecodingContainer {
    fileprivate func decodeStyle(forKey key: Key) throws -> TextStyle {
        try decodeIfPresent(StyleCoding.self, forKey: key)?.style ?? TextStyle()
    }
}

extension KeyedEncodingContainer {
    fileprivate mutating func encodeStyle(_ style: TextStyle, forKey key: Key) throws {
        try encode(StyleCoding(style), forKey: key)
    }
}

extension TextWidget: Codable {
    private enum CodingKeys: String, CodingKey { case text, style }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        style = try c.decodeStyle(forKey: .style)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        try c.encodeStyle(style, forKey: .style)
    }
}

extension MarqueeWidget: Codable {
    private enum CodingKeys: String, CodingKey { case text, speed, gap, style }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        speed = try c.decodeIfPresent(Double.self, forKey: .speed) ?? 32
        gap = try c.decodeBoundedIfPresent(forKey: .gap) ?? 32
        style = try c.decodeStyle(forKey: .style)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        try c.encode(speed, forKey: .speed)
        try c.encode(gap, forKey: .gap)
        try c.encodeStyle(style, forKey: .style)
    }
}

extension ClockWidget: Codable {
    private enum CodingKeys: String, CodingKey { case timezone, format, showSeconds, dateFormat, style, dateStyle }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timezone = try c.decode(String.self, forKey: .timezone)
        format = try c.decodeIfPresent(Format.self, forKey: .format) ?? .twentyFourHour
        showSeconds = try c.decodeIfPresent(Bool.self, forKey: .showSeconds) ?? false
        let date = try c.decodeIfPresent(String.self, forKey: .dateFormat)
        dateFormat = date == "none" ? nil : date
        style = try c.decodeStyle(forKey: .style)
        dateStyle = try c.decodeIfPresent(StyleCoding.self, forKey: .dateStyle)?.style
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timezone, forKey: .timezone)
        try c.encode(format, forKey: .format)
        try c.encode(showSeconds, forKey: .showSeconds)
        try c.encode(dateFormat ?? "none", forKey: .dateFormat)
        try c.encodeStyle(style, forKey: .style)
        try c.encodeIfPresent(dateStyle.map(StyleCoding.init), forKey: .dateStyle)
    }
}

extension ImageWidget: Codable {
    private enum CodingKeys: String, CodingKey { case asset, scaling, fit }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        asset = try c.decode(String.self, forKey: .asset)
        scaling = try c.decodeIfPresent(ImageFilter.self, forKey: .scaling) ?? .nearest
        fit = try c.decodeIfPresent(ImageFit.self, forKey: .fit) ?? .fit
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(asset, forKey: .asset)
        try c.encode(scaling, forKey: .scaling)
        try c.encode(fit, forKey: .fit)
    }
}

extension LiveValueWidget: Codable {
    private enum CodingKeys: String, CodingKey { case label, metric, unit, decimals, bands, style }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        label = try c.decodeIfPresent(String.self, forKey: .label) ?? ""
        metric = try c.decode(String.self, forKey: .metric)
        unit = try c.decodeIfPresent(String.self, forKey: .unit) ?? ""
        decimals = try c.decodeBoundedIfPresent(forKey: .decimals) ?? 0
        bands = try c.decodeIfPresent(ColorBands.self, forKey: .bands)
        style = try c.decodeStyle(forKey: .style)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(label, forKey: .label)
        try c.encode(metric, forKey: .metric)
        try c.encode(unit, forKey: .unit)
        try c.encode(decimals, forKey: .decimals)
        try c.encodeIfPresent(bands, forKey: .bands)
        try c.encodeStyle(style, forKey: .style)
    }
}

extension ColorBands: Codable {
    // Either a preset name ("pm25") or a list of {"upTo": number, "color": "#RRGGBB"}.
    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let name = try? single.decode(String.self) {
            guard let preset = ColorBands.presets[name] else {
                throw DecodingError.dataCorruptedError(
                    in: single,
                    debugDescription: "unknown band preset \"\(name)\"; expected one of \(ColorBands.presets.keys.sorted().joined(separator: ", ")) or a list of bands")
            }
            self = preset
        } else {
            self.init(try single.decode([Band].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        if let preset { try single.encode(preset) } else { try single.encode(bands) }
    }
}

extension ColorBands.Band: Codable {
    private enum CodingKeys: String, CodingKey { case upTo, color }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        upTo = try c.decode(Double.self, forKey: .upTo)
        color = try c.decodeColor(forKey: .color)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(upTo, forKey: .upTo)
        try c.encode(color.hex, forKey: .color)
    }
}

extension AlertBannerWidget: Codable {
    private enum CodingKeys: String, CodingKey { case severity, texts, secondsPerLanguage, flashPeriod, style }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        severity = try c.decodeIfPresent(Severity.self, forKey: .severity) ?? .unknown
        texts = try c.decode([Text].self, forKey: .texts)
        secondsPerLanguage = try c.decodeIfPresent(Double.self, forKey: .secondsPerLanguage) ?? 5
        flashPeriod = try c.decodeIfPresent(Double.self, forKey: .flashPeriod) ?? 0.5
        style = try c.decodeStyle(forKey: .style)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(severity, forKey: .severity)
        try c.encode(texts, forKey: .texts)
        try c.encode(secondsPerLanguage, forKey: .secondsPerLanguage)
        try c.encode(flashPeriod, forKey: .flashPeriod)
        try c.encodeStyle(style, forKey: .style)
    }
}
