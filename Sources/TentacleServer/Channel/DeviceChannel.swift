import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket
import Synchronization
import TentacleCore
import TentacleRender
import TentacleStore

/// `/v1/devices/channel`: one WebSocket per display, authenticated by its device token.
///
/// The agent says `hello`; the server answers `welcome` and, when the agent's schedule version
/// differs, the current `schedule`. After that the agent sends readings, health, proof of play,
/// alert acknowledgements and command results; the server pings, pushes schedules and sends
/// commands. docs/protocol.md describes every message.
struct DeviceChannel {
    static let path = "/v1/devices/channel"
    /// Largest message an agent may send (a screenshot of a big panel is the largest).
    static let maxMessageBytes = 8 << 20
    /// Largest frame either side sends; longer messages go as fragments.
    static let maxFrameBytes = 1 << 16

    let env: ServerEnvironment

    var hub: ChannelHub { env.channel }

    /// Checks a WebSocket upgrade request: the channel's path and a valid device token.
    func authorize(_ head: HTTPRequestHead) async -> Result<Display, APIError> {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        guard path == Self.path else {
            return .failure(APIError(.notFound, "WebSocket connections are only accepted at \(Self.path)"))
        }
        guard let secret = Secret.bearer(head.headers.first(name: "authorization")) else {
            return .failure(.unauthorized("the display channel needs the display's device token as a Bearer token"))
        }
        do {
            guard let display = try await env.store.displayForCredential(secretHash: Secret.hash(secret)) else {
                return .failure(.unauthorized("device token not recognised: it may have been rotated or revoked"))
            }
            return .success(display)
        } catch {
            return .failure(APIError(.internalError, "the server could not check the device token; try again"))
        }
    }

    /// Turns an upgraded connection into the display's channel: registers the session and puts
    /// the message handlers at the end of the pipeline. Runs on the channel's event loop.
    func attach(display: Display, to channel: any NIOCore.Channel) throws {
        let (session, replaced) = hub.open(display: display, channel: channel)
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(
            NIOWebSocketFrameAggregator(
                minNonFinalFragmentSize: 1024, maxAccumulatedFrameCount: Self.maxMessageBytes / 1024,
                maxAccumulatedFrameSize: Self.maxMessageBytes))
        try sync.addHandler(DeviceFrameHandler(session: session, hub: hub, workers: env.workers))
        env.workers.submit(.opened(session, replaced: replaced))
    }

    /// Decodes one message; anything but `hello` before `hello` is refused.
    static func parse(_ bytes: [UInt8], session: DeviceSession) -> ChannelJob {
        do {
            let parsed = try AgentMessage.decode(bytes)
            let greeted = session.state.withLock { s in
                if case .hello = parsed { s.greeted = true }
                return s.greeted
            }
            guard greeted else { throw TentacleCore.ChannelError(.invalidField, "say hello first", field: "type") }
            return .message(session, parsed)
        } catch let error as TentacleCore.ChannelError {
            return .refused(session, error)
        } catch {
            return .refused(session, TentacleCore.ChannelError(.notJSON, "message could not be read"))
        }
    }

    /// Runs one job on a worker.
    func process(_ job: ChannelJob, logger: Logger) async {
        switch job {
        case .opened(let session, let replaced):
            if let replaced {
                replaced.close(.normalClosure, reason: "replaced by a newer connection of this display")
            }
            hub.heard(session)
            env.metrics.channelOpened()
            env.alarms.observe(.connected(display: session.displayId, at: Reading.milliseconds(env.clock())))
        case .closed(let session):
            env.metrics.channelClosed()
            // A connection replaced by a newer one of the same display is not the display going away.
            if hub.session(session.displayId) == nil {
                env.alarms.observe(.disconnected(display: session.displayId, at: Reading.milliseconds(env.clock())))
            }
        case .refused(let session, let error):
            await refuse(session, error, logger: logger)
        case .message(let session, let message):
            hub.heard(session)
            do {
                try await handle(message, session: session, logger: logger)
            } catch let error as TentacleCore.ChannelError {
                await refuse(session, error, logger: logger)
            } catch {
                logger.failure("channel message failed", error, metadata: ["display": "\(session.displayId)", "type": "\(message.type)"])
                session.send(Self.internalError(message.type))
            }
        }
    }

    /// Answers a bad message with `error`, or closes the channel with 1008 when the display sent too many.
    private func refuse(_ session: DeviceSession, _ error: TentacleCore.ChannelError, logger: Logger) async {
        env.metrics.channelBadMessage()
        if hub.countBadMessage(session) {
            logger.warning("closing channel after too many bad messages", metadata: ["display": "\(session.displayId)"])
            session.close(.policyViolation, reason: "too many malformed messages")
            return
        }
        session.send(.error(.init(code: error.code.rawValue, message: error.message, field: error.field)))
    }

