import Foundation

extension Layout {
    /// Extra pixels between wrapped lines.
    public static let lineSpacingRange = 0...64

    /// Every problem in this layout, each naming its region and field; empty when it will render as meant.
    public func validate(fonts: FontLibrary = .shared, assets: some AssetSource) -> [LayoutIssue] {
        var issues: [LayoutIssue] = []
        if !Layout.widthRange.contains(width) {
            issues.append(LayoutIssue(region: nil, field: "width", message: "\(width) is outside \(Layout.widthRange.lowerBound)...\(Layout.widthRange.upperBound) pixels"))
        }
        if !Layout.heightRange.contains(height) {
            issues.append(LayoutIssue(region: nil, field: "height", message: "\(height) is outside \(Layout.heightRange.lowerBound)...\(Layout.heightRange.upperBound) pixels"))
        }
        var seen: Set<String> = []
        for (index, region) in regions.enumerated() {
            var check = RegionCheck(region: region, fonts: Set(fonts.names), assets: assets)
            if region.id.isEmpty {
                check.issue("id", "is empty; give every region a unique id (regions[\(index)])")
            } else if !seen.insert(region.id).inserted {
                check.issue("id", "is used by more than one region")
            }
            check.geometry(canvasWidth: width, canvasHeight: height)
            check.playlist()
            issues += check.issues
        }
        return issues
    }

    /// This layout, or an error listing every issue `validate` finds.
    public func validated(fonts: FontLibrary = .shared, assets: some AssetSource) throws(LayoutError) -> Layout {
        let issues = validate(fonts: fonts, assets: assets)
        guard issues.isEmpty else { throw .invalid(issues) }
        return self
    }
}

/// Collects the issues of one region.
private struct RegionCheck<Assets: AssetSource> {
    let region: Region
    let fonts: Set<String>
    let assets: Assets
    var issues: [LayoutIssue] = []

    init(region: Region, fonts: Set<String>, assets: Assets) {
        self.region = region
        self.fonts = fonts
        self.assets = assets
    }

    mutating func issue(_ field: String, _ message: String) {
        issues.append(LayoutIssue(region: region.id, field: field, message: message))
    }

    mutating func geometry(canvasWidth: Int, canvasHeight: Int) {
        if region.width <= 0 { issue("width", "\(region.width) must be at least 1") }
        if region.height <= 0 { issue("height", "\(region.height) must be at least 1") }
        guard region.width > 0, region.height > 0 else { return }
        if region.x < 0 || region.rect.maxX > canvasWidth {
            issue("x", "the region spans x \(region.x)..<\(region.rect.maxX), outside the canvas width \(canvasWidth)")
        }
        if region.y < 0 || region.rect.maxY > canvasHeight {
            issue("y", "the region spans y \(region.y)..<\(region.rect.maxY), outside the canvas height \(canvasHeight)")
        }
    }

    mutating func playlist() {
        if region.playlist.isEmpty { issue("playlist", "is empty; add at least one item") }
        for (i, item) in region.playlist.enumerated() {
            let path = "playlist[\(i)]"
            if !(item.duration.isFinite && item.duration > 0) {
                issue("\(path).duration", "\(item.duration) must be a positive number of seconds")
            }
            widget(item.widget, path: "\(path).widget")
        }
    }

    private mutating func widget(_ widget: Widget, path: String) {
        switch widget {
        case .text(let w):
            text(w.text, path: "\(path).text")
            style(w.style, path: "\(path).style")
        case .marquee(let w):
            text(w.text, path: "\(path).text")
            if !MarqueeWidget.speedRange.contains(w.speed) {
                issue("\(path).speed", "\(w.speed) px/s is outside \(range(MarqueeWidget.speedRange)) px/s")
            }
            if !MarqueeWidget.gapRange.contains(w.gap) {
                issue("\(path).gap", "\(w.gap) px is outside \(range(MarqueeWidget.gapRange)) px")
            }
            style(w.style, path: "\(path).style")
        case .clock(let w):
            if TimeZone(identifier: w.timezone) == nil {
                issue("\(path).timezone", "\"\(w.timezone)\" is not an IANA timezone (e.g. \"Europe/Berlin\")")
            }
            if let date = w.dateFormat, date.trimmingCharacters(in: .whitespaces).isEmpty {
                issue("\(path).dateFormat", "is empty; leave it out or write \"none\" for no date")
            }
            style(w.style, path: "\(path).style")
            if let dateStyle = w.dateStyle { style(dateStyle, path: "\(path).dateStyle") }
        case .image(let w):
            if !assets.contains(sha256: w.asset) {
                issue("\(path).asset", "no asset with SHA-256 \(w.asset)")
            }
        case .liveValue(let w):
            if w.metric.isEmpty { issue("\(path).metric", "is empty; name the metric, e.g. \"pm25\"") }
            if !LiveValueWidget.decimalsRange.contains(w.decimals) {
                issue("\(path).decimals", "\(w.decimals) is outside \(range(LiveValueWidget.decimalsRange))")
            }
            if let bands = w.bands {
                if bands.bands.isEmpty { issue("\(path).bands", "is empty; leave it out or list at least one band") }
                if zip(bands.bands, bands.bands.dropFirst()).contains(where: { !($0.upTo < $1.upTo) }) {
                    issue("\(path).bands", "upTo values must increase from band to band")
                }
            }
            style(w.style, path: "\(path).style")
        case .alertBanner(let w):
            if w.texts.isEmpty { issue("\(path).texts", "is empty; give the alert text in at least one language") }
            for (j, t) in w.texts.enumerated() where t.headline.isEmpty && t.text.isEmpty {
                issue("\(path).texts[\(j)]", "headline and text are both empty")
            }
            if !(w.secondsPerLanguage.isFinite && w.secondsPerLanguage > 0) {
                issue("\(path).secondsPerLanguage", "\(w.secondsPerLanguage) must be a positive number of seconds")
            }
            if !(w.flashPeriod == 0 || (w.flashPeriod.isFinite && w.flashPeriod >= AlertBannerWidget.shortestFlashPeriod)) {
                issue("\(path).flashPeriod", "\(w.flashPeriod) s must be 0 (steady) or at least 1/3 s: faster flashing can trigger seizures")
            }
            style(w.style, path: "\(path).style")
        }
    }

    private mutating func text(_ text: String, path: String) {
        if text.allSatisfy(\.isWhitespace) { issue(path, "is empty") }
    }

    private mutating func style(_ style: TextStyle, path: String) {
        if !fonts.contains(style.font) {
            issue("\(path).font", "unknown font \"\(style.font)\"; available: \(fonts.sorted().joined(separator: ", "))")
        }
        if !TextStyle.scaleRange.contains(style.scale) {
            issue("\(path).scale", "\(style.scale) is outside \(range(TextStyle.scaleRange))")
        }
        if !Layout.lineSpacingRange.contains(style.lineSpacing) {
            issue("\(path).lineSpacing", "\(style.lineSpacing) is outside \(range(Layout.lineSpacingRange))")
        }
    }

    private func range<T>(_ r: ClosedRange<T>) -> String {
        "\(r.lowerBound)...\(r.upperBound)"
    }
}
