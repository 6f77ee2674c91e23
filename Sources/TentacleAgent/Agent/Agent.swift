public import Foundation
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

/// The player on a display's computer. Four jobs, each in its own part, composed here as one
/// `Service` on one actor, so they share state without hops:
/// - the connection (`Agent+Connection`, `ServerLink`): connect, back off, watch the heartbeat,
///   send, and resend what the cache holds unsettled;
/// - the inbox (`Agent+Inbox`): server messages into the cache and the player;
/// - the frame loop (`Screen`): decide, draw, and output through the output stage to the sinks;
/// - the reporter (`Agent+Reports`, `ReportSchedule`, `PlayRecorder`): health, proof of play and
///   readings in numbered batches that survive restarts until the server has them.
public actor Agent: Service {
    public nonisolated let configuration: AgentConfiguration
    public nonisolated let cache: AgentCache
    let logger: Logger
    let clock: @Sendable () -> Date
    let events: @Sendable (AgentEvent) -> Void
    let sharedMessages: (any MessageSharing)?
    let pacer: (any FramePacing)?
    let encoder = Channel.encoder()

    var link: ServerLink
    var screen: Screen
    var plays = PlayRecorder()
    var receipts = AlertReceipts()
    /// Images the schedule needs that the server has not sent yet.
    var wantedAssets: Set<String> = []

    public init(
        configuration: AgentConfiguration, logger: Logger, cache: AgentCache,
        sinks makeSinks: @escaping @Sendable (_ width: Int, _ height: Int) throws -> [any FrameSink] = { _, _ in [] },
        clock: @escaping @Sendable () -> Date = { Date() }, events: @escaping @Sendable (AgentEvent) -> Void = { _ in },
        sharedFrames: (any FrameSharing)? = nil, sharedMessages: (any MessageSharing)? = nil, pacer: (any FramePacing)? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.cache = cache
        self.clock = clock
        self.events = events
        self.sharedMessages = sharedMessages
        self.pacer = pacer
        link = ServerLink(configuration: configuration)
        let player = cache.display.map { Player(display: $0, schedule: cache.schedule, assets: cache.assets) }
        screen = Screen(configuration: configuration, player: player, sharedFrames: sharedFrames, makeSinks: makeSinks, now: clock())
    }

    public var isConnected: Bool { link.welcomed }
    public var scheduleVersion: String? { screen.player?.schedule?.version }
    public var playing: PlayKey? { plays.current?.key }
    public var currentBrightness: Int { screen.brightness }

    /// Runs until cancelled or the service group shuts down: the channel, the frame loop and reports.
    public func run() async throws {
        let urls = try configuration.channelURLs()
        // The loops run until cancelled; a graceful shutdown cancels them too.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.connectionLoop(urls: urls) }
                group.addTask { await self.frameLoop() }
                group.addTask { await self.reportLoop() }
            }
        }
        await finish()
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
            if let pacer {
                await pacer.wait(until: next)
            } else {
                try? await Task.sleep(until: next, clock: clock)
            }
        }
    }

    /// Decides what plays now, records proof of play, and draws and outputs a frame.
    func tick(force: Bool = false) async {
        guard screen.player != nil else { return }
        let now = clock()
        let alerts = cache.alerts
        clearExpired(alerts, at: now)
        guard let key = screen.decide(at: now, alerts: alerts) else { return }
        if let cleared = plays.record(key, at: now, liveAlerts: cache.alerts) { events(.alertCleared(cleared)) }
        screen.updateBrightness(at: now)
        if configuration.fps > 0 || force { screen.draw(key, at: now, alerts: alerts, logger: logger) }
        // Acknowledged after the frame with the alert went out to the panel.
        let at = Reading.milliseconds(now)
        if key.kind == .alert, let id = key.alertId, receipts.shown(id, at: at) {
            events(.alertShown(id))
            await send(.ack(.init(alertId: id, shownAt: at)))
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

    private func finish() async {
        await flushPlays(closingCurrentAt: clock())
        screen.closeSinks()
    }
}
