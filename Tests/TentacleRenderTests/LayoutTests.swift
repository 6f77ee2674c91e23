import Foundation
import Testing
@testable import TentacleRender

@Suite("Layout JSON and validation")
struct LayoutTests {
    static let example = """
        {"version": 1, "width": 192, "height": 96, "background": "#000000",
         "regions": [
          {"id": "top", "x": 0, "y": 0, "width": 192, "height": 16, "z": 0, "background": "#001020",
           "playlist": [{"duration": 10, "widget": {"type": "marquee", "text": "Route 42 to Central Station", "speed": 40, "gap": 24,
                          "style": {"font": "6x13", "color": "#FFB000", "verticalAlign": "middle"}}}]},
          {"id": "clock", "x": 0, "y": 16, "width": 192, "height": 32,
           "playlist": [{"duration": 5, "widget": {"type": "clock", "timezone": "Asia/Shanghai", "format": "24h", "dateFormat": "EEE d MMM",
                          "style": {"align": "center"}}},
                        {"duration": 5, "widget": {"type": "text", "text": "空气质量 良"}}]},
          {"id": "air", "x": 0, "y": 48, "width": 192, "height": 16,
           "playlist": [{"duration": 1, "widget": {"type": "liveValue", "label": "PM2.5", "metric": "pm25", "unit": "µg/m³", "bands": "pm25"}}]},
          {"id": "logo", "x": 0, "y": 64, "width": 32, "height": 32,
           "playlist": [{"duration": 1, "widget": {"type": "image", "asset": "\(String(repeating: "ab", count: 32))", "scaling": "box", "fit": "fill"}}]},
          {"id": "alert", "x": 32, "y": 64, "width": 160, "height": 32, "z": 5,
           "playlist": [{"duration": 1, "widget": {"type": "alertBanner", "severity": "Severe",
                          "texts": [{"language": "en", "headline": "Flood warning", "text": "Avoid the riverside"},
                                    {"language": "zh", "headline": "洪水警告", "text": "请远离河边"}],
                          "secondsPerLanguage": 4, "flashPeriod": 0.5}}]}
         ]}
        """

    static let assets = InMemoryAssets([String(repeating: "ab", count: 32): [1, 2, 3]])

    /// A 192×96 layout with one full-size region playing `widget`.
    static func single(_ widget: Widget, id: String = "main") -> Layout {
        Layout(width: 192, height: 96, regions: [
            Region(id: id, x: 0, y: 0, width: 192, height: 96, playlist: [PlaylistItem(duration: 5, widget: widget)]),
        ])
    }

