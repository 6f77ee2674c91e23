/// What a playlist item shows; in JSON an object whose `type` names the case.
public enum Widget: Hashable, Sendable {
    case text(TextWidget)
    case marquee(MarqueeWidget)
    case clock(ClockWidget)
    case image(ImageWidget)
    case liveValue(LiveValueWidget)
    case alertBanner(AlertBannerWidget)

    /// The JSON `type` values, in the order the documentation lists them.
    public static let typeNames = ["text", "marquee", "clock", "image", "liveValue", "alertBanner"]
}

/// Static text, aligned and word-wrapped in the region.
public struct TextWidget: Hashable, Sendable {
    public var text: String
    public var style: TextStyle

    public init(text: String, style: TextStyle = TextStyle()) {
        self.text = text
        self.style = style
    }
}

/// One line of text scrolling right to left at `speed` px/s, looping with `gap` pixels between copies.
public struct MarqueeWidget: Hashable, Sendable {
    public static let speedRange = 1.0...2000.0
    public static let gapRange = 0...4096

    public var text: String
    public var speed: Double
    public var gap: Int
    public var style: TextStyle

    public init(text: String, speed: Double = 32, gap: Int = 32, style: TextStyle = TextStyle()) {
        self.text = text
        self.speed = speed
        self.gap = gap
        self.style = style
    }
}

/// The time (and optionally the date) in an IANA timezone.
public struct ClockWidget: Hashable, Sendable {
    /// "24h" shows 08:05 and 20:05; "12h" shows 8:05 AM and 8:05 PM.
    public enum Format: String, Codable, Sendable, CaseIterable {
        case twentyFourHour = "24h"
        case twelveHour = "12h"
    }

    public var timezone: String
    public var format: Format
    public var showSeconds: Bool
    /// A Unicode date pattern ("yyyy-MM-dd", "EEE d MMM") in the en_US_POSIX locale, or nil for no date.
    public var dateFormat: String?
    public var style: TextStyle
    /// The date line's look, so a large time can sit over a small date; nil uses `style`.
    public var dateStyle: TextStyle?

    public init(
        timezone: String, format: Format = .twentyFourHour, showSeconds: Bool = false, dateFormat: String? = nil,
        style: TextStyle = TextStyle(), dateStyle: TextStyle? = nil
    ) {
        self.timezone = timezone
        self.format = format
        self.showSeconds = showSeconds
        self.dateFormat = dateFormat
        self.style = style
        self.dateStyle = dateStyle
    }
}

/// A PNG asset, named by the SHA-256 of its bytes, scaled into the region.
public struct ImageWidget: Hashable, Sendable {
    public var asset: String
    public var scaling: ImageFilter
    public var fit: ImageFit

    public init(asset: String, scaling: ImageFilter = .nearest, fit: ImageFit = .fit) {
        self.asset = asset
        self.scaling = scaling
        self.fit = fit
    }
}

/// A live sensor value: "label value unit", the value coloured by the band it falls in.
public struct LiveValueWidget: Hashable, Sendable {
    public static let decimalsRange = 0...6
    /// Shown instead of the number when the metric has no current value.
    public static let noData = "\u{2014}"

    public var label: String
    public var metric: String
    public var unit: String
    public var decimals: Int
    /// Nil draws the value in the style's colour.
    public var bands: ColorBands?
    public var style: TextStyle

    public init(label: String, metric: String, unit: String = "", decimals: Int = 0, bands: ColorBands? = nil, style: TextStyle = TextStyle()) {
        self.label = label
        self.metric = metric
        self.unit = unit
        self.decimals = decimals
        self.bands = bands
        self.style = style
    }
}

/// An emergency banner: a severity-coloured flashing border and text cycling through languages.
public struct AlertBannerWidget: Hashable, Sendable {
    /// Periods shorter than this would flash more than three times a second, the photosensitive-seizure threshold.
    public static let shortestFlashPeriod = 1.0 / 3.0

    public var severity: Severity
    public var texts: [Text]
    public var secondsPerLanguage: Double
    /// The border shows for the first half of each period and is dark for the second; 0 keeps it steady.
    public var flashPeriod: Double
    /// Font and colour of the body text; the headline uses the same font in the severity colour.
    public var style: TextStyle

    public init(severity: Severity, texts: [Text], secondsPerLanguage: Double = 5, flashPeriod: Double = 0.5, style: TextStyle = TextStyle()) {
        self.severity = severity
        self.texts = texts
        self.secondsPerLanguage = secondsPerLanguage
        self.flashPeriod = flashPeriod
        self.style = style
    }
}

extension AlertBannerWidget {
    /// One language's wording of an alert.
    public struct Text: Hashable, Sendable, Codable {
        public var language: String
        public var headline: String
        public var text: String

        public init(language: String, headline: String, text: String) {
            self.language = language
            self.headline = headline
            self.text = text
        }
    }

    /// CAP 1.2 severity, spelled as CAP spells it.
    public enum Severity: String, Codable, Sendable, CaseIterable {
        case extreme = "Extreme"
        case severe = "Severe"
        case moderate = "Moderate"
        case minor = "Minor"
        case unknown = "Unknown"

        /// Red for life-threatening alerts, amber and yellow below, white when the sender did not say.
        public var color: RGB {
            switch self {
            case .extreme, .severe: .red
            case .moderate: .amber
            case .minor: .yellow
            case .unknown: .white
            }
        }
    }
}

/// Value → colour bands: a value takes the first band whose `upTo` it does not exceed, else the last band.
public struct ColorBands: Hashable, Sendable {
    /// One band: values up to and including `upTo` show in `color`.
    public struct Band: Hashable, Sendable {
        public var upTo: Double
        public var color: RGB

        public init(upTo: Double, color: RGB) {
            self.upTo = upTo
            self.color = color
        }
    }

    public var bands: [Band]
    /// The preset's JSON name when these bands came from one, so they encode back as the name.
    public let preset: String?

    public init(_ bands: [Band]) {
        self.bands = bands
        preset = nil
    }

    private init(preset: String, _ bands: [Band]) {
        self.bands = bands
        self.preset = preset
    }

    /// The US EPA PM2.5 AQI categories (µg/m³): good, moderate, unhealthy for sensitive groups,
    /// unhealthy, very unhealthy, hazardous.
    public static let pm25AQI = ColorBands(preset: "pm25", [
        Band(upTo: 12, color: RGB(0, 228, 0)),
        Band(upTo: 35.4, color: RGB(255, 255, 0)),
        Band(upTo: 55.4, color: RGB(255, 126, 0)),
        Band(upTo: 150.4, color: RGB(255, 0, 0)),
        Band(upTo: 250.4, color: RGB(143, 63, 151)),
        Band(upTo: 500.4, color: RGB(126, 0, 35)),
    ])

    /// Presets a layout can name instead of listing bands.
    public static let presets: [String: ColorBands] = ["pm25": pm25AQI]

    public func color(for value: Double) -> RGB? {
        bands.first { value <= $0.upTo }?.color ?? bands.last?.color
    }
}
