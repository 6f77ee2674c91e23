public import Foundation
public import TentacleCore
public import TentacleRender

/// What is on the panel, as proof of play records it.
public struct PlayKey: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case campaign, `default`, alert, nothing, identify
    }

    public var kind: Kind
    public var layoutId: String?
    public var campaignId: String?
    public var revision: Int?
    public var alertId: String?

    public static let nothing = PlayKey(kind: .nothing)

    public init(kind: Kind, layoutId: String? = nil, campaignId: String? = nil, revision: Int? = nil, alertId: String? = nil) {
        self.kind = kind
        self.layoutId = layoutId
        self.campaignId = campaignId
        self.revision = revision
        self.alertId = alertId
    }
}

/// The player's pure core: from the display, its cached schedule, the active alerts and a time,
/// the frame for the panel. It calls the same `resolve` the server's preview calls, so the
/// street shows what the preview showed. No clock and no I/O: time and data are parameters.
public struct Player: Sendable {
    public private(set) var display: Display
    public private(set) var schedule: ServerMessage.ScheduleUpdate?
    private var layouts: [String: Layout] = [:]
    private var renderer: Renderer
    /// Layouts in the schedule that could not be read, by id: shown as nothing, reported once.
    public private(set) var unreadableLayouts: [String: String] = [:]

    public init(display: Display, schedule: ServerMessage.ScheduleUpdate?, assets: [String: [UInt8]] = [:]) {
        self.display = display
        self.renderer = Renderer(assets: InMemoryAssets(assets))
        self.schedule = nil
        load(schedule, assets: assets)
    }

    public mutating func update(display: Display) {
        self.display = display
    }

    /// Takes a new schedule and the images it needs.
    public mutating func load(_ schedule: ServerMessage.ScheduleUpdate?, assets: [String: [UInt8]]) {
        load(schedule, assets: assets) { document throws(LayoutError) in try Layout(json: Data(document.utf8)) }
    }

    /// As `load`, with layouts decoded by `decode` (simulated displays share one decoding).
    mutating func load(
        _ schedule: ServerMessage.ScheduleUpdate?, assets: [String: [UInt8]], decode: (String) throws(LayoutError) -> Layout
    ) {
        self.schedule = schedule
        renderer = Renderer(assets: InMemoryAssets(assets))
        layouts = [:]
        unreadableLayouts = [:]
        for document in schedule?.layouts ?? [] {
            do {
                layouts[document.id] = try decode(document.document)
            } catch {
                unreadableLayouts[document.id] = error.description
            }
        }
    }

    /// The alert that wins at `time` for this display: the most severe, then the newest, among
    /// those not expired. The server only sends alerts whose areas cover the display.
    public static func activeAlert(_ alerts: [ServerMessage.AlertNotice], at time: Date) -> ServerMessage.AlertNotice? {
        let now = Reading.milliseconds(time)
        return alerts
            .filter { alert in alert.expires.map { now < $0 } ?? true }
            .max { a, b in a.severity != b.severity ? a.severity < b.severity : (a.sent, b.id) < (b.sent, a.id) }
    }

    /// What plays at `time`.
    public func decide(at time: Date, alerts: [ServerMessage.AlertNotice] = []) -> PlayKey {
        if let alert = Self.activeAlert(alerts, at: time) { return PlayKey(kind: .alert, alertId: alert.id) }
        guard let schedule else { return .nothing }
        let defaults: DefaultLayouts
        switch schedule.defaultLayout {
        case let fallback?: defaults = DefaultLayouts(byDisplay: [display.id: fallback.layoutId])
        case nil: defaults = DefaultLayouts()
        }
        let resolution = resolve(display: display, campaigns: schedule.campaigns, defaults: defaults, at: time)
        switch resolution.playing {
        case .campaign(let c): return PlayKey(kind: .campaign, layoutId: c.layoutId, campaignId: c.campaignId, revision: c.revision)
        case .defaultLayout(let id, _): return PlayKey(kind: .default, layoutId: id)
        case .alert, .nothing: return .nothing
        }
    }

    /// Draws `key` at `time` into `frame`, which has the panel's size. A layout of another size
    /// is drawn from the top-left corner, cropped or padded, as the server's preview does.
    public func draw(_ key: PlayKey, at time: Date, alerts: [ServerMessage.AlertNotice], data: [String: Double], into frame: inout Frame) {
        switch key.kind {
        case .alert:
            guard let alert = alerts.first(where: { $0.id == key.alertId }) else { return frame.clear() }
            let layout = Self.alertLayout(alert, width: display.width, height: display.height)
            renderer.render(layout, at: time, data: data, into: &frame)
        case .campaign, .default:
            guard let id = key.layoutId, let layout = layouts[id] else { return frame.clear() }
            if layout.width == frame.width && layout.height == frame.height {
                renderer.render(layout, at: time, data: data, into: &frame)
            } else {
                let drawn = renderer.render(layout, at: time, data: data)
                frame.clear()
                frame.blit(drawn, x: 0, y: 0)
            }
        case .nothing:
            frame.clear()
        case .identify:
            Self.drawIdentify(display, at: time, into: &frame)
        }
    }

    /// A full-panel alert banner in the notice's severity colour, cycling through its languages.
    public static func alertLayout(_ alert: ServerMessage.AlertNotice, width: Int, height: Int) -> Layout {
        Layout.alertBanner(
            severity: AlertBannerWidget.Severity(rawValue: alert.severity.rawValue) ?? .unknown,
            texts: alert.texts.map { AlertBannerWidget.Text(language: $0.language, headline: $0.headline, text: $0.instruction ?? "") },
            secondsPerLanguage: alert.rotateSeconds, width: width, height: height)
    }

    /// Identify: the whole panel flashes white at 2 Hz with the display id, so a technician on
    /// the street can tell which panel the operator means.
    static func drawIdentify(_ display: Display, at time: Date, into frame: inout Frame) {
        let on = Int((time.timeIntervalSince1970 * 2).rounded(.down)) % 2 == 0
        var style = TextStyle()
        style.font = display.height < 48 ? "5x8" : "6x13"
        style.align = .center
        style.verticalAlign = .middle
        style.color = on ? .black : .white
        let layout = Layout(
            width: display.width, height: display.height, background: on ? .white : .black,
            regions: [Region(id: "id", x: 0, y: 0, width: display.width, height: display.height, playlist: [
                PlaylistItem(duration: 3600, widget: .text(TextWidget(text: display.id, style: style)))
            ])])
        Renderer().render(layout, at: time, into: &frame)
    }
}

extension Frame {
    mutating func clear() {
        fill(Rect(x: 0, y: 0, width: width, height: height), .black)
    }
}