    private func decodeError(_ json: String) -> LayoutError? {
        do {
            _ = try Layout(json: Data(json.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesTheDocumentedExample() throws {
        let layout = try Layout(json: Data(Self.example.utf8))
        #expect(layout.width == 192 && layout.height == 96)
        #expect(layout.regions.map(\.id) == ["top", "clock", "air", "logo", "alert"])
        #expect(layout.regions[0].background == RGB(0, 0x10, 0x20))
        guard case .marquee(let marquee) = layout.regions[0].playlist[0].widget else {
            Issue.record("not a marquee")
            return
        }
        #expect(marquee.speed == 40 && marquee.gap == 24)
        #expect(marquee.style.color == .amber && marquee.style.verticalAlign == .middle && marquee.style.font == "6x13")
        guard case .liveValue(let live) = layout.regions[2].playlist[0].widget else {
            Issue.record("not a live value")
            return
        }
        #expect(live.bands == .pm25AQI)
        #expect(layout.validate(assets: Self.assets) == [])
    }

    @Test func encodesBackToTheSameLayout() throws {
        let layout = try Layout(json: Data(Self.example.utf8))
        let again = try Layout(json: layout.json())
        #expect(again == layout)
        #expect(String(decoding: layout.json(), as: UTF8.self).contains("\"background\" : \"#001020\""))
    }

    @Test func unknownVersionIsRejectedByName() throws {
        let error = try #require(decodeError(#"{"version": 2, "width": 1, "height": 1, "regions": []}"#))
        #expect(error.path == "version")
        #expect(error.description.contains("unsupported layout version 2"))
    }

    @Test func unknownWidgetTypeNamesThePath() throws {
        let json = #"{"version":1,"width":64,"height":32,"regions":[{"id":"a","x":0,"y":0,"width":64,"height":32,"playlist":[{"duration":1,"widget":{"type":"video"}}]}]}"#
        let error = try #require(decodeError(json))
        #expect(error.path == "regions[0].playlist[0].widget.type")
        #expect(error.description.contains("unknown widget type \"video\""))
        #expect(error.description.contains("marquee"))
    }

    @Test func missingFieldNamesThePath() throws {
        let json = #"{"version":1,"width":64,"height":32,"regions":[{"id":"a","x":0,"y":0,"width":64,"height":32,"playlist":[{"widget":{"type":"text","text":"hi"}}]}]}"#
        let error = try #require(decodeError(json))
        #expect(error.path == "regions[0].playlist[0].duration")
        #expect(error.description.contains("missing required field \"duration\""))
    }

    @Test func badColourNamesThePath() throws {
        let json = #"{"version":1,"width":64,"height":32,"regions":[{"id":"a","x":0,"y":0,"width":64,"height":32,"background":"blue","playlist":[]}]}"#
        let error = try #require(decodeError(json))
        #expect(error.path == "regions[0].background")
        #expect(error.description.contains("#RRGGBB"))
    }

    @Test func wrongTypeNamesThePath() throws {
        let json = #"{"version":1,"width":"wide","height":32,"regions":[]}"#
        let error = try #require(decodeError(json))
        #expect(error.path == "width")
        #expect(error.description.contains("an integer"))
        let list = try #require(decodeError(#"{"version":1,"width":64,"height":32,"regions":{}}"#))
        #expect(list.path == "regions")
        #expect(list.description.contains("expected a list"), "\(list)")
    }

    @Test func brokenJSONSaysSo() throws {
        let error = try #require(decodeError("{\"version\": 1,"))
        #expect(error.description.contains("not valid JSON"))
    }

    // MARK: validation, one test per rule

    private func issues(_ layout: Layout) -> [LayoutIssue] {
        layout.validate(assets: Self.assets)
    }

    @Test func regionOutsideTheCanvas() {
        var layout = Self.single(.text(TextWidget(text: "hi")), id: "banner")
        layout.regions[0].x = 10
        layout.regions[0].height = 100
        let found = issues(layout)
        #expect(found.contains(LayoutIssue(region: "banner", field: "x", message: "the region spans x 10..<202, outside the canvas width 192")))
        #expect(found.contains { $0.region == "banner" && $0.field == "y" })
        #expect(found.map(\.description).contains { $0.hasPrefix("region \"banner\", x: ") })
    }

    @Test func emptyRegionSize() {
        var layout = Self.single(.text(TextWidget(text: "hi")))
        layout.regions[0].width = 0
        #expect(issues(layout).contains { $0.region == "main" && $0.field == "width" })
    }

    @Test(arguments: [(0, 96), (192, 0), (3841, 96), (192, 2161)])
    func canvasSizeOutOfRange(width: Int, height: Int) {
        var layout = Self.single(.text(TextWidget(text: "hi")))
        layout.width = width
        layout.height = height
        let field = width == 192 ? "height" : "width"
        #expect(issues(layout).contains { $0.region == nil && $0.field == field })
    }

    @Test func unknownFont() throws {
        var style = TextStyle()
        style.font = "comic-sans"
        let found = issues(Self.single(.text(TextWidget(text: "hi", style: style))))
        let issue = try #require(found.first { $0.field == "playlist[0].widget.style.font" })
        #expect(issue.region == "main")
        #expect(issue.message.contains("comic-sans"))
        #expect(issue.message.contains("6x13"))
    }

    @Test func emptyText() {
        #expect(issues(Self.single(.text(TextWidget(text: "  ")))) == [
            LayoutIssue(region: "main", field: "playlist[0].widget.text", message: "is empty"),
        ])
        #expect(issues(Self.single(.marquee(MarqueeWidget(text: "")))).map(\.field) == ["playlist[0].widget.text"])
    }

    @Test(arguments: [0.0, -5, 2001, .infinity, .nan])
    func marqueeSpeedOutOfRange(speed: Double) {
        let found = issues(Self.single(.marquee(MarqueeWidget(text: "go", speed: speed))))
        #expect(found.map(\.field) == ["playlist[0].widget.speed"])
        #expect(found.first?.message.contains("px/s") == true)
    }

    @Test func marqueeGapOutOfRange() {
        #expect(issues(Self.single(.marquee(MarqueeWidget(text: "go", gap: -1)))).map(\.field) == ["playlist[0].widget.gap"])
    }

    @Test(arguments: [0, 5])
    func scaleOutOfRange(scale: Int) {
        var style = TextStyle()
        style.scale = scale
        #expect(issues(Self.single(.text(TextWidget(text: "hi", style: style)))).map(\.field) == ["playlist[0].widget.style.scale"])
    }

    @Test func lineSpacingOutOfRange() {
        var style = TextStyle()
        style.lineSpacing = -1
        #expect(issues(Self.single(.text(TextWidget(text: "hi", style: style)))).map(\.field) == ["playlist[0].widget.style.lineSpacing"])
    }

    @Test func missingAsset() {
        let found = issues(Self.single(.image(ImageWidget(asset: "00ff"))))
        #expect(found == [LayoutIssue(region: "main", field: "playlist[0].widget.asset", message: "no asset with SHA-256 00ff")])
    }

    @Test func unknownTimezone() {
        let found = issues(Self.single(.clock(ClockWidget(timezone: "Mars/Olympus_Mons"))))
        #expect(found.map(\.field) == ["playlist[0].widget.timezone"])
        #expect(issues(Self.single(.clock(ClockWidget(timezone: "Europe/Berlin")))) == [])
    }

    @Test func emptyDateFormat() {
        #expect(issues(Self.single(.clock(ClockWidget(timezone: "UTC", dateFormat: " ")))).map(\.field) == ["playlist[0].widget.dateFormat"])
    }

    @Test func duplicateRegionIDs() {
        var layout = Self.single(.text(TextWidget(text: "hi")), id: "twin")
        layout.regions.append(layout.regions[0])
        #expect(issues(layout) == [LayoutIssue(region: "twin", field: "id", message: "is used by more than one region")])
    }

    @Test func emptyRegionID() {
        #expect(issues(Self.single(.text(TextWidget(text: "hi")), id: "")).map(\.field) == ["id"])
    }

    @Test func emptyPlaylist() {
        var layout = Self.single(.text(TextWidget(text: "hi")))
        layout.regions[0].playlist = []
        #expect(issues(layout) == [LayoutIssue(region: "main", field: "playlist", message: "is empty; add at least one item")])
    }

    @Test(arguments: [0.0, -1, .nan, .infinity])
    func nonPositiveDuration(duration: Double) {
        var layout = Self.single(.text(TextWidget(text: "hi")))
        layout.regions[0].playlist[0].duration = duration
        #expect(issues(layout).map(\.field) == ["playlist[0].duration"])
    }

    @Test func liveValueRules() {
        let bad = LiveValueWidget(label: "PM2.5", metric: "", decimals: 7, bands: ColorBands([.init(upTo: 50, color: .red), .init(upTo: 10, color: .green)]))
        #expect(issues(Self.single(.liveValue(bad))).map(\.field) == [
            "playlist[0].widget.metric", "playlist[0].widget.decimals", "playlist[0].widget.bands",
        ])
    }

