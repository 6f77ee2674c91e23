/// What a display health alarm is about; alarms of one instant are ordered as the cases are.
public enum HealthAlarmKind: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    /// The display has not been connected for `offlineMinutes` (critical).
    case offline
    /// The panel runs hot: a warning above `panelWarningC`, critical above `panelCriticalC`.
    case panelTemperature
    /// The panel supply (`supply_v`) is outside `supplyVolts` (warning).
    case supplyVoltage
    /// The panel draws fewer frames than it is set to (warning).
    case lowFrameRate
    /// Automatic brightness stays at one level while the light changes (warning).
    case brightnessStuck

    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}

/// How soon someone should look at an alarm.
public enum AlarmSeverity: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    case warning, critical

    public static func < (a: Self, b: Self) -> Bool { a == .warning && b == .critical }
}

/// One alarm of one display: at most one of each kind is raised at a time.
public struct HealthAlarmKey: Codable, Hashable, Sendable {
    public var display: String
    public var kind: HealthAlarmKind

    public init(display: String, kind: HealthAlarmKind) {
        self.display = display
        self.kind = kind
    }
}

/// A display health alarm raised, changed in severity or cleared, at an instant of the
/// observations' own time (ms since 1970).
public struct HealthAlarmEvent: Codable, Hashable, Sendable, CustomStringConvertible {
    public enum Change: String, Codable, Hashable, Sendable {
        case raised, severityChanged, cleared
    }

    public var display: String
    public var kind: HealthAlarmKind
    public var change: Change
    /// The severity after the change; for `cleared`, the one the alarm had.
    public var severity: AlarmSeverity
    /// The observation's time, or for `offline` raised the instant the display had been away long enough.
    public var time: Int64
    /// What was observed: °C, V, fps or the brightness level; for `offline` the minutes away.
    public var value: Double
    /// For operators, with the value and the limit it crossed, e.g. "panel at 76.2 °C, above 75 °C".
    public var message: String

    public init(display: String, kind: HealthAlarmKind, change: Change, severity: AlarmSeverity, time: Int64, value: Double, message: String) {
        self.display = display
        self.kind = kind
        self.change = change
        self.severity = severity
        self.time = time
        self.value = value
        self.message = message
    }

    public var key: HealthAlarmKey { HealthAlarmKey(display: display, kind: kind) }

    public var description: String { "\(display) \(kind.rawValue) \(change.rawValue) \(severity.rawValue) at \(time): \(message)" }
}

/// Something the server learnt about a display, at the display's (or the server's) time in ms since 1970.
public enum HealthObservation: Hashable, Sendable {
    public enum BrightnessMode: String, Codable, Hashable, Sendable {
        /// The agent follows the light sensor or the sun.
        case auto
        /// The agent keeps a level it was given.
        case manual
    }

    /// A health report; `targetFps` is nil from agents older than it, 0 from one that only decides.
    case health(
        display: String, at: Int64, fps: Double, targetFps: Double?, brightness: Int, brightnessMode: BrightnessMode, panelTempC: Double?,
        lux: Double?)
    /// A reading; only `supply_v` and `panel_temp_c` count, the others are left alone.
    case reading(display: String, metric: String, at: Int64, value: Double)
    case connected(display: String, at: Int64)
    case disconnected(display: String, at: Int64)
    /// Time has passed: the server's clock, for displays that went away and said nothing since.
    case advance(to: Int64)

    /// A health report as an agent sends it; a mode other than "auto" counts as manual.
    public init(display: String, report: AgentMessage.HealthReport) {
        self = .health(
            display: display, at: report.at, fps: report.fps, targetFps: report.targetFps, brightness: report.brightness,
            brightnessMode: report.brightnessMode == "auto" ? .auto : .manual, panelTempC: report.panelTempC, lux: report.lux)
    }
}

/// When display health alarms are raised and cleared; the defaults suit 5 V LED panels.
public struct HealthAlarmLimits: Codable, Hashable, Sendable {
    /// A display away this long is offline.
    public var offlineMinutes: Int
    /// Above this the panel temperature is a warning; it clears below this minus the hysteresis.
    public var panelWarningC: Double
    /// Above this it is critical; it drops to a warning below this minus the hysteresis.
    public var panelCriticalC: Double
    public var panelHysteresisC: Double
    /// A supply voltage outside this raises; it clears once back inside by `supplyMarginV`.
    public var supplyVolts: ClosedRange<Double>
    public var supplyMarginV: Double
    /// A frame rate below this share of the target, for `lowFpsReports` reports in a row, raises.
    public var lowFpsShare: Double
    public var lowFpsReports: Int
    /// A frame rate at or above this share, for `recoveredFpsReports` reports in a row, clears.
    public var recoveredFpsShare: Double
    public var recoveredFpsReports: Int
    /// Automatic brightness at one level this long, while the light changed by more than
    /// `luxChangeFactor`, is stuck.
    public var brightnessStuckHours: Int
    public var luxChangeFactor: Double

