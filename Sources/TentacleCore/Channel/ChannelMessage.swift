public import Foundation

/// The display channel: JSON text messages over one WebSocket between a display's agent and the
/// server. Every message is an object with `v` (protocol version) and `type`; times are Unix
/// milliseconds. Unknown fields are ignored so a newer peer can add fields without breaking an
/// older one; an unknown `type` or another `v` is an error. docs/protocol.md has an example of each.
public enum Channel {
    /// The protocol version this build speaks.
    public static let version = 1

    /// The encoder both ends use: dates as Unix milliseconds, keys sorted so equal values give equal bytes.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }
}

/// Why a channel message could not be read; `field` names the part that is wrong.
public struct ChannelError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case notJSON, unsupportedVersion, unknownType, invalidField
    }

    public let code: Code
    public let message: String
    public let field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { field.map { "\(message) (field '\($0)')" } ?? message }
}

// MARK: - Agent to server

/// What an agent sends.
public enum AgentMessage: Hashable, Sendable {
    case hello(Hello)
    case pong(Pong)
    case readings(ReadingsBatch)
    case health(HealthReport)
    case playLog(PlayLog)
    case ack(AlertAck)
    case screenshot(Screenshot)
    case fetch(Fetch)
    case result(CommandResult)

    /// First message after connecting: what the agent is and which schedule it holds.
    public struct Hello: Codable, Hashable, Sendable {
        public var agent: String
        public var width: Int
        public var height: Int
        /// The version of the cached schedule, nil when it has none; the server sends a new one when it differs.
        public var scheduleVersion: String?
        /// Alert ids the agent has on record (shown or cancelled), so the server does not resend them.
        public var alerts: [String]?
        /// The sequence epoch the agent numbers its batches in now; the `welcome` answer names the last number stored in it.
        public var epoch: Int64?

        public init(agent: String, width: Int, height: Int, scheduleVersion: String?, alerts: [String]? = nil, epoch: Int64? = nil) {
            self.agent = agent
            self.width = width
            self.height = height
            self.scheduleVersion = scheduleVersion
            self.alerts = alerts
            self.epoch = epoch
        }
    }

    /// The answer to a `ping`, echoing its time so the server can measure the round trip.
    public struct Pong: Codable, Hashable, Sendable {
        public var t: Int64
        public init(t: Int64) { self.t = t }
    }

    /// Sensor readings of the display itself, by metric; the source is the display.
    public struct ReadingsBatch: Codable, Hashable, Sendable {
        public struct Value: Codable, Hashable, Sendable {
            public var metric: String
            public var time: Int64
            public var value: Double
            public init(metric: String, time: Int64, value: Double) {
                self.metric = metric
                self.time = time
                self.value = value
            }
        }

        /// Counts up per display across readings, health and play logs; a resent batch keeps its number.
        public var seq: Int64
        /// The agent's sequence epoch, chosen afresh whenever its counter is lost; absent means 0.
        public var epoch: Int64?
        public var readings: [Value]
        public init(seq: Int64, epoch: Int64? = nil, readings: [Value]) {
            self.seq = seq
            self.epoch = epoch
            self.readings = readings
        }
    }

    /// How the panel is doing, sampled by the agent.
    public struct HealthReport: Codable, Hashable, Sendable {
        public var seq: Int64
        /// As in `ReadingsBatch`.
        public var epoch: Int64?
        public var at: Int64
        /// Frames per second actually achieved since the last report.
        public var fps: Double
        /// The brightness applied at output, 0–100.
        public var brightness: Int
        /// "auto" or "manual".
        public var brightnessMode: String
        public var panelTempC: Double?
        public var lux: Double?
        /// The frame rate the agent is set to draw (0 for one that only decides); absent from older agents.
        public var targetFps: Double?
        public init(
            seq: Int64, epoch: Int64? = nil, at: Int64, fps: Double, brightness: Int, brightnessMode: String, panelTempC: Double?, lux: Double?,
            targetFps: Double? = nil
        ) {
            self.seq = seq
            self.epoch = epoch
            self.at = at
            self.fps = fps
            self.brightness = brightness
            self.brightnessMode = brightnessMode
            self.panelTempC = panelTempC
            self.lux = lux
            self.targetFps = targetFps
        }

        /// Share of its own target a panel may fall to before it counts as not keeping up: a
        /// measured rate wobbles around the target from one report to the next.
        public static let fpsTolerance = 0.8
        /// The floor for a report without a target, from an agent older than `targetFps`.
        public static let legacyFpsFloor = 5.0
        public static let maxPanelTempC = 75.0