    @Test func alertBannerRules() {
        let noTexts = AlertBannerWidget(severity: .severe, texts: [])
        #expect(issues(Self.single(.alertBanner(noTexts))).map(\.field) == ["playlist[0].widget.texts"])
        let bad = AlertBannerWidget(severity: .minor, texts: [AlertBannerWidget.Text(language: "en", headline: "", text: "")], secondsPerLanguage: 0, flashPeriod: 0.1)
        let found = issues(Self.single(.alertBanner(bad)))
        #expect(found.map(\.field) == ["playlist[0].widget.texts[0]", "playlist[0].widget.secondsPerLanguage", "playlist[0].widget.flashPeriod"])
        #expect(found.last?.message.contains("seizures") == true)
        let steady = AlertBannerWidget(severity: .minor, texts: [AlertBannerWidget.Text(language: "en", headline: "Fog", text: "")], flashPeriod: 0)
        #expect(issues(Self.single(.alertBanner(steady))) == [])
    }

    @Test func validatedThrowsEveryIssue() throws {
        var layout = Self.single(.marquee(MarqueeWidget(text: "", speed: 0)))
        layout.width = 0
        do {
            _ = try layout.validated(assets: Self.assets)
            Issue.record("validated an invalid layout")
        } catch {
            #expect(error.issues.count == 4)
            #expect(error.description.contains("region \"main\", playlist[0].widget.speed"))
        }
    }