    public init(
        offlineMinutes: Int = 10, panelWarningC: Double = 60, panelCriticalC: Double = AgentMessage.HealthReport.maxPanelTempC,
        panelHysteresisC: Double = 5, supplyVolts: ClosedRange<Double> = 4.5...5.5, supplyMarginV: Double = 0.1,
        lowFpsShare: Double = AgentMessage.HealthReport.fpsTolerance, lowFpsReports: Int = 2, recoveredFpsShare: Double = 0.9,
        recoveredFpsReports: Int = 2, brightnessStuckHours: Int = 6, luxChangeFactor: Double = 10
    ) {
        self.offlineMinutes = offlineMinutes
        self.panelWarningC = panelWarningC
        self.panelCriticalC = panelCriticalC
        self.panelHysteresisC = panelHysteresisC
        self.supplyVolts = supplyVolts
        self.supplyMarginV = supplyMarginV
        self.lowFpsShare = lowFpsShare
        self.lowFpsReports = lowFpsReports
        self.recoveredFpsShare = recoveredFpsShare
        self.recoveredFpsReports = recoveredFpsReports
        self.brightnessStuckHours = brightnessStuckHours
        self.luxChangeFactor = luxChangeFactor
    }

    public static let maxOfflineMinutes = 7 * 24 * 60
    public static let maxStuckHours = 7 * 24
    public static let maxReports = 100

    /// Every problem with the limits, by field.
    public func issues() -> [FieldIssue] {
        var c = IssueCollector()
        if !(1...Self.maxOfflineMinutes).contains(offlineMinutes) {
            c.add("offlineMinutes", "must be 1 to \(Self.maxOfflineMinutes) minutes, got \(offlineMinutes)")
        }
        for (field, value) in [("panelWarningC", panelWarningC), ("panelCriticalC", panelCriticalC)] where !(-40...150).contains(value) {
            c.add(field, "must be -40 to 150 °C, got \(value)")
        }
        if panelCriticalC <= panelWarningC { c.add("panelCriticalC", "must be above panelWarningC \(panelWarningC)") }
        if !(0...50).contains(panelHysteresisC) { c.add("panelHysteresisC", "must be 0 to 50 °C, got \(panelHysteresisC)") }
        if !(supplyVolts.lowerBound >= 0 && supplyVolts.upperBound <= 60 && supplyVolts.lowerBound < supplyVolts.upperBound) {
            c.add("supplyVolts", "must be a range within 0...60 V that is more than one value, got \(supplyVolts)")
        }
        if !(supplyMarginV >= 0 && 2 * supplyMarginV < supplyVolts.upperBound - supplyVolts.lowerBound) {
            c.add("supplyMarginV", "must be 0 or more and leave part of supplyVolts to clear in, got \(supplyMarginV)")
        }
        if !(lowFpsShare > 0 && lowFpsShare <= 1) { c.add("lowFpsShare", "must be above 0 and at most 1, got \(lowFpsShare)") }
        if !(recoveredFpsShare >= lowFpsShare && recoveredFpsShare <= 1) {
            c.add("recoveredFpsShare", "must be from lowFpsShare \(lowFpsShare) to 1, or the alarm would flap, got \(recoveredFpsShare)")
        }
        for (field, count) in [("lowFpsReports", lowFpsReports), ("recoveredFpsReports", recoveredFpsReports)]
        where !(1...Self.maxReports).contains(count) {
            c.add(field, "must be 1 to \(Self.maxReports) reports, got \(count)")
        }
        if !(1...Self.maxStuckHours).contains(brightnessStuckHours) {
            c.add("brightnessStuckHours", "must be 1 to \(Self.maxStuckHours) hours, got \(brightnessStuckHours)")
        }
        if !(luxChangeFactor > 1 && luxChangeFactor.isFinite) { c.add("luxChangeFactor", "must be a finite number above 1, got \(luxChangeFactor)") }
        return c.issues
    }
}

