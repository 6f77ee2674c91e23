import Crypto
public import Foundation
import HTTPTypes
import HummingbirdWSClient
import NIOWebSocket
public import Logging
public import ServiceLifecycle
import TentacleCore
import TentacleRender

/// Things an agent lets its owner know, for the simulator, benchmarks and tests.
public enum AgentEvent: Sendable, Hashable {
    case connected
    case disconnected
    /// A schedule with this version is cached and playing.
    case schedule(String)
    /// An alert reached the panel (first frame drawn with it).
    case alertShown(String)
    /// An alert left the panel: cancelled, replaced or expired.
    case alertCleared(String)
    /// The server settled a batch.
    case settled(Int64)
}

/// The player on a display's computer: holds the channel to the server, caches what it needs to
/// play alone, renders frames at the configured rate into its sinks, and reports health and
/// proof of play in numbered batches that survive restarts until the server has them.
public actor Agent: Service {
    public nonisolated let configuration: AgentConfiguration
    public nonisolated let cache: AgentCache
    /// Builds the outputs for a panel size; called when the size is first known and when it changes.
    private let makeSinks: @Sendable (_ width: Int, _ height: Int) throws -> [any FrameSink]
    private var sinks: [any FrameSink] = []
    private var sinkSize: (width: Int, height: Int)?
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let events: @Sendable (AgentEvent) -> Void
    private let sharedFrames: (any FrameSharing)?
    private let sharedMessages: (any MessageSharing)?

    private var player: Player?
    private var outbound: WebSocketOutboundWriter?
    private var welcomed = false
    /// The frame drawn last, for a screenshot; the next frame is drawn over it.
    private var lastFrame: Frame?
    private var brightnessMode: AgentConfiguration.Brightness
    private var autoBrightness: AutoBrightness
    private var brightness = 100
    private var identifyUntil: Date?
    private var current: (key: PlayKey, start: Date)?
    private var finishedPlays: [AgentMessage.PlayLog.Play] = []
    private var shownAlerts: Set<String> = []
    private var unacknowledged: [String: Int64] = [:]
    private var framesDrawn = 0
    private var framesSince = Date()
    private var random: SplitMix64
    private var wantedAssets: Set<String> = []
    private var heartbeat: Duration = .seconds(20)
    private let encoder = Channel.encoder()
    private var lastHeard = ContinuousClock.now

    public init(
        configuration: AgentConfiguration, logger: Logger, cache: AgentCache,
        sinks makeSinks: @escaping @Sendable (_ width: Int, _ height: Int) throws -> [any FrameSink] = { _, _ in [] },
        clock: @escaping @Sendable () -> Date = { Date() }, events: @escaping @Sendable (AgentEvent) -> Void = { _ in },
        sharedFrames: (any FrameSharing)? = nil, sharedMessages: (any MessageSharing)? = nil
    ) {
        self.sharedFrames = sharedFrames
        self.sharedMessages = sharedMessages
        self.configuration = configuration
        self.makeSinks = makeSinks
        self.logger = logger
        self.cache = cache
        self.clock = clock
        self.events = events
        self.brightnessMode = configuration.brightness
        self.autoBrightness = configuration.autoBrightness
        self.random = SplitMix64(seed: configuration.seed)
        if case .fixed(let level) = configuration.brightness { brightness = level }
        if let display = cache.display {
            player = Player(display: display, schedule: cache.schedule, assets: cache.assets)
        }
    }

    public var isConnected: Bool { welcomed }
    public var scheduleVersion: String? { player?.schedule?.version }
    public var playing: PlayKey? { current?.key }
    public var currentBrightness: Int { brightness }

    /// Runs until cancelled or the service group shuts down: the channel, the frame loop and reports.
    public func run() async throws {
        let url = try configuration.channelURL()
        // The loops run until cancelled; a graceful shutdown cancels them too.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.connectionLoop(url: url) }
                group.addTask { await self.frameLoop() }
                group.addTask { await self.reportLoop() }
            }
        }
        await finish()
    }

    // MARK: - Connection

    private func connectionLoop(url: String) async {
        var failures = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var config = WebSocketClientConfiguration(maxFrameSize: 1 << 16)
            config.additionalHeaders[.authorization] = "Bearer \(configuration.token)"
            do {
                try await WebSocketClient.connect(url: url, configuration: config, logger: logger) { inbound, outbound, _ in
                    await self.attach(outbound)
                    var iterator = inbound.makeAsyncIterator()
                    do {
                        while let message = try await iterator.nextMessage(maxSize: 64 << 20) {
                            if case .text(let text) = message { await self.receive(text) }
                        }
                    } catch {
                        await self.detach()
                        throw error
                    }
                    await self.detach()
                }
            } catch {
                logger.debug("channel failed", metadata: ["error": "\(error)"])
            }
            detach()
            if wasWelcomed() { failures = 0 }
            failures += 1
            let delay = backoff(failures)
            try? await Task.sleep(for: delay)
        }
    }

    private var everWelcomed = false

    private func wasWelcomed() -> Bool {
        defer { everWelcomed = false }
        return everWelcomed
    }

    /// Exponential backoff with jitter: between half and all of initial × 2^(failures−1), capped.
    private func backoff(_ failures: Int) -> Duration {
        let initial = Double(configuration.initialBackoff.components.seconds) + Double(configuration.initialBackoff.components.attoseconds) / 1e18
        let cap = Double(configuration.maximumBackoff.components.seconds) + Double(configuration.maximumBackoff.components.attoseconds) / 1e18
        let full = min(cap, initial * pow(2, Double(min(failures - 1, 30))))
        return .milliseconds(Int(full * random.double(in: 0.5...1.0) * 1000))
    }

    private func attach(_ writer: WebSocketOutboundWriter) async {
        outbound = writer
        lastHeard = .now
        await send(hello(scheduleVersion: player?.schedule?.version))
    }

    /// What the agent is, the panel it drives and what it holds.
    private func hello(scheduleVersion: String?) -> AgentMessage {
        .hello(.init(
            agent: "tentacle-agent/\(Tentacle.version)",
            width: cache.display?.width ?? configuration.width, height: cache.display?.height ?? configuration.height,
            scheduleVersion: scheduleVersion, alerts: Array(shownAlerts).sorted(), epoch: cache.epoch))
    }

    private func detach() {
        guard outbound != nil || welcomed else { return }
        let was = welcomed
        outbound = nil
        welcomed = false
        if was { events(.disconnected) }
    }

    private func send(_ message: AgentMessage) async {
        await send(text: String(decoding: message.directlyEncoded ?? message.encoded(with: encoder), as: UTF8.self))
    }

    private func send(text: String) async {
        guard let outbound else { return }
        do {
            try await outbound.writeTextMessage(text)
        } catch {
            logger.debug("send failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Messages from the server

    func receive(_ text: String) async {
        lastHeard = .now
        let message: ServerMessage
        do {
            message = try sharedMessages?.decode(text) ?? ServerMessage.decode(Array(text.utf8))
        } catch {
            logger.warning("unreadable message from the server", metadata: ["error": "\(error)"])
            return
        }
        switch message {
        case .welcome(let welcome):
            do {
                try cache.store(display: welcome.display)
            } catch {
                logger.error("cannot cache the display record", metadata: ["error": "\(error)"])
            }
            if player == nil {
                player = Player(display: welcome.display, schedule: cache.schedule, assets: cache.assets)
            } else {
                player?.update(display: welcome.display)
            }
            heartbeat = .seconds(max(1, welcome.heartbeatSeconds))
            if let last = welcome.lastSeq {
                do {
                    try cache.continueAfter(last)
                } catch {
                    logger.error("cannot move the batch counter on", metadata: ["error": "\(error)"])
                }
            }
            welcomed = true
            everWelcomed = true
            events(.connected)
            for (_, text) in cache.pending {
                await send(text: text)
            }
            for (id, shownAt) in unacknowledged.sorted(by: { $0.key < $1.key }) {
                await send(.ack(.init(alertId: id, shownAt: shownAt)))
            }
        case .schedule(let update):
            do {
                try cache.store(schedule: update)
            } catch {
                logger.error("cannot cache the schedule", metadata: ["error": "\(error)"])
            }
            events(.schedule(update.version))
            let missing = Set(update.assets).subtracting(cache.assets.keys)
            if let sharedMessages {
                player?.load(update, assets: cache.assets) { document throws(LayoutError) in try sharedMessages.layout(document) }
            } else {
                player?.load(update, assets: cache.assets)
            }
            if let player, !player.unreadableLayouts.isEmpty {
                logger.warning("layouts in the schedule cannot be read", metadata: ["layouts": "\(player.unreadableLayouts)"])
            }
            if !missing.isEmpty {
                wantedAssets.formUnion(missing)
                await send(.fetch(.init(assets: missing.sorted())))
            }
        case .asset(let asset):
            wantedAssets.remove(asset.sha256)
            guard let data = asset.data.flatMap({ Data(base64Encoded: $0) }) else {
                logger.warning("the server has no image \(asset.sha256)")
                return
            }
            let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            guard digest == asset.sha256.lowercased() else {
                logger.warning("image \(asset.sha256) arrived with the wrong hash; ignored")
                return
            }
            do {
                try cache.store(asset: digest, bytes: Array(data))
            } catch {
                logger.error("cannot cache image", metadata: ["error": "\(error)"])
            }
            if wantedAssets.isEmpty { player?.load(cache.schedule, assets: cache.assets) }
        case .command(let command):
            await run(command)
        case .ping(let ping):
            await send(.pong(.init(t: ping.t)))
        case .received(let received):
            cache.settle(received.seq)
            if let reason = received.reason {
                logger.warning("server refused part of batch \(received.seq)", metadata: ["refused": "\(received.refused ?? 0)", "reason": "\(reason)"])
            }
            events(.settled(received.seq))
        case .alert(let alert):
            var alerts = cache.alerts.filter { $0.id != alert.id && !alert.replaces.contains($0.id) }
            alerts.append(alert)
            saveAlerts(alerts)
            // The acknowledgement follows a drawn frame, also on displays that otherwise only decide.
            await tick(force: true)
        case .alertCancel(let cancel):
            saveAlerts(cache.alerts.filter { !cancel.ids.contains($0.id) })
            for id in cancel.ids { unacknowledged[id] = nil }
            await tick()
        case .error(let error):
            logger.warning("server says: \(error.message)", metadata: ["code": "\(error.code)", "field": "\(error.field ?? "-")"])
        }
    }

    private func saveAlerts(_ alerts: [ServerMessage.AlertNotice]) {
        do {
            try cache.store(alerts: alerts)
        } catch {
            logger.error("cannot cache alerts", metadata: ["error": "\(error)"])
        }
    }

    private func run(_ command: ServerMessage.Command) async {
        switch command.command {
        case .brightness:
            if command.auto == true {
                brightnessMode = .auto
            } else if let level = command.level, (0...100).contains(level) {
                brightnessMode = .fixed(level)
                brightness = level
            } else {
                await send(.result(.init(commandId: command.id, ok: false, message: "brightness needs a level 0 to 100 or auto")))
                return
            }
            await send(.result(.init(commandId: command.id, ok: true)))
        case .screenshot:
            if lastFrame == nil { await tick(force: true) }
            guard let shot = lastFrame else {
                await send(.result(.init(commandId: command.id, ok: false, message: "no frame drawn yet")))
                return
            }
            let png = Data(PNG.encode(shot)).base64EncodedString()
            await send(.screenshot(.init(commandId: command.id, at: Reading.milliseconds(clock()), png: png)))
        case .reload:
            player?.load(nil, assets: [:])
            await send(.result(.init(commandId: command.id, ok: true)))
            // Asking again without a version makes the server send the schedule whole.
            await send(hello(scheduleVersion: nil))
        case .identify:
            identifyUntil = clock().addingTimeInterval(Double(command.seconds ?? 10))
            await send(.result(.init(commandId: command.id, ok: true)))
            await tick()
        }
    }

    // MARK: - Frames

    private func frameLoop() async {
        let fps = configuration.fps
        let period: Duration = fps > 0 ? .nanoseconds(Int64(1e9 / fps)) : .seconds(1)
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isCancelled {
            await tick()
            next = next.advanced(by: period)
            if next < clock.now { next = clock.now }
            try? await Task.sleep(until: next, clock: clock)
        }
    }

    /// Decides what plays now, records proof of play, and draws and outputs a frame.
    func tick(force: Bool = false) async {
        guard let player else { return }
        let now = clock()
        let alerts = cache.alerts
        clearExpired(alerts, at: now)
        var key = player.decide(at: now, alerts: alerts)
        if let until = identifyUntil {
            if now < until { key = PlayKey(kind: .identify) } else { identifyUntil = nil }
        }
        record(key, at: now)
        updateBrightness(at: now)
        if configuration.fps > 0 || force { output(key, at: now, alerts: alerts, player: player) }
        // Acknowledged after the frame with the alert went out to the panel.
        if key.kind == .alert, let id = key.alertId, !shownAlerts.contains(id) {
            shownAlerts.insert(id)
            let at = Reading.milliseconds(now)
            unacknowledged[id] = at
            events(.alertShown(id))
            await send(.ack(.init(alertId: id, shownAt: at)))
        }
    }

    /// Draws `key` and sends the frame through the output stage to every sink.
    private func output(_ key: PlayKey, at now: Date, alerts: [ServerMessage.AlertNotice], player: Player) {
        let size = (player.display.width, player.display.height)
        var frame: Frame
        if let sharedFrames, key.kind == .alert || key.kind == .nothing {
            // Alert banners use no sensor data: every display of a size draws the same frame at an
            // instant, and none of them needs a frame of its own for it.
            let bucket = Int((now.timeIntervalSince1970 * max(configuration.fps, 1)).rounded(.down))
            frame = sharedFrames.frame("\(key.kind.rawValue)|\(key.alertId ?? "")|\(size.0)x\(size.1)|\(bucket)") {
                var drawn = Frame(width: size.0, height: size.1)
                player.draw(key, at: now, alerts: alerts, data: [:], into: &drawn)
                return drawn
            }
        } else {
            frame = lastFrame ?? Frame(width: size.0, height: size.1)
            if frame.width != size.0 || frame.height != size.1 { frame = Frame(width: size.0, height: size.1) }
            player.draw(key, at: now, alerts: alerts, data: sensorData(at: now), into: &frame)
        }
        lastFrame = frame
        framesDrawn += 1
        prepareSinks(width: frame.width, height: frame.height)
        guard !sinks.isEmpty else { return }
        let out = OutputStage(brightness: brightness, gamma: configuration.gamma).apply(to: frame)
        for sink in sinks {
            do {
                try sink.send(out)
            } catch {
                logger.warning("sink failed", metadata: ["sink": "\(sink.description)", "error": "\(error)"])
            }
        }
    }

    private func prepareSinks(width: Int, height: Int) {
        if let size = sinkSize, size == (width, height) { return }
        for sink in sinks { sink.close() }
        sinkSize = (width, height)
        do {
            sinks = try makeSinks(width, height)
            for sink in sinks { logger.info("output", metadata: ["sink": "\(sink.description)"]) }
        } catch {
            sinks = []
            logger.error("cannot set up the outputs for a \(width)x\(height) panel: \(error)")
        }
    }

    /// An agent cut off from the server still drops alerts whose time is up.
    private func clearExpired(_ alerts: [ServerMessage.AlertNotice], at now: Date) {
        let ms = Reading.milliseconds(now)
        let expired = alerts.filter { ($0.expires ?? .max) <= ms }
        guard !expired.isEmpty else { return }
        saveAlerts(alerts.filter { ($0.expires ?? .max) > ms })
        for alert in expired { events(.alertCleared(alert.id)) }
    }

    private func record(_ key: PlayKey, at now: Date) {
        if let current, current.key == key { return }
        if let current {
            if current.key.kind == .alert, let id = current.key.alertId, !cache.alerts.contains(where: { $0.id == id }) {
                events(.alertCleared(id))
            }
            if let kind = Self.logKind(current.key.kind) {
                finishedPlays.append(.init(
                    kind: kind, layoutId: current.key.layoutId, campaignId: current.key.campaignId, revision: current.key.revision,
                    alertId: current.key.alertId, start: Reading.milliseconds(current.start), end: Reading.milliseconds(now)))
            }
        }
        current = (key, now)
    }

    private static func logKind(_ kind: PlayKey.Kind) -> String? {
        switch kind {
        case .campaign: "campaign"
        case .default: "default"
        case .alert: "alert"
        case .nothing, .identify: nil
        }
    }

    private func updateBrightness(at now: Date) {
        guard case .auto = brightnessMode, let display = player?.display else { return }
        brightness = autoBrightness.update(lux: lux(at: now), at: now, latitude: display.lat, longitude: display.lon)
    }

    // MARK: - Sensors

    private func lux(at now: Date) -> Double? {
        guard let sensors = configuration.sensors, let display = player?.display else { return nil }
        return sensors.lux(for: display, at: now)
    }

    private func sensorReadings(at now: Date) -> [Reading] {
        guard let sensors = configuration.sensors, let display = player?.display else { return [] }
        return sensors.readings(for: display, at: now, brightness: Double(brightness) / 100)
    }

    /// The latest value of each metric, for live-value widgets.
    private func sensorData(at now: Date) -> [String: Double] {
        Dictionary(sensorReadings(at: now).map { ($0.metric, $0.value) }, uniquingKeysWith: { _, latest in latest })
    }

    // MARK: - Reports

    /// The report loop looks at least this often, so a changed heartbeat is noticed.
    static let longestReportSleep: Duration = .seconds(5)

    private func reportLoop() async {
        let start = ContinuousClock.now
        var lastHealth = start, lastPlays = start, lastReadings = start
        framesSince = clock()
        while !Task.isCancelled {
            // Sleep until the next thing is due rather than polling: a simulator runs thousands of
            // agents in one process, and their wake-ups add up.
            var due = [lastHealth + configuration.healthInterval, lastPlays + configuration.playLogInterval]
            if outbound != nil { due.append(lastHeard + heartbeat * 3) }
            if let interval = configuration.readingsInterval { due.append(lastReadings + interval) }
            let wake = min(due.min()!, ContinuousClock.now + Self.longestReportSleep)
            try? await Task.sleep(until: max(wake, ContinuousClock.now + .milliseconds(10)), clock: .continuous)
            let now = ContinuousClock.now
            if let outbound, now - lastHeard > heartbeat * 3 {
                // A server that stopped answering (a dead link rather than a closed one) is left for a new connection.
                logger.info("no word from the server for three heartbeats; reconnecting")
                lastHeard = now
                try? await outbound.close(.goingAway, reason: "no heartbeat")
            }
            if now - lastHealth >= configuration.healthInterval {
                lastHealth = now
                await reportHealth()
            }
            if now - lastPlays >= configuration.playLogInterval {
                lastPlays = now
                await flushPlays()
            }
            if let interval = configuration.readingsInterval, now - lastReadings >= interval {
                lastReadings = now
                await reportReadings()
            }
        }
    }

    private func enqueue(_ make: (Int64) -> AgentMessage) async {
        do {
            let (_, text) = try cache.enqueue(make)
            if welcomed { await send(text: text) }
        } catch {
            logger.error("cannot keep a report for the server", metadata: ["error": "\(error)"])
        }
    }

    func reportHealth() async {
        let now = clock()
        let elapsed = now.timeIntervalSince(framesSince)
        let fps = elapsed > 0 ? Double(framesDrawn) / elapsed : 0
        framesDrawn = 0
        framesSince = now
        let panel = sensorReadings(at: now).last { $0.metric == "panel_temp_c" }?.value
        let mode = if case .auto = brightnessMode { "auto" } else { "manual" }
        let light = lux(at: now)
        let at = Reading.milliseconds(now)
        let level = brightness
        let epoch = cache.epoch
        await enqueue { seq in
            .health(.init(
                seq: seq, epoch: epoch, at: at, fps: (fps * 10).rounded() / 10, brightness: level, brightnessMode: mode,
                panelTempC: panel.map { ($0 * 10).rounded() / 10 }, lux: light?.rounded(), targetFps: configuration.fps))
        }
    }

    /// Closes the play on air at `now` and sends every finished play as one batch.
    func flushPlays(closingCurrentAt now: Date? = nil) async {
        if let now, let current {
            record(PlayKey.nothing, at: now)
            self.current = (current.key, now)
        }
        guard !finishedPlays.isEmpty else { return }
        let plays = finishedPlays
        finishedPlays = []
        let epoch = cache.epoch
        await enqueue { seq in .playLog(.init(seq: seq, epoch: epoch, plays: plays)) }
    }

    /// Sends the city readings; light and panel temperature go with health.
    private func reportReadings() async {
        let now = clock()
        let readings = sensorReadings(at: now)
            .filter { $0.metric != "lux" && $0.metric != "panel_temp_c" }
            .map { AgentMessage.ReadingsBatch.Value(metric: $0.metric, time: $0.time, value: $0.value) }
        guard !readings.isEmpty else { return }
        let epoch = cache.epoch
        await enqueue { seq in .readings(.init(seq: seq, epoch: epoch, readings: readings)) }
    }

    private func finish() async {
        await flushPlays(closingCurrentAt: clock())
        for sink in sinks { sink.close() }
    }
}