    @Test func exampleLayoutsInTheRepositoryValidate() throws {
        let folder = Resources.exampleLayouts
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 3)
        for file in files {
            let layout = try Layout(json: Data(contentsOf: folder.appendingPathComponent(file)))
            #expect(layout.validate(assets: InMemoryAssets()) == [], "\(file)")
        }
    }

    // MARK: time

    @Test func playlistItemIsAPureFunctionOfTime() {
        let items = [3.0, 1.0, 2.0].enumerated().map { PlaylistItem(duration: $1, widget: .text(TextWidget(text: "\($0)"))) }
        let region = Region(id: "r", x: 0, y: 0, width: 1, height: 1, playlist: items)
        func shown(_ t: Double) -> String? {
            if case .text(let w) = region.currentItem(at: t)?.widget { return w.text }
            return nil
        }
        #expect([0, 2.99, 3, 3.5, 4, 5.99, 6, 1_767_225_600 + 4].map(shown) == ["0", "0", "1", "1", "2", "2", "0", "2"])
        #expect(shown(-1) == "2")
    }

    @Test func marqueeOffsetLoops() {
        let marquee = MarqueeWidget(text: "x", speed: 40, gap: 10)
        #expect(marquee.offset(at: 0, textWidth: 90) == 0)
        #expect(marquee.offset(at: 0.5, textWidth: 90) == 20)
        #expect(marquee.offset(at: 2.5, textWidth: 90) == 0)
        #expect(marquee.offset(at: 3.25, textWidth: 90) == 30)
        #expect(marquee.offset(at: -0.5, textWidth: 90) == 80)
        #expect(MarqueeWidget(text: "x", speed: .infinity).offset(at: 1, textWidth: 5) == 0)
    }

    @Test func alertFlashesAtTwoHertzAndCyclesLanguages() {
        let alert = AlertBannerWidget(severity: .extreme, texts: [
            AlertBannerWidget.Text(language: "en", headline: "A", text: ""), AlertBannerWidget.Text(language: "zh", headline: "B", text: ""),
        ], secondsPerLanguage: 4, flashPeriod: 0.5)
        #expect([0, 0.2, 0.25, 0.49, 0.5, 100.1, 100.3].map(alert.borderVisible) == [true, true, false, false, true, true, false])
        #expect([0, 3.9, 4, 7.9, 8].map { alert.currentText(at: $0)?.language } == ["en", "en", "zh", "zh", "en"])
    }

    @Test func severityColours() {
        #expect(AlertBannerWidget.Severity.allCases.map(\.color) == [.red, .red, .amber, .yellow, .white])
    }

    @Test func pm25Bands() {
        let colors = [0, 12, 12.1, 35.4, 40, 55.5, 200, 300, 900].map { ColorBands.pm25AQI.color(for: $0) }
        #expect(colors == [
            RGB(0, 228, 0), RGB(0, 228, 0), .yellow, .yellow, RGB(255, 126, 0), .red, RGB(143, 63, 151), RGB(126, 0, 35), RGB(126, 0, 35),
        ])
    }

    @Test func liveValueFormatting() {
        let widget = LiveValueWidget(label: "T", metric: "t", decimals: 1)
        #expect([37, 3.14159, -0.04, -2.25, 1e300].map { widget.formatted($0) } == ["37.0", "3.1", "0.0", "-2.3", "1e+300"])
        #expect(widget.formatted(nil) == "—")
        #expect(widget.formatted(.nan) == "—")
        #expect(LiveValueWidget(label: "", metric: "x").formatted(12.5) == "13")
    }

    @Test func hexColours() {
        #expect(RGB(hex: "#ffb000") == .amber)
        #expect(RGB.amber.hex == "#FFB000")
        #expect(RGB(hex: "ffb000") == nil)
        #expect(RGB(hex: "#ffb00g") == nil)
    }
}