/// Raises, escalates and clears display health alarms incrementally as observations arrive.
///
/// Each display keeps, per alarm kind, the time of the newest observation taken: an older one is
/// late and ignored (one at the same instant is taken). A health report feeds the temperature,
/// frame rate and brightness alarms, so a late `panel_temp_c` reading leaves the frame rate alone.
/// Whether a display is away comes only from `connected` and `disconnected`; the server seeds a
/// `disconnected` at startup for each display that is not connected. Offline deadlines wait in a
/// min-heap keyed by (time, display) until `advance(to:)` passes them, or until the display's own
/// `connected` shows it had been away long enough, whichever comes first.
///
/// The same observations in the same order always give the same events: everything is the
/// observations' own time, and events of one call come in time order, then display, then kind.
public struct HealthAlarms: Sendable {
    private struct DisplayState: Sendable {
        var newest: [HealthAlarmKind: Int64] = [:]
        /// When the display went away, while it is not connected.
        var awaySince: Int64?
        /// Reports in a row towards raising the frame rate alarm or, once raised, clearing it.
        var frameRateStreak = 0
        var brightnessRun: BrightnessRun?
    }

    /// Automatic brightness reports at one level since `start`, and the light they saw; lux below
    /// 1 counts as 1, so a sensor reading 0 at night does not make every change infinite.
    private struct BrightnessRun: Sendable {
        var level: Int
        var start: Int64
        var darkest = Double.infinity
        var brightest = 0.0
    }

    private struct Deadline: Comparable, Sendable {
        var time: Int64
        var display: String
        static func < (a: Deadline, b: Deadline) -> Bool { (a.time, a.display) < (b.time, b.display) }
    }

    public static let supplyVoltageMetric = "supply_v"
    public static let panelTemperatureMetric = "panel_temp_c"

    public let limits: HealthAlarmLimits
    /// The alarms currently raised, each with the event that raised it or last changed its severity.
    public private(set) var active: [HealthAlarmKey: HealthAlarmEvent] = [:]
    private var displays: [String: DisplayState] = [:]
    private var deadlines = Heap<Deadline>()
    private var now = Int64.min

    public init() {
        limits = HealthAlarmLimits()
    }

    public init(limits: HealthAlarmLimits) throws(ValidationError) {
        try ValidationError.check(limits.issues())
        self.limits = limits
    }

    /// Takes one observation; returns what changed.
    public mutating func observe(_ observation: HealthObservation) -> [HealthAlarmEvent] {
        var events: [HealthAlarmEvent] = []
        switch observation {
        case let .health(display, at, fps, targetFps, level, mode, panelTempC, lux):
            if let celsius = panelTempC, celsius.isFinite, take(.panelTemperature, of: display, at: at) {
                panelTemperature(celsius, display: display, at: at, into: &events)
            }
            if fps.isFinite, take(.lowFrameRate, of: display, at: at) {
                frameRate(fps, target: targetFps, display: display, at: at, into: &events)
            }
            if take(.brightnessStuck, of: display, at: at) {
                brightness(level, mode: mode, lux: lux, display: display, at: at, into: &events)
            }
        case let .reading(display, metric, at, value):
            guard value.isFinite else { break }
            if metric == Self.supplyVoltageMetric, take(.supplyVoltage, of: display, at: at) {
                supplyVoltage(value, display: display, at: at, into: &events)
            } else if metric == Self.panelTemperatureMetric, take(.panelTemperature, of: display, at: at) {
                panelTemperature(value, display: display, at: at, into: &events)
            }
        case let .connected(display, at):
            if take(.offline, of: display, at: at) { connect(display, at: at, into: &events) }
        case let .disconnected(display, at):
            if take(.offline, of: display, at: at) { disconnect(display, at: at, into: &events) }
        case let .advance(time):
            now = max(now, time)
            passDeadlines(into: &events)
        }
        return events.enumerated().sorted { a, b in
            (a.element.time, a.element.display, a.element.kind, a.offset) < (b.element.time, b.element.display, b.element.kind, b.offset)
        }.map(\.element)
    }

    /// Seeds alarms that were raised before a restart (what `active` held), before the first
    /// observation, so they are not raised again; observations older than each are late, and an
    /// offline display counts as away since `offlineMinutes` before its alarm. Cleared events are left out.
    public mutating func restore(_ alarms: some Sequence<HealthAlarmEvent>) {
        for alarm in alarms where alarm.change != .cleared {
            active[alarm.key] = alarm
            var state = displays[alarm.display, default: DisplayState()]
            state.newest[alarm.kind] = max(state.newest[alarm.kind] ?? .min, alarm.time)
            if alarm.kind == .offline && state.awaySince == nil { state.awaySince = Self.later(alarm.time, by: -offlineAfter) }
            displays[alarm.display] = state
        }
    }

    /// Drops a display (removed from the registry) and its alarms, without events.
    public mutating func forget(display: String) {
        displays[display] = nil
        for kind in HealthAlarmKind.allCases { active[HealthAlarmKey(display: display, kind: kind)] = nil }
    }

