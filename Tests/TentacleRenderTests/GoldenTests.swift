import Foundation
import Testing
@testable import TentacleRender

/// Checked-in frames: each case renders a layout at a fixed time and must match Golden/<name>.png
/// pixel for pixel. A mismatch writes Golden/<name>.actual.png beside it; run with
/// TENTACLE_RECORD_GOLDEN=1 to (re)write the expected files after checking the actual ones.
@Suite("Golden frames")
struct GoldenTests {
    /// 2026-01-01 08:00 in Shanghai, 01:00 in Berlin.
    static let newYearMorning = Date(timeIntervalSince1970: 1_767_225_600)
    static let busIcon = String(repeating: "b1", count: 32)
    static let ringIcon = String(repeating: "c2", count: 32)

    static let renderer = Renderer(assets: assets)
    static var assets: InMemoryAssets {
        InMemoryAssets([
            busIcon: (try? Resources.input("bus_palette.png")) ?? [],
            ringIcon: (try? Resources.input("ring_greyalpha.png")) ?? [],
        ])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let layout: @Sendable () throws -> Layout
        var time = GoldenTests.newYearMorning
        var data: [String: Double] = [:]
        var output: OutputStage?

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "busstop_192x96", layout: { try example("bus-stop-192x96") }, data: ["pm25": 37]),
        Case(name: "busstop_brightness50_192x96", layout: { try example("bus-stop-192x96") }, data: ["pm25": 37],
             output: OutputStage(brightness: 50, gamma: .none)),
        Case(name: "busstop_gamma22_192x96", layout: { try example("bus-stop-192x96") }, data: ["pm25": 37],
             output: OutputStage(brightness: 100, gamma: .power(2.2))),
        Case(name: "busstop_cie1931_brightness80_192x96", layout: { try example("bus-stop-192x96") }, data: ["pm25": 37],
             output: OutputStage(brightness: 80, gamma: .cie1931)),
        Case(name: "marquee_t0_192x96", layout: { marquee }, time: Date(timeIntervalSince1970: 0)),
        Case(name: "marquee_t0.5_192x96", layout: { marquee }, time: Date(timeIntervalSince1970: 0.5)),
        Case(name: "marquee_t3.25_192x96", layout: { marquee }, time: Date(timeIntervalSince1970: 3.25)),
        // Just after the loop wraps: see marqueeWrapTimeIsJustAfterTheLoop.
        Case(name: "marquee_wrap_192x96", layout: { marquee }, time: Date(timeIntervalSince1970: 7)),
        Case(name: "clock_shanghai_berlin_192x96", layout: { twoClocks }),
        Case(name: "clock_12h_seconds_128x64", layout: { clock12h }, time: newYearMorning.addingTimeInterval(13 * 3600 + 7 * 60 + 9)),
        Case(name: "livevalue_bands_nodata_192x96", layout: { liveValues }, data: ["pm25": 8, "no2": 212.5]),
        Case(name: "livevalue_orange_64x32", layout: { narrowLiveValue }, data: ["pm25": 37]),
        Case(name: "livevalue_nodata_64x32", layout: { narrowLiveValue }),
        Case(name: "alert_flash_on_128x64", layout: { try example("alert-128x64") }, time: newYearMorning.addingTimeInterval(0.1)),
        Case(name: "alert_flash_off_128x64", layout: { try example("alert-128x64") }, time: newYearMorning.addingTimeInterval(0.3)),
        Case(name: "alert_chinese_128x64", layout: { try example("alert-128x64") }, time: newYearMorning.addingTimeInterval(4.1)),
        Case(name: "alert_strip_over_scene_192x96", layout: { try alertStrip() }, data: ["pm25": 8]),
        Case(name: "image_palette_greyalpha_192x96", layout: { images }),
        Case(name: "text_cjk_192x96", layout: { cjk }),
        Case(name: "notice_cjk_64x32", layout: { try example("notice-cjk-64x32") }),
        Case(name: "notice_latin_64x32", layout: { try example("notice-cjk-64x32") }, time: newYearMorning.addingTimeInterval(7)),
        Case(name: "text_mixed_wrap_192x96", layout: { mixedWrap }),
        Case(name: "text_scale2_128x64", layout: { scaled }),
        Case(name: "text_outline_shadow_192x96", layout: { outlineShadow }),
        Case(name: "text_alignment_192x96", layout: { alignment }),
        Case(name: "regions_z_order_128x64", layout: { zOrder }),
    ]

    @Test(arguments: cases)
    func golden(_ c: Case) throws {
        let layout = try c.layout()
        #expect(layout.validate(assets: Self.assets) == [], "the golden layout itself must be valid")
        var frame = Self.renderer.render(layout, at: c.time, data: c.data)
        if let output = c.output { frame = output.apply(to: frame) }
        try Golden.check(frame, named: c.name)
    }

    @Test func sameTimeGivesTheSameFrame() throws {
        let layout = try Self.example("bus-stop-192x96")
        let t = Self.newYearMorning.addingTimeInterval(12.345)
        let a = Self.renderer.render(layout, at: t, data: ["pm25": 37])
        let b = Renderer(assets: Self.assets).render(layout, at: t, data: ["pm25": 37])
        var reused = Frame(width: 192, height: 96, background: .red)
        Self.renderer.render(layout, at: t, data: ["pm25": 37], into: &reused)
        #expect(a == b)
        #expect(a == reused)
    }

    @Test func marqueeWrapTimeIsJustAfterTheLoop() {
        guard case .marquee(let ticker) = Self.marquee.regions[1].playlist[0].widget else {
            Issue.record("not a marquee")
            return
        }
        // 31 Latin cells of 6 px and 3 CJK cells of 16 px, plus the 40-px gap: a 274-px loop at 40 px/s.
        let width = TextRenderer().measure(ticker.text, style: ticker.style)
        #expect(width + ticker.gap == 274)
        #expect(ticker.offset(at: 6.8, textWidth: width) == 272)
        #expect(ticker.offset(at: 7, textWidth: width) == 6)
    }

    // MARK: layouts

    static func example(_ name: String) throws -> Layout {
        try Layout(json: Data(contentsOf: Resources.exampleLayouts.appendingPathComponent("\(name).json")))
    }

    static func screen(_ width: Int, _ height: Int, _ regions: [Region]) -> Layout {
        Layout(width: width, height: height, regions: regions)
    }

    static func region(_ id: String, _ x: Int, _ y: Int, _ w: Int, _ h: Int, z: Int = 0, background: RGB? = nil, _ widget: Widget) -> Region {
        Region(id: id, x: x, y: y, width: w, height: h, z: z, background: background, playlist: [PlaylistItem(duration: 10, widget: widget)])
    }

    static let amber = TextStyle(color: .amber, verticalAlign: .middle)

    static var marquee: Layout {
        screen(192, 96, [
            region("title", 0, 0, 192, 16, background: RGB(0, 32, 64), .text(TextWidget(text: "Marquee", style: TextStyle(color: .white, align: .center, verticalAlign: .middle)))),
            region("ticker", 0, 40, 192, 16, background: RGB(32, 0, 0), .marquee(MarqueeWidget(
                text: "Next bus: 42 Central Station · 下一班", speed: 40, gap: 40, style: amber))),
        ])
    }

    static var twoClocks: Layout {
        let big = TextStyle(font: "9x18", scale: 2, color: .white, align: .center, verticalAlign: .middle, lineSpacing: 4)
        let date = TextStyle(color: .amber, align: .center)
        let label = TextStyle(color: RGB(160, 160, 160), align: .center, verticalAlign: .middle)
        let panel = RGB(16, 16, 16)
        return screen(192, 96, [
            region("sh-label", 0, 0, 96, 16, .text(TextWidget(text: "Shanghai", style: label))),
            region("sh-clock", 0, 16, 96, 80, .clock(ClockWidget(timezone: "Asia/Shanghai", dateFormat: "EEE d MMM", style: big, dateStyle: date))),
            region("be-label", 96, 0, 96, 16, background: panel, .text(TextWidget(text: "Berlin", style: label))),
            region("be-clock", 96, 16, 96, 80, background: panel, .clock(ClockWidget(timezone: "Europe/Berlin", dateFormat: "yyyy-MM-dd", style: big, dateStyle: date))),
        ])
    }

    static var clock12h: Layout {
        screen(128, 64, [
            region("clock", 0, 0, 128, 64, .clock(ClockWidget(
                timezone: "America/New_York", format: .twelveHour, showSeconds: true, dateFormat: "EEE d MMM",
                style: TextStyle(font: "9x18", color: .green, align: .center, verticalAlign: .middle, lineSpacing: 2),
                dateStyle: TextStyle(color: .white, align: .center)))),
        ])
    }

    static var liveValues: Layout {
        let style = TextStyle(font: "9x18", align: .left, verticalAlign: .middle)
        let no2Bands = ColorBands([.init(upTo: 100, color: .green), .init(upTo: 200, color: .amber), .init(upTo: 400, color: .red)])
        return screen(192, 96, [
            region("pm25", 4, 0, 188, 32, .liveValue(LiveValueWidget(label: "PM2.5", metric: "pm25", unit: "µg/m³", bands: .pm25AQI, style: style))),
            region("no2", 4, 32, 188, 32, .liveValue(LiveValueWidget(label: "NO₂", metric: "no2", unit: "µg/m³", decimals: 1, bands: no2Bands, style: style))),
            region("noise", 4, 64, 188, 32, .liveValue(LiveValueWidget(label: "Noise", metric: "noise_dba", unit: "dB(A)", decimals: 1, style: style))),
        ])
    }

    static var narrowLiveValue: Layout {
        screen(64, 32, [
            region("pm25", 0, 0, 64, 32, .liveValue(LiveValueWidget(
                label: "PM2.5", metric: "pm25", unit: "µg/m³", bands: .pm25AQI, style: TextStyle(align: .center, verticalAlign: .middle)))),
        ])
    }

    static func alertStrip() throws -> Layout {
        var layout = try example("bus-stop-192x96")
        layout.regions.append(region("alert", 0, 68, 192, 28, z: 10, background: .black, .alertBanner(AlertBannerWidget(
            severity: .extreme, texts: [AlertBannerWidget.Text(language: "en", headline: "Tornado warning", text: "take shelter now")],
            style: TextStyle(align: .center, verticalAlign: .middle)))))
        return layout
    }

    static var images: Layout {
        screen(192, 96, [
            region("bus", 0, 0, 64, 64, background: RGB(0, 0, 0), .image(ImageWidget(asset: busIcon, scaling: .nearest, fit: .fit))),
            region("bus-wide", 64, 0, 64, 32, background: RGB(40, 40, 40), .image(ImageWidget(asset: busIcon, scaling: .box, fit: .fit))),
            region("bus-fill", 64, 32, 64, 32, background: RGB(40, 40, 40), .image(ImageWidget(asset: busIcon, scaling: .nearest, fit: .fill))),
            region("ring", 128, 0, 64, 64, background: RGB(0, 60, 120), .image(ImageWidget(asset: ringIcon, scaling: .box, fit: .fit))),
            region("ring-stretch", 0, 64, 192, 32, background: RGB(120, 0, 60), .image(ImageWidget(asset: ringIcon, scaling: .box, fit: .stretch))),
        ])
    }

    static var cjk: Layout {
        screen(192, 96, [
            region("air", 0, 4, 192, 40, .text(TextWidget(text: "空气质量 良", style: TextStyle(font: "unifont", scale: 2, color: RGB(0, 228, 0), align: .center, verticalAlign: .middle)))),
            region("works", 0, 52, 192, 40, background: RGB(40, 24, 0), .text(TextWidget(text: "前方施工 请绕行", style: TextStyle(font: "unifont", color: .amber, align: .center, verticalAlign: .middle)))),
        ])
    }

    static var mixedWrap: Layout {
        screen(192, 96, [
            region("text", 2, 2, 188, 92, .text(TextWidget(
                text: "Line 3 to 火车站 via 人民广场: delays of 10 minutes 因道路施工 until 18:00.",
                style: TextStyle(color: .white, lineSpacing: 1)))),
        ])
    }

    static var scaled: Layout {
        screen(128, 64, [
            region("route", 0, 0, 128, 32, background: RGB(0, 80, 160), .text(TextWidget(text: "Bus 42", style: TextStyle(scale: 2, align: .center, verticalAlign: .middle)))),
            region("eta", 0, 32, 128, 32, .text(TextWidget(text: "3 min", style: TextStyle(font: "5x8", scale: 3, color: .amber, align: .center, verticalAlign: .middle)))),
        ])
    }

    static var outlineShadow: Layout {
        screen(192, 96, [
            region("outline", 0, 0, 192, 48, background: RGB(255, 200, 0), .text(TextWidget(text: "Outlined 描边", style: TextStyle(
                font: "9x18", color: .white, outline: .black, align: .center, verticalAlign: .middle)))),
            region("shadow", 0, 48, 192, 48, background: RGB(0, 60, 140), .text(TextWidget(text: "Shadowed 阴影", style: TextStyle(
                font: "9x18", color: .white, shadow: .black, align: .center, verticalAlign: .middle)))),
        ])
    }

    static var alignment: Layout {
        let h: [HorizontalAlignment] = [.left, .center, .right]
        let v: [VerticalAlignment] = [.top, .middle, .bottom]
        var regions: [Region] = []
        for (row, va) in v.enumerated() {
            for (column, ha) in h.enumerated() {
                let shade = UInt8(30 + 30 * ((row + column) % 2))
                regions.append(region("\(va.rawValue)-\(ha.rawValue)", column * 64, row * 32, 64, 32, background: RGB(shade, shade, shade),
                                      .text(TextWidget(text: "\(ha.rawValue.prefix(1).uppercased())\(va.rawValue.prefix(1).uppercased())",
                                                       style: TextStyle(color: .yellow, align: ha, verticalAlign: va)))))
            }
        }
        return screen(192, 96, regions)
    }

    static var zOrder: Layout {
        screen(128, 64, [
            region("top", 40, 16, 60, 32, z: 2, background: .blue, .text(TextWidget(text: "z2", style: TextStyle(align: .center, verticalAlign: .middle)))),
            region("bottom", 0, 0, 80, 48, z: 0, background: .red, .text(TextWidget(text: "z0", style: TextStyle()))),
            region("middle-a", 20, 8, 60, 40, z: 1, background: .green, .text(TextWidget(text: "z1a", style: TextStyle(color: .black)))),
            region("middle-b", 60, 24, 68, 40, z: 1, background: RGB(128, 0, 128), .text(TextWidget(text: "z1b", style: TextStyle(align: .right, verticalAlign: .bottom)))),
            region("overlay", 0, 54, 128, 10, z: 3, .text(TextWidget(text: "no background", style: TextStyle(font: "5x8", color: .white)))),
        ])
    }
}