        /// A panel that cannot keep up with its own frame rate, or runs hot, needs a technician before it fails.
        public var isDegraded: Bool {
            let floor = targetFps.map { $0 * Self.fpsTolerance } ?? Self.legacyFpsFloor
            return fps < floor || (panelTempC ?? 0) > Self.maxPanelTempC
        }
    }

    /// Proof of play: what was on the panel, from when to when (agent clock).
    public struct PlayLog: Codable, Hashable, Sendable {
        public struct Play: Codable, Hashable, Sendable {
            /// "campaign", "default" or "alert".
            public var kind: String
            public var layoutId: String?
            public var campaignId: String?
            public var revision: Int?
            public var alertId: String?
            public var start: Int64
            public var end: Int64
            public init(kind: String, layoutId: String?, campaignId: String?, revision: Int?, alertId: String?, start: Int64, end: Int64) {
                self.kind = kind
                self.layoutId = layoutId
                self.campaignId = campaignId
                self.revision = revision
                self.alertId = alertId
                self.start = start
                self.end = end
            }
        }

        public var seq: Int64
        /// As in `ReadingsBatch`.
        public var epoch: Int64?
        public var plays: [Play]
        public init(seq: Int64, epoch: Int64? = nil, plays: [Play]) {
            self.seq = seq
            self.epoch = epoch
            self.plays = plays
        }
    }

    /// An alert is on the panel since `shownAt` (agent clock); sent when first drawn and again after each `welcome` until the server has it.
    public struct AlertAck: Codable, Hashable, Sendable {
        public var alertId: String
        public var shownAt: Int64
        public init(alertId: String, shownAt: Int64) {
            self.alertId = alertId
            self.shownAt = shownAt
        }
    }

    /// The last frame, as PNG in base64, answering a `screenshot` command.
    public struct Screenshot: Codable, Hashable, Sendable {
        public var commandId: String
        public var at: Int64
        public var png: String
        public init(commandId: String, at: Int64, png: String) {
            self.commandId = commandId
            self.at = at
            self.png = png
        }
    }

    /// Asks for images the schedule names that the agent's cache lacks.
    public struct Fetch: Codable, Hashable, Sendable {
        public var assets: [String]
        public init(assets: [String]) { self.assets = assets }
    }

    /// The outcome of a command other than a screenshot.
    public struct CommandResult: Codable, Hashable, Sendable {
        public var commandId: String
        public var ok: Bool
        public var message: String?
        public init(commandId: String, ok: Bool, message: String? = nil) {
            self.commandId = commandId
            self.ok = ok
            self.message = message
        }
    }

    public var type: String {
        switch self {
        case .hello: "hello"
        case .pong: "pong"
        case .readings: "readings"
        case .health: "health"
        case .playLog: "playLog"
        case .ack: "ack"
        case .screenshot: "screenshot"
        case .fetch: "fetch"
        case .result: "result"
        }
    }
}

// MARK: - Server to agent

/// What the server sends.
public enum ServerMessage: Hashable, Sendable {
    case welcome(Welcome)
    case schedule(ScheduleUpdate)
    case asset(Asset)
    case command(Command)
    case ping(Ping)
    case received(Received)
    case alert(AlertNotice)
    case alertCancel(AlertCancel)
    case error(ErrorNotice)

    /// The answer to `hello`: the display's record as the registry holds it.
    public struct Welcome: Codable, Hashable, Sendable {
        public var display: Display
        public var serverTime: Int64
        /// How often the server pings; an agent that hears nothing for three periods reconnects.
        public var heartbeatSeconds: Int
        /// The highest batch number the server has stored in the epoch the agent's `hello` named;
        /// absent when it has none. An agent whose counter is behind it (restored from an old
        /// copy) moves on past it, so its new batches are not taken for stored ones.
        public var lastSeq: Int64?
        public init(display: Display, serverTime: Int64, heartbeatSeconds: Int, lastSeq: Int64? = nil) {
            self.display = display
            self.serverTime = serverTime
            self.heartbeatSeconds = heartbeatSeconds
            self.lastSeq = lastSeq
        }
    }

