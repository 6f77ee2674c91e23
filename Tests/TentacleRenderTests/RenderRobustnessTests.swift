import Foundation
import Testing
@testable import TentacleRender

/// Random layouts, strings, times and data: rendering and validation must finish without trapping.
@Suite("Renderer robustness")
struct RenderRobustnessTests {
    /// A small deterministic generator so a failure reproduces from its seed.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
    }

    static let fonts = ["5x8", "6x13", "9x18", "unifont", "missing"]

    static func string(_ rng: inout Random) -> String {
        let pools: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x00...0x1F, 0x300...0x36F, 0x4E00...0x9FFF, 0x590...0x6FF, 0x1F300...0x1FAFF, 0x10000...0x10FFFF, 0xFFF0...0xFFFF,
        ]
        let count = Int.random(in: 0...40, using: &rng)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<count {
            let pool = pools.randomElement(using: &rng)!
            if let scalar = Unicode.Scalar(UInt32.random(in: pool, using: &rng)) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    static func style(_ rng: inout Random) -> TextStyle {
        TextStyle(
            font: fonts.randomElement(using: &rng)!, scale: Int.random(in: -1...6, using: &rng),
            color: RGB(UInt8.random(in: 0...255, using: &rng), 0, 255),
            outline: Bool.random(using: &rng) ? .black : nil, shadow: Bool.random(using: &rng) ? .blue : nil,
            align: HorizontalAlignment.allCases.randomElement(using: &rng)!,
            verticalAlign: VerticalAlignment.allCases.randomElement(using: &rng)!,
            wrap: Bool.random(using: &rng), lineSpacing: Int.random(in: -3...5, using: &rng))
    }

    static func widget(_ rng: inout Random) -> Widget {
        let wild: [Double] = [0, -1, 0.3, 1, 7.5, 2000, 1e300, .infinity, -.infinity, .nan]
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return .text(TextWidget(text: string(&rng), style: style(&rng)))
        case 1: return .marquee(MarqueeWidget(text: string(&rng), speed: wild.randomElement(using: &rng)!, gap: Int.random(in: -10...500, using: &rng), style: style(&rng)))
        case 2: return .clock(ClockWidget(
            timezone: ["UTC", "Asia/Shanghai", "Nowhere/Zone", ""].randomElement(using: &rng)!,
            format: ClockWidget.Format.allCases.randomElement(using: &rng)!, showSeconds: Bool.random(using: &rng),
            dateFormat: [nil, "yyyy-MM-dd", "EEE d MMM", "'quoted", ""].randomElement(using: &rng)!, style: style(&rng)))
        case 3: return .image(ImageWidget(asset: ["ok", "broken", "absent"].randomElement(using: &rng)!,
                                          scaling: ImageFilter.allCases.randomElement(using: &rng)!, fit: ImageFit.allCases.randomElement(using: &rng)!))
        case 4: return .liveValue(LiveValueWidget(
            label: string(&rng), metric: ["pm25", "no2", ""].randomElement(using: &rng)!, unit: string(&rng),
            decimals: Int.random(in: -2...9, using: &rng), bands: Bool.random(using: &rng) ? .pm25AQI : ColorBands([]), style: style(&rng)))
        default: return .alertBanner(AlertBannerWidget(
            severity: AlertBannerWidget.Severity.allCases.randomElement(using: &rng)!,
            texts: (0..<Int.random(in: 0...3, using: &rng)).map { _ in AlertBannerWidget.Text(language: "x", headline: string(&rng), text: string(&rng)) },
            secondsPerLanguage: wild.randomElement(using: &rng)!, flashPeriod: wild.randomElement(using: &rng)!, style: style(&rng)))
        }
    }

    static func layout(_ rng: inout Random) -> Layout {
        let width = [1, 64, 192, 5000, 0, -3].randomElement(using: &rng)!
        let height = [1, 32, 96, 3000, 0].randomElement(using: &rng)!
        let regions = (0..<Int.random(in: 0...6, using: &rng)).map { i in
            Region(
                id: ["a", "b", ""].randomElement(using: &rng)! + "\(i % 3)",
                x: Int.random(in: -50...250, using: &rng), y: Int.random(in: -50...150, using: &rng),
                width: Int.random(in: -5...300, using: &rng), height: Int.random(in: -5...200, using: &rng),
                z: Int.random(in: -2...2, using: &rng), background: Bool.random(using: &rng) ? RGB(9, 9, 9) : nil,
                playlist: (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                    PlaylistItem(duration: [1, 0, -2, .nan, 1e300].randomElement(using: &rng)!, widget: widget(&rng))
                })
        }
        return Layout(width: width, height: height, background: .black, regions: regions)
    }

    @Test(arguments: 0..<40)
    func randomLayoutsRender(seed: Int) throws {
        var rng = Random(state: UInt64(seed) &+ 0xDEAD_BEEF)
        let png = try Resources.input("bus_palette.png")
        let assets = InMemoryAssets(["ok": png, "broken": Array(png.prefix(40))])
        let renderer = Renderer(assets: assets)
        let layout = Self.layout(&rng)
        _ = layout.validate(assets: assets)
        let times: [Double] = [0, -1e9, 1.7e9, 1e18, .nan, .infinity]
        for time in times {
            let date = Date(timeIntervalSince1970: time)
            let data = ["pm25": [37, .nan, -1e300].randomElement(using: &rng)!]
            let frame = renderer.render(layout, at: date, data: data)
            #expect(frame.bytes.count == frame.width * frame.height * 3)
            // A reused back buffer full of old pixels must end up the same as a fresh frame.
            var reused = Frame(width: frame.width, height: frame.height, background: RGB(1, 2, 3))
            renderer.render(layout, at: date, data: data, into: &reused)
            #expect(reused == frame)
        }
    }

    @Test func randomLayoutJSONNeverTraps() throws {
        var rng = Random(state: 7)
        let base = Array(LayoutTests.example.utf8)
        for _ in 0..<300 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0x20...0x7E, using: &rng)
            }
            if let layout = try? Layout(json: Data(bytes)) {
                _ = layout.validate(assets: InMemoryAssets())
                _ = Renderer().render(layout, at: Date(timeIntervalSince1970: 0))
            }
        }
    }

    /// Every numeric field of a layout document with the widget of each kind, by name.
    static let numericFields: [String: String] = [
        "width": "192", "height": "96",
        "r0x": "0", "r0y": "0", "r0w": "96", "r0h": "48", "r0z": "0", "r0d": "5", "scale": "1", "lineSpacing": "1",
        "r1x": "96", "r1y": "0", "r1w": "96", "r1h": "48", "r1z": "1", "r1d": "5", "speed": "32", "gap": "16", "marqueeScale": "2",
        "r2x": "0", "r2y": "48", "r2w": "96", "r2h": "48", "r2z": "2", "r2d": "5", "decimals": "1", "upTo": "12", "upTo2": "35", "valueSpacing": "0",
        "r3x": "96", "r3y": "48", "r3w": "96", "r3h": "48", "r3z": "3", "r3d": "5", "secondsPerLanguage": "4", "flashPeriod": "0.5",
        "r4x": "0", "r4y": "0", "r4w": "192", "r4h": "96", "r4z": "-1", "r4d": "5", "dateScale": "1",
    ]

    /// The document with each field's JSON number text from `v`.
    static func document(_ v: [String: String]) -> Data {
        func n(_ name: String) -> String { v[name]! }
        return Data("""
            {"version": 1, "width": \(n("width")), "height": \(n("height")), "regions": [
              {"id": "r0", "x": \(n("r0x")), "y": \(n("r0y")), "width": \(n("r0w")), "height": \(n("r0h")), "z": \(n("r0z")),
               "playlist": [{"duration": \(n("r0d")), "widget": {"type": "text", "text": "Hi", "style": {"scale": \(n("scale")), "lineSpacing": \(n("lineSpacing"))}}}]},
              {"id": "r1", "x": \(n("r1x")), "y": \(n("r1y")), "width": \(n("r1w")), "height": \(n("r1h")), "z": \(n("r1z")),
               "playlist": [{"duration": \(n("r1d")), "widget": {"type": "marquee", "text": "Scroll", "speed": \(n("speed")), "gap": \(n("gap")), "style": {"scale": \(n("marqueeScale"))}}}]},
              {"id": "r2", "x": \(n("r2x")), "y": \(n("r2y")), "width": \(n("r2w")), "height": \(n("r2h")), "z": \(n("r2z")),
               "playlist": [{"duration": \(n("r2d")), "widget": {"type": "liveValue", "metric": "pm25", "decimals": \(n("decimals")),
                 "bands": [{"upTo": \(n("upTo")), "color": "#00FF00"}, {"upTo": \(n("upTo2")), "color": "#FF0000"}], "style": {"lineSpacing": \(n("valueSpacing"))}}}]},
              {"id": "r3", "x": \(n("r3x")), "y": \(n("r3y")), "width": \(n("r3w")), "height": \(n("r3h")), "z": \(n("r3z")),
               "playlist": [{"duration": \(n("r3d")), "widget": {"type": "alertBanner", "texts": [{"language": "en", "headline": "Flood", "text": "Go up"}],
                 "secondsPerLanguage": \(n("secondsPerLanguage")), "flashPeriod": \(n("flashPeriod"))}}]},
              {"id": "r4", "x": \(n("r4x")), "y": \(n("r4y")), "width": \(n("r4w")), "height": \(n("r4h")), "z": \(n("r4z")),
               "playlist": [{"duration": \(n("r4d")), "widget": {"type": "clock", "timezone": "UTC", "dateFormat": "yyyy-MM-dd", "dateStyle": {"scale": \(n("dateScale"))}}}]}]}
            """.utf8)
    }

    /// Any integer in any numeric field, from `Int.min` to `Int.max` and next to the overflow edges:
    /// decoding and validation answer an error or a valid layout, and a valid layout renders.
    @Test func integersOfTheFullRangeInEveryFieldNeverTrap() throws {
        #expect(throws: LayoutError.self) { try Layout(json: Self.document(Self.numericFields.merging(["r0x": "1000000", "r0w": "9223372036854775000"]) { $1 })) }
        var rng = Random(state: 2)
        let edges: [Int] = [
            .min, .min + 1, .max, .max - 1, .max / 2, .max / 2 + 1, .min / 2, -1, 0, 1, 3840, 3841, 2160, 2161,
            1_000_000, 1_000_001, -1_000_000, -1_000_001, 9_223_372_036_854_775_000, 4_611_686_018_427_387_904,
        ]
        let base = Self.numericFields
        let names = base.keys.sorted()
        var valid = 0
        for round in 0..<3000 {
            var values = base
            for name in names where round < names.count * 4 ? name == names[round % names.count] : Int.random(in: 0..<4, using: &rng) == 0 {
                values[name] = String(Bool.random(using: &rng) ? edges.randomElement(using: &rng)! : Int.random(in: .min ... .max, using: &rng))
            }
            let layout: Layout
            do {
                layout = try Layout(json: Self.document(values)).validated(assets: InMemoryAssets())
            } catch {
                continue
            }
            valid += 1
            let frame = Renderer().render(layout, at: Date(timeIntervalSince1970: 1_767_225_600))
            #expect(frame.width == layout.width && frame.height == layout.height)
        }
        #expect(valid > 0, "the unchanged document is valid, so some rounds must be")
        #expect(try Layout(json: Self.document(base)).validate(assets: InMemoryAssets()).isEmpty)
    }

    /// Regions built in code skip decoding: rectangles at the ends of `Int` saturate instead of trapping.
    @Test func regionsAtTheEndsOfIntRenderAndValidate() {
        let extremes: [Int] = [.min, .min + 1, -1_000_001, 0, 1_000_001, .max - 1, .max]
        for x in extremes {
            for width in extremes {
                let region = Region(id: "r", x: x, y: x, width: width, height: width, playlist: [
                    PlaylistItem(duration: 5, widget: .marquee(MarqueeWidget(text: "Scroll"))),
                ])
                let layout = Layout(width: 64, height: 32, regions: [region])
                _ = layout.validate(assets: InMemoryAssets())
                let frame = Renderer().render(layout, at: Date(timeIntervalSince1970: 0))
                #expect(frame.width == 64)
                #expect(!region.rect.intersection(Rect(x: 0, y: 0, width: 64, height: 32)).contains(x: -1, y: -1))
            }
        }
    }

    @Test func tenThousandCharacterMarqueeAndAlert() {
        let long = String(repeating: "前方施工 Road works 🚧 \u{0301}", count: 500)
        let layout = Layout(width: 192, height: 96, regions: [
            Region(id: "m", x: 0, y: 0, width: 192, height: 16, playlist: [PlaylistItem(duration: 1, widget: .marquee(MarqueeWidget(text: long, speed: 2000, gap: 0)))]),
            Region(id: "a", x: 0, y: 16, width: 192, height: 80, playlist: [PlaylistItem(duration: 1, widget: .alertBanner(AlertBannerWidget(
                severity: .extreme, texts: [AlertBannerWidget.Text(language: "x", headline: long, text: long)])))]),
        ])
        let frame = Renderer().render(layout, at: Date(timeIntervalSince1970: 1_767_225_600.5))
        #expect(frame.width == 192)
    }
}
