public import TentacleCore

/// A display health alarm as operators work it: raised, acknowledged by an operator, cleared; the
/// cleared ones stay as history.
public struct AlarmRecord: Codable, Hashable, Sendable {
    public enum State: String, Codable, Sendable, CaseIterable {
        case raised, acknowledged, cleared
    }

    public var id: Int64
    public var display: String
    public var kind: HealthAlarmKind
    public var severity: AlarmSeverity
    public var state: State
    /// When it was raised, in the observations' own time (ms since 1970).
    public var raisedAt: Int64
    /// The last change: raised, a change of severity, or cleared.
    public var changedAt: Int64
    public var value: Double
    public var message: String
    public var acknowledgedBy: String?
    public var acknowledgedAt: Int64?
    public var clearedAt: Int64?

    public init(
        id: Int64, display: String, kind: HealthAlarmKind, severity: AlarmSeverity, state: State, raisedAt: Int64, changedAt: Int64, value: Double,
        message: String, acknowledgedBy: String? = nil, acknowledgedAt: Int64? = nil, clearedAt: Int64? = nil
    ) {
        self.id = id
        self.display = display
        self.kind = kind
        self.severity = severity
        self.state = state
        self.raisedAt = raisedAt
        self.changedAt = changedAt
        self.value = value
        self.message = message
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.clearedAt = clearedAt
    }

    /// The event that raised it or last changed it, for the evaluator after a restart.
    public var event: HealthAlarmEvent {
        HealthAlarmEvent(
            display: display, kind: kind, change: changedAt == raisedAt ? .raised : .severityChanged, severity: severity, time: changedAt,
            value: value, message: message)
    }
}

/// Which alarms to list.
public struct AlarmQuery: Hashable, Sendable {
    public var display: String?
    /// Raised and acknowledged alarms only, or the history as well.
    public var includeCleared: Bool
    public var scope: DistrictScope
    public var limit: Int

    public init(display: String? = nil, includeCleared: Bool = false, scope: DistrictScope = .all, limit: Int = 100) {
        self.display = display
        self.includeCleared = includeCleared
        self.scope = scope
        self.limit = limit
    }
}

/// Display health alarms and their history.
public protocol AlarmRepository: Sendable {
    /// Alarms not cleared, of every display.
    func openAlarms() async throws -> [AlarmRecord]
    /// Newest first, for displays in the query's scope.
    func alarms(_ query: AlarmQuery) async throws -> [AlarmRecord]
    func alarm(id: Int64) async throws -> AlarmRecord?
    /// Applies what the evaluator decided: a raise adds an alarm; a change of severity updates
    /// the open one (a rise to critical asks for acknowledgement again); a clear closes it.
    /// Returns the alarm as it now is, or nil when there was no open alarm to change.
    @discardableResult
    func applyAlarmEvent(_ event: HealthAlarmEvent) async throws -> AlarmRecord?
    /// Marks a raised alarm acknowledged; `conflict` if it is acknowledged or cleared already.
    func acknowledgeAlarm(id: Int64, by: String, at: Int64, audit: AuditEvent) async throws -> AlarmRecord
}

extension AlarmRecord {
    /// Takes a severity change of the open alarm: the new severity, value and message; a change
    /// to a higher severity raises it again, so an acknowledgement of the milder state is dropped.
    mutating func follow(_ event: HealthAlarmEvent) {
        let escalated = event.severity > severity
        severity = event.severity
        changedAt = event.time
        value = event.value
        message = event.message
        if escalated {
            state = .raised
            acknowledgedBy = nil
            acknowledgedAt = nil
        }
    }
}