    /// Everything the display needs to play on its own: the live campaigns that target it, its
    /// default layout, the layout documents those name and the images they draw. `version` is a
    /// hash of the content, so equal content has an equal version on every display.
    public struct ScheduleUpdate: Codable, Hashable, Sendable {
        public struct LayoutDocument: Codable, Hashable, Sendable {
            public var id: String
            /// The layout JSON exactly as stored.
            public var document: String
            public init(id: String, document: String) {
                self.id = id
                self.document = document
            }
        }

        public var version: String
        public var campaigns: [LiveCampaign]
        public var defaultLayout: DefaultLayout?
        public var layouts: [LayoutDocument]
        /// SHA-256 (hex) of every image the layouts draw; fetch the ones not in the cache.
        public var assets: [String]
        public init(version: String, campaigns: [LiveCampaign], defaultLayout: DefaultLayout?, layouts: [LayoutDocument], assets: [String]) {
            self.version = version
            self.campaigns = campaigns
            self.defaultLayout = defaultLayout
            self.layouts = layouts
            self.assets = assets
        }
    }

    /// One image, answering `fetch`; `data` is base64, nil when the server no longer has it.
    public struct Asset: Codable, Hashable, Sendable {
        public var sha256: String
        public var data: String?
        public init(sha256: String, data: String?) {
            self.sha256 = sha256
            self.data = data
        }
    }

    /// An operator's instruction to the display.
    public struct Command: Codable, Hashable, Sendable {
        public enum Name: String, Codable, Hashable, Sendable, CaseIterable {
            case brightness, screenshot, reload, identify
        }

        public var id: String
        public var command: Name
        /// For `brightness`: a fixed level 0–100; absent with `auto` true.
        public var level: Int?
        /// For `brightness`: follow the light sensor or the sun.
        public var auto: Bool?
        /// For `identify`: how long to flash.
        public var seconds: Int?
        public init(id: String, command: Name, level: Int? = nil, auto: Bool? = nil, seconds: Int? = nil) {
            self.id = id
            self.command = command
            self.level = level
            self.auto = auto
            self.seconds = seconds
        }
    }

    public struct Ping: Codable, Hashable, Sendable {
        public var t: Int64
        public init(t: Int64) { self.t = t }
    }

    /// A readings, health or playLog batch is settled and the agent may forget it: stored now,
    /// stored before (`duplicate`), or with `refused` rows that will never be accepted, `reason` saying why.
    public struct Received: Codable, Hashable, Sendable {
        public var seq: Int64
        public var duplicate: Bool
        public var refused: Int?
        public var reason: String?
        public init(seq: Int64, duplicate: Bool, refused: Int? = nil, reason: String? = nil) {
            self.seq = seq
            self.duplicate = duplicate
            self.refused = refused
            self.reason = reason
        }
    }

    /// An emergency alert for this display: it overrides everything until cancelled or expired.
    public struct AlertNotice: Codable, Hashable, Sendable {
        public struct Text: Codable, Hashable, Sendable {
            public var language: String
            public var headline: String
            public var instruction: String?
            public init(language: String, headline: String, instruction: String?) {
                self.language = language
                self.headline = headline
                self.instruction = instruction
            }
        }

        public var id: String
        public var severity: AlertSeverity
        public var sent: Int64
        public var expires: Int64?
        /// One entry per CAP `info` language, shown in turn.
        public var texts: [Text]
        /// Seconds each language stays on the panel.
        public var rotateSeconds: Double
        /// Alert ids this one replaces (a CAP Update).
        public var replaces: [String]
        public init(id: String, severity: AlertSeverity, sent: Int64, expires: Int64?, texts: [Text], rotateSeconds: Double, replaces: [String]) {
            self.id = id
            self.severity = severity
            self.sent = sent
            self.expires = expires
            self.texts = texts
            self.rotateSeconds = rotateSeconds
            self.replaces = replaces
        }
    }

    public struct AlertCancel: Codable, Hashable, Sendable {
        public var ids: [String]
        public init(ids: [String]) { self.ids = ids }
    }

    /// The agent's last message was not understood.
    public struct ErrorNotice: Codable, Hashable, Sendable {
        public var code: String
        public var message: String
        public var field: String?
        public init(code: String, message: String, field: String?) {
            self.code = code
            self.message = message
            self.field = field
        }
    }

    public var type: String {
        switch self {
        case .welcome: "welcome"
        case .schedule: "schedule"
        case .asset: "asset"
        case .command: "command"
        case .ping: "ping"
        case .received: "received"
        case .alert: "alert"
        case .alertCancel: "alertCancel"
        case .error: "error"
        }
    }
}