    private func handle(_ message: AgentMessage, session: DeviceSession, logger: Logger) async throws {
        switch message {
        case .hello(let hello):
            try await greet(session, hello)
        case .pong:
            break
        case .readings(let batch):
            let readings = batch.readings.map { Reading(source: session.displayId, metric: $0.metric, time: $0.time, value: $0.value) }
            for r in readings where r.metric == HealthAlarms.supplyVoltageMetric {
                env.alarms.observe(.reading(display: r.source, metric: r.metric, at: r.time, value: r.value))
            }
            try await ingest(
                ReadingBatch(source: session.displayId, epoch: batch.epoch ?? 0, sequence: batch.seq, readings: readings), type: "readings", session: session, logger: logger)
        case .health(let report):
            var readings = [
                Reading(source: session.displayId, metric: "fps", time: report.at, value: report.fps),
                Reading(source: session.displayId, metric: "brightness_pct", time: report.at, value: Double(report.brightness)),
            ]
            if let t = report.panelTempC { readings.append(Reading(source: session.displayId, metric: "panel_temp_c", time: report.at, value: t)) }
            if let lux = report.lux { readings.append(Reading(source: session.displayId, metric: "lux", time: report.at, value: lux)) }
            try await ingest(
                ReadingBatch(source: session.displayId, epoch: report.epoch ?? 0, sequence: report.seq, readings: readings), type: "health", session: session, logger: logger)
            session.state.withLock { $0.status = report.isDegraded ? .degraded : .online }
            hub.heard(session)
            env.alarms.observe(HealthObservation(display: session.displayId, report: report))
        case .playLog(let log):
            guard log.seq >= 0 else { throw TentacleCore.ChannelError(.invalidField, "seq must be 0 or more", field: "seq") }
            guard log.plays.count <= 10_000 else { throw TentacleCore.ChannelError(.invalidField, "at most 10000 plays per batch", field: "plays") }
            for (i, play) in log.plays.enumerated() {
                guard ["campaign", "default", "alert"].contains(play.kind) else {
                    throw TentacleCore.ChannelError(.invalidField, "kind must be campaign, default or alert", field: "plays[\(i)].kind")
                }
                guard play.end >= play.start else { throw TentacleCore.ChannelError(.invalidField, "end is before start", field: "plays[\(i)].end") }
            }
            let records = log.plays.map {
                PlayRecord(
                    displayId: session.displayId, kind: $0.kind, layoutId: $0.layoutId, campaignId: $0.campaignId, revision: $0.revision,
                    alertId: $0.alertId, start: $0.start, end: $0.end)
            }
            env.playWrites.submit(PlayBatch(displayId: session.displayId, epoch: log.epoch ?? 0, seq: log.seq, plays: records)) { result in
                Self.settle(session, result.map { .received(.init(seq: log.seq, duplicate: !$0)) }, type: "playLog", logger: logger)
            }
        case .ack(let ack):
            session.state.withLock { _ = $0.settledAlerts.insert(ack.alertId) }
            env.alerts.acknowledged(ack.alertId, by: session.displayId, shownAt: ack.shownAt)
        case .screenshot(let shot):
            guard let png = Data(base64Encoded: shot.png), (try? PNG.decode(Array(png))) != nil else {
                hub.finishCommand(shot.commandId, displayId: session.displayId, ok: false, message: "the screenshot was not a readable PNG")
                throw TentacleCore.ChannelError(.invalidField, "png must be a base64 PNG image", field: "png")
            }
            let taken = Date(timeIntervalSince1970: Double(shot.at) / 1000)
            try await env.store.saveScreenshot(displayId: session.displayId, StoredScreenshot(png: Array(png), takenAt: taken, receivedAt: env.clock()))
            hub.finishCommand(shot.commandId, displayId: session.displayId, ok: true, message: nil)
        case .fetch(let fetch):
            guard fetch.assets.count <= 256 else { throw TentacleCore.ChannelError(.invalidField, "at most 256 assets per fetch", field: "assets") }
            for sha in fetch.assets {
                let bytes = try await env.store.assetBytes(sha256: sha.lowercased())
                session.send(.asset(.init(sha256: sha, data: bytes.map { Data($0).base64EncodedString() })))
            }
        case .result(let result):
            hub.finishCommand(result.commandId, displayId: session.displayId, ok: result.ok, message: result.message)
        }
    }

    private func greet(_ session: DeviceSession, _ hello: AgentMessage.Hello) async throws {
        let display = session.display
        if hello.width > 0 && (hello.width != display.width || hello.height != display.height) {
            session.send(.error(.init(
                code: "resolutionMismatch",
                message: "the agent drives \(hello.width)x\(hello.height) but the registry says \(display.width)x\(display.height); frames follow the registry",
                field: "width")))
        }
        session.state.withLock { s in
            s.scheduleVersion = hello.scheduleVersion
            s.settledAlerts.formUnion(hello.alerts ?? [])
        }
        // Tells an agent whose counter went back (a cache restored from an old copy) where to go on from.
        let lastSeq = try await env.store.lastSequence(displayId: display.id, epoch: hello.epoch ?? 0)
        session.send(hub.welcome(display, lastSeq: lastSeq))
        await env.schedules.push(to: [session])
        try await env.alerts.loadIfNeeded()
        await env.alerts.greet(session)
    }

    /// Readings from the channel take the HTTP ingest path (`TelemetryIngest`): the same catalogue,
    /// validation, idempotency and live updates; the display hears `received` once it is settled.
    private func ingest(_ batch: ReadingBatch, type: String, session: DeviceSession, logger: Logger) async throws {
        try await env.ingest.submit(batch) { result in
            Self.settle(session, result.map { r in
                .received(.init(seq: batch.sequence, duplicate: r.duplicate, refused: r.refused == 0 ? nil : r.refused, reason: r.reason))
            }, type: type, logger: logger)
        }
    }

    /// What a display is told when its `type` message could not be processed; it sends it again later.
    static func internalError(_ type: String) -> ServerMessage {
        .error(.init(code: "internal", message: "the server could not process '\(type)'; send it again later", field: nil))
    }

    /// Tells the display what became of a batch once its transaction is over: `received`, or
    /// `internal` when it could not be stored, so the agent keeps it and sends it again later.
    private static func settle(_ session: DeviceSession, _ result: Result<ServerMessage, any Error>, type: String, logger: Logger) {
        switch result {
        case .success(let reply):
            session.post(DeviceSession.payload(reply))
        case .failure(let error):
            logger.failure("channel batch not stored", error, metadata: ["display": "\(session.displayId)", "type": "\(type)"])
            session.post(DeviceSession.payload(internalError(type)))
        }
    }
}