    // MARK: - Inside

    private var offlineAfter: Int64 { Int64(limits.offlineMinutes) * 60_000 }

    /// Whether an observation of `kind` at `time` is not late, noting it as the newest if so.
    private mutating func take(_ kind: HealthAlarmKind, of display: String, at time: Int64) -> Bool {
        if let newest = displays[display]?.newest[kind], time < newest { return false }
        displays[display, default: DisplayState()].newest[kind] = time
        return true
    }

    private mutating func panelTemperature(_ celsius: Double, display: String, at time: Int64, into events: inout [HealthAlarmEvent]) {
        let key = HealthAlarmKey(display: display, kind: .panelTemperature)
        let warning = limits.panelWarningC, critical = limits.panelCriticalC
        let warningClears = warning - limits.panelHysteresisC, criticalClears = critical - limits.panelHysteresisC
        let old = active[key]?.severity
        let new: AlarmSeverity? = switch old {
        case nil: celsius > critical ? .critical : celsius > warning ? .warning : nil
        case .warning: celsius > critical ? .critical : celsius < warningClears ? nil : .warning
        case .critical: celsius < warningClears ? nil : celsius < criticalClears ? .warning : .critical
        }
        let limit = switch new {
        case .critical: "above \(Self.number(critical))"
        case .warning: old == nil ? "above \(Self.number(warning))" : "below \(Self.number(criticalClears))"
        case nil: "below \(Self.number(warningClears))"
        }
        set(key, to: new, at: time, value: celsius, message: "panel at \(Self.number(celsius)) °C, \(limit) °C", into: &events)
    }

    private mutating func supplyVoltage(_ volts: Double, display: String, at time: Int64, into events: inout [HealthAlarmEvent]) {
        let key = HealthAlarmKey(display: display, kind: .supplyVoltage)
        let low = limits.supplyVolts.lowerBound, high = limits.supplyVolts.upperBound, margin = limits.supplyMarginV
        let fine = active[key] == nil ? volts >= low && volts <= high : volts >= low + margin && volts <= high - margin
        let shown = "supply at \(Self.number(volts, places: 2)) V"
        let message = fine
            ? "\(shown), back within \(Self.number(low + margin, places: 2))–\(Self.number(high - margin, places: 2)) V"
            : "\(shown), \(volts < low ? "below \(Self.number(low, places: 2))" : "above \(Self.number(high, places: 2))") V"
        set(key, to: fine ? nil : .warning, at: time, value: volts, message: message, into: &events)
    }

    /// Reports without a positive target leave nothing to fall short of: they start the count over
    /// and clear a raised alarm.
    private mutating func frameRate(_ fps: Double, target: Double?, display: String, at time: Int64, into events: inout [HealthAlarmEvent]) {
        let key = HealthAlarmKey(display: display, kind: .lowFrameRate)
        guard let target, target.isFinite, target > 0 else {
            displays[display, default: DisplayState()].frameRateStreak = 0
            set(key, to: nil, at: time, value: fps, message: "\(Self.number(fps)) fps, no target frame rate", into: &events)
            return
        }
        let raised = active[key] != nil
        let share = raised ? limits.recoveredFpsShare : limits.lowFpsShare
        let counts = raised ? fps >= target * share : fps < target * share
        let streak = counts ? (displays[display]?.frameRateStreak ?? 0) + 1 : 0
        let done = streak >= (raised ? limits.recoveredFpsReports : limits.lowFpsReports)
        displays[display, default: DisplayState()].frameRateStreak = done ? 0 : streak
        guard done else { return }
        let message = "\(Self.number(fps)) fps, \(raised ? "at or above" : "below") \(Self.number(share * 100, places: 0))% of "
            + "\(Self.number(target)) fps"
        set(key, to: raised ? nil : .warning, at: time, value: fps, message: message, into: &events)
    }

