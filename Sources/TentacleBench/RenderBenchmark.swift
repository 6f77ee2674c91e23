import Foundation
public import TentacleRender

/// Frames per second on one core for a bus-stop scene and a full-HD text page, each against
/// filling the same frame buffer with a constant (the memory-bandwidth ceiling) in the same run.
public enum RenderBenchmark {
    /// One measured figure with the baseline it is compared to.
    public struct Figure: Sendable, Hashable {
        public let name: String
        public let value: Double
        public let unit: String
        public let baselineName: String
        public let baselineValue: Double
        /// value / baselineValue: the share of the fill rate the renderer reaches.
        public let ratio: Double

        public init(name: String, value: Double, unit: String, baselineName: String, baselineValue: Double) {
            self.name = name
            self.value = value
            self.unit = unit
            self.baselineName = baselineName
            self.baselineValue = baselineValue
            ratio = baselineValue > 0 ? value / baselineValue : 0
        }
    }

    /// Runs both measurements, splitting `seconds` evenly over the four timed loops.
    public static func run(seconds: Double, fonts: FontLibrary = .shared) -> [Figure] {
        let budget = Duration.seconds(max(seconds, 0.04) / 4)
        let renderer = Renderer(fonts: fonts)

        let scene = Self.scene
        var sceneFrame = Frame(width: scene.width, height: scene.height)
        let data = ["pm25": 37.0]
        let start = 1_767_225_600.0
        // 1/60 s per frame: the marquee moves 2 px a frame and the clock text changes every 60 frames.
        let sceneFPS = rate(budget) { i in
            renderer.render(scene, at: Date(timeIntervalSince1970: start + Double(i) / 60), data: data, into: &sceneFrame)
        }
        let sceneFill = fillRate(width: scene.width, height: scene.height, budget: budget)

        let page = Self.page
        var pageFrame = Frame(width: page.width, height: page.height)
        let pageFPS = rate(budget) { i in
            renderer.render(page, at: Date(timeIntervalSince1970: start + Double(i) / 60), data: [:], into: &pageFrame)
        }
        let pageFill = fillRate(width: page.width, height: page.height, budget: budget)

        return [
            Figure(name: "scene_192x96_fps", value: sceneFPS, unit: "frames/s", baselineName: "fill_192x96_fps", baselineValue: sceneFill),
            Figure(name: "page_1920x1080_fps", value: pageFPS, unit: "frames/s", baselineName: "fill_1920x1080_fps", baselineValue: pageFill),
        ]
    }

    /// A bus-stop panel: a marquee, a clock with seconds and a PM2.5 value, all in 6x13.
    public static var scene: Layout {
        let style = TextStyle(font: "6x13", color: .amber, verticalAlign: .middle)
        return Layout(width: 192, height: 96, regions: [
            Region(id: "marquee", x: 0, y: 0, width: 192, height: 32, background: RGB(0, 32, 64), playlist: [
                PlaylistItem(duration: 60, widget: .marquee(MarqueeWidget(text: "Route 42 to Central Station, next bus in 3 min", speed: 120, gap: 32, style: style))),
            ]),
            Region(id: "clock", x: 0, y: 32, width: 192, height: 32, playlist: [
                PlaylistItem(duration: 60, widget: .clock(ClockWidget(timezone: "Asia/Shanghai", showSeconds: true, dateFormat: "yyyy-MM-dd", style: TextStyle(font: "6x13", align: .center, verticalAlign: .middle)))),
            ]),
            Region(id: "air", x: 0, y: 64, width: 192, height: 32, playlist: [
                PlaylistItem(duration: 60, widget: .liveValue(LiveValueWidget(label: "PM2.5", metric: "pm25", unit: "µg/m³", bands: .pm25AQI, style: TextStyle(font: "6x13", align: .center, verticalAlign: .middle)))),
            ]),
        ])
    }

    /// A 64×32 road-works notice in Unifont: the first frame of it needs the CJK font loaded,
    /// which is what a cold start measures.
    public static var cjkNotice: Layout {
        Layout(width: 64, height: 32, regions: [
            Region(id: "notice", x: 0, y: 0, width: 64, height: 32, playlist: [
                PlaylistItem(duration: 10, widget: .text(TextWidget(
                    text: "前方施工 请绕行", style: TextStyle(font: "unifont", color: .amber, align: .center, verticalAlign: .middle)))),
            ]),
        ])
    }

    /// 40 lines of 9x18 text, each as wide as the 1920-pixel page (213 cells).
    public static var page: Layout {
        let sample = "The quick brown fox jumps over the lazy dog 0123456789. "
        let line = String(String(repeating: sample, count: 4).prefix(1920 / 9))
        let regions = (0..<40).map { i in
            Region(id: "line\(i)", x: 0, y: i * 27, width: 1920, height: 27, playlist: [
                PlaylistItem(duration: 60, widget: .text(TextWidget(text: line, style: TextStyle(font: "9x18", verticalAlign: .middle, wrap: false)))),
            ])
        }
        return Layout(width: 1920, height: 1080, regions: regions)
    }

    /// Iterations per second of `body`, run until `budget` has passed (after a short warm-up).
    private static func rate(_ budget: Duration, _ body: (Int) -> Void) -> Double {
        for i in 0..<3 { body(i) }
        let clock = ContinuousClock()
        let start = clock.now
        var count = 0
        var elapsed = Duration.zero
        repeat {
            for _ in 0..<8 {
                body(count)
                count += 1
            }
            elapsed = start.duration(to: clock.now)
        } while elapsed < budget
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Double(count) / seconds
    }

    /// Frames per second of filling a frame's bytes with a constant: memset speed.
    private static func fillRate(width: Int, height: Int, budget: Duration) -> Double {
        var frame = Frame(width: width, height: height)
        let rate = rate(budget) { i in
            frame.bytes.withUnsafeMutableBufferPointer { $0.update(repeating: UInt8(truncatingIfNeeded: i)) }
        }
        keep(&frame)
        return rate
    }

    /// Opaque to the optimiser, so the fills it sees as dead stores still happen.
    @inline(never)
    private static func keep(_ frame: inout Frame) {}
}
