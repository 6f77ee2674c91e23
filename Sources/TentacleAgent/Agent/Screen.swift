import Foundation
import Logging
import TentacleCore
import TentacleRender

/// The frame job: the player, the frame drawn last, brightness, identify, and the outputs that
/// frames go to through the output stage.
struct Screen {
    var player: Player?
    /// The frame drawn last, for a screenshot; the next frame is drawn over it.
    private(set) var lastFrame: Frame?
    private(set) var brightnessMode: AgentConfiguration.Brightness
    private(set) var brightness = 100
    private var autoBrightness: AutoBrightness
    private var identifyUntil: Date?
    private let fps: Double
    private let gamma: OutputStage.Gamma
    private let sensors: (any SensorSource)?
    private let sharedFrames: (any FrameSharing)?
    /// Builds the outputs for a panel size; called when the size is first known and when it changes.
    private let makeSinks: @Sendable (_ width: Int, _ height: Int) throws -> [any FrameSink]
    private var sinks: [any FrameSink] = []
    private var sinkSize: (width: Int, height: Int)?
    private var framesDrawn = 0
    private var framesSince: Date

    init(
        configuration: AgentConfiguration, player: Player?, sharedFrames: (any FrameSharing)?,
        makeSinks: @escaping @Sendable (_ width: Int, _ height: Int) throws -> [any FrameSink], now: Date
    ) {
        self.player = player
        brightnessMode = configuration.brightness
        autoBrightness = configuration.autoBrightness
        if case .fixed(let level) = configuration.brightness { brightness = level }
        fps = configuration.fps
        gamma = configuration.gamma
        sensors = configuration.sensors
        self.sharedFrames = sharedFrames
        self.makeSinks = makeSinks
        framesSince = now
    }

    /// What plays at `now`: the player's choice, unless the panel is identifying itself.
    mutating func decide(at now: Date, alerts: [ServerMessage.AlertNotice]) -> PlayKey? {
        // Asked through the optional, not bound to a copy: a copy of the player retains its
        // display, schedule, layouts and renderer, many times a second on a busy panel.
        guard player != nil else { return nil }
        if let until = identifyUntil {
            if now < until { return PlayKey(kind: .identify) }
            identifyUntil = nil
        }
        return player?.decide(at: now, alerts: alerts)
    }

    /// Shows the identify pattern until `until`.
    mutating func identify(until: Date) { identifyUntil = until }

    /// Sets a fixed level (0...100) or, with nil, follows the light.
    mutating func setBrightness(_ level: Int?) {
        if let level {
            brightnessMode = .fixed(level)
            brightness = level
        } else {
            brightnessMode = .auto
        }
    }

    mutating func updateBrightness(at now: Date) {
        guard case .auto = brightnessMode, let display = player?.display else { return }
        brightness = autoBrightness.update(lux: lux(at: now), at: now, latitude: display.lat, longitude: display.lon)
    }

    /// Draws `key` and sends the frame through the output stage to every sink.
    mutating func draw(_ key: PlayKey, at now: Date, alerts: [ServerMessage.AlertNotice], logger: Logger) {
        // Through the optional rather than a bound copy of the player (see `decide`).
        guard let width = player?.display.width, let height = player?.display.height else { return }
        let size = (width, height)
        var frame: Frame
        if let sharedFrames, key.kind == .alert || key.kind == .nothing {
            // Alert banners use no sensor data: every display of a size draws the same frame at an
            // instant, and none of them needs a frame of its own for it.
            let bucket = Int((now.timeIntervalSince1970 * max(fps, 1)).rounded(.down))
            frame = sharedFrames.frame("\(key.kind.rawValue)|\(key.alertId ?? "")|\(size.0)x\(size.1)|\(bucket)") {
                var drawn = Frame(width: size.0, height: size.1)
                player?.draw(key, at: now, alerts: alerts, data: [:], into: &drawn)
                return drawn
            }
        } else {
            frame = lastFrame ?? Frame(width: size.0, height: size.1)
            if frame.width != size.0 || frame.height != size.1 { frame = Frame(width: size.0, height: size.1) }
            let data = sensorData(at: now)
            player?.draw(key, at: now, alerts: alerts, data: data, into: &frame)
        }
        lastFrame = frame
        framesDrawn += 1
        prepareSinks(width: frame.width, height: frame.height, logger: logger)
        guard !sinks.isEmpty else { return }
        let out = OutputStage(brightness: brightness, gamma: gamma).apply(to: frame)
        for sink in sinks {
            do {
                try sink.send(out)
            } catch {
                logger.warning("sink failed", metadata: ["sink": "\(sink.description)", "error": "\(error)"])
            }
        }
    }

    /// Frames drawn per second since the last call.
    mutating func measuredFPS(at now: Date) -> Double {
        let elapsed = now.timeIntervalSince(framesSince)
        let measured = elapsed > 0 ? Double(framesDrawn) / elapsed : 0
        framesDrawn = 0
        framesSince = now
        return measured
    }

    mutating func closeSinks() {
        for sink in sinks { sink.close() }
    }

    private mutating func prepareSinks(width: Int, height: Int, logger: Logger) {
        if let size = sinkSize, size == (width, height) { return }
        closeSinks()
        sinkSize = (width, height)
        do {
            sinks = try makeSinks(width, height)
            for sink in sinks { logger.info("output", metadata: ["sink": "\(sink.description)"]) }
        } catch {
            sinks = []
            logger.error("cannot set up the outputs for a \(width)x\(height) panel: \(error)")
        }
    }

    // MARK: - Sensors

    func lux(at now: Date) -> Double? {
        guard let sensors, let display = player?.display else { return nil }
        return sensors.lux(for: display, at: now)
    }

    func sensorReadings(at now: Date) -> [Reading] {
        guard let sensors, let display = player?.display else { return [] }
        return sensors.readings(for: display, at: now, brightness: Double(brightness) / 100)
    }

    /// The latest value of each metric, for live-value widgets.
    private func sensorData(at now: Date) -> [String: Double] {
        Dictionary(sensorReadings(at: now).map { ($0.metric, $0.value) }, uniquingKeysWith: { _, latest in latest })
    }
}