    private mutating func brightness(
        _ level: Int, mode: HealthObservation.BrightnessMode, lux: Double?, display: String, at time: Int64, into events: inout [HealthAlarmEvent]
    ) {
        let key = HealthAlarmKey(display: display, kind: .brightnessStuck)
        guard mode == .auto else {
            displays[display, default: DisplayState()].brightnessRun = nil
            set(key, to: nil, at: time, value: Double(level), message: "brightness set to manual, at \(level)", into: &events)
            return
        }
        var run = displays[display]?.brightnessRun ?? BrightnessRun(level: level, start: time)
        if run.level != level { run = BrightnessRun(level: level, start: time) }
        if let lux, lux.isFinite, lux >= 0 {
            run.darkest = min(run.darkest, max(lux, 1))
            run.brightest = max(run.brightest, max(lux, 1))
        }
        displays[display, default: DisplayState()].brightnessRun = run
        if let stuck = active[key] {
            // The level the alarm was raised at, which a restart does not forget.
            if stuck.value != Double(level) { set(key, to: nil, at: time, value: Double(level), message: "brightness now \(level)", into: &events) }
            return
        }
        let held = Self.span(from: run.start, to: time)
        guard held >= Int64(limits.brightnessStuckHours) * 3_600_000, run.brightest / run.darkest > limits.luxChangeFactor else { return }
        let message = "brightness stuck at \(level) for \(Self.number(Double(held) / 3_600_000)) h while light ranged "
            + "\(Self.number(run.darkest))–\(Self.number(run.brightest)) lux"
        set(key, to: .warning, at: time, value: Double(level), message: message, into: &events)
    }

    /// A display already away stays away since it first went.
    private mutating func disconnect(_ display: String, at time: Int64, into events: inout [HealthAlarmEvent]) {
        guard displays[display]?.awaySince == nil else { return }
        displays[display, default: DisplayState()].awaySince = time
        deadlines.push(Deadline(time: Self.later(time, by: offlineAfter), display: display))
        passDeadlines(into: &events)
    }

    private mutating func connect(_ display: String, at time: Int64, into events: inout [HealthAlarmEvent]) {
        guard let since = displays[display]?.awaySince else { return }
        let due = Self.later(since, by: offlineAfter)
        if time >= due { raiseOffline(display, at: due, into: &events) }
        displays[display]?.awaySince = nil
        let minutes = Double(Self.span(from: since, to: time)) / 60_000
        let key = HealthAlarmKey(display: display, kind: .offline)
        set(key, to: nil, at: time, value: minutes, message: "connected again after \(Self.number(minutes)) min", into: &events)
    }

    /// Raises the displays still away at deadlines up to `now`; a deadline whose display came back
    /// (or went away again later) is stale and dropped.
    private mutating func passDeadlines(into events: inout [HealthAlarmEvent]) {
        while let next = deadlines.peek, next.time <= now {
            deadlines.pop()
            guard let since = displays[next.display]?.awaySince, Self.later(since, by: offlineAfter) == next.time else { continue }
            raiseOffline(next.display, at: next.time, into: &events)
        }
    }

    private mutating func raiseOffline(_ display: String, at time: Int64, into events: inout [HealthAlarmEvent]) {
        let key = HealthAlarmKey(display: display, kind: .offline), minutes = limits.offlineMinutes
        set(key, to: .critical, at: time, value: Double(minutes), message: "not connected for \(minutes) min", into: &events)
    }

    /// Moves an alarm to `severity` (nil: cleared), with an event if that is a change.
    private mutating func set(
        _ key: HealthAlarmKey, to severity: AlarmSeverity?, at time: Int64, value: Double, message: @autoclosure () -> String,
        into events: inout [HealthAlarmEvent]
    ) {
        let old = active[key]
        guard old?.severity != severity, let shown = severity ?? old?.severity else { return }
        let change: HealthAlarmEvent.Change = old == nil ? .raised : severity == nil ? .cleared : .severityChanged
        let event = HealthAlarmEvent(
            display: key.display, kind: key.kind, change: change, severity: shown, time: time, value: value, message: message())
        active[key] = severity == nil ? nil : event
        events.append(event)
    }

    /// Observation times come from displays, so arithmetic on them saturates rather than traps.
    private static func later(_ time: Int64, by ms: Int64) -> Int64 {
        let (sum, overflow) = time.addingReportingOverflow(ms)
        return overflow ? (ms > 0 ? .max : .min) : sum
    }

    private static func span(from start: Int64, to end: Int64) -> Int64 {
        let (difference, overflow) = end.subtractingReportingOverflow(start)
        return overflow ? (end > start ? .max : .min) : difference
    }

    /// `x` rounded to `places` decimals, without trailing zeros: 76.2, 75, 4.42.
    private static func number(_ x: Double, places: Int = 1) -> String {
        var scale: UInt64 = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = (x * Double(scale)).rounded()
        guard scaled.magnitude < 1e15 else { return "\(x)" }
        let n = Int64(scaled)
        var fraction = String(n.magnitude % scale + scale).dropFirst()
        while fraction.last == "0" { fraction.removeLast() }
        return (n < 0 ? "-" : "") + String(n.magnitude / scale) + (fraction.isEmpty ? "" : "." + fraction)
    }
}