/// Compares a frame with its checked-in PNG, writing the actual frame beside it on a mismatch.
enum Golden {
    static var recording: Bool { ProcessInfo.processInfo.environment["TENTACLE_RECORD_GOLDEN"] == "1" }

    static func check(_ frame: Frame, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expectedFile = Resources.source.appendingPathComponent("\(name).png")
        let actualFile = Resources.source.appendingPathComponent("\(name).actual.png")
        if recording {
            try Data(PNG.encode(frame)).write(to: expectedFile)
            try? FileManager.default.removeItem(at: actualFile)
            return
        }
        guard let expectedBytes = try? Data(contentsOf: Resources.bundled.appendingPathComponent("\(name).png")) else {
            try Data(PNG.encode(frame)).write(to: actualFile)
            Issue.record("no golden \(name).png; check \(actualFile.path) and run with TENTACLE_RECORD_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        let expected = try PNG.decode([UInt8](expectedBytes))
        if expected == frame {
            try? FileManager.default.removeItem(at: actualFile)
            return
        }
        try Data(PNG.encode(frame)).write(to: actualFile)
        let differing = expected.width == frame.width && expected.height == frame.height
            ? stride(from: 0, to: frame.bytes.count, by: 3).count { frame.bytes[$0..<$0 + 3] != expected.bytes[$0..<$0 + 3] }
            : frame.width * frame.height
        Issue.record("\(name): \(differing) pixels differ from the golden; actual frame written to \(actualFile.path)", sourceLocation: sourceLocation)
    }
}
