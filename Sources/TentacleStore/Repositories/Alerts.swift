public import Foundation
public import TentacleCore

// Alerts as stored, their deliveries, and the alert repository.

/// An emergency alert as stored: the CAP message's header, what displays were told, and its state.
public struct AlertRecord: Codable, Hashable, Sendable {
    /// active (on the targeted panels), cancelled, replaced (by an Update), expired, or silent
    /// (stored but never shown: Cancel, Ack, Error, System and Draft messages).
    public enum State: String, Codable, Hashable, Sendable, CaseIterable {
        case active, cancelled, replaced, expired, silent
    }

    public var id: String
    public var sender: String
    public var sent: Date
    public var status: String
    public var msgType: String
    public var severity: AlertSeverity
    public var headline: String
    public var expires: Date?
    public var state: State
    /// Identifiers of the alerts this one updates or cancels.
    public var references: [String]
    public var postedBy: String
    public var receivedAt: Date
    /// How many displays it targets.
    public var targeted: Int
    /// The districts its poster was scoped to, nil for a city-wide poster: only someone whose scope
    /// covers these may update or cancel it.
    public var posterScope: [String]?
    /// The districts it concerns (those of its targets and of the alerts it settles): a user
    /// scoped to districts sees the alerts that concern one of them.
    public var districts: [String]

    public init(
        id: String, sender: String, sent: Date, status: String, msgType: String, severity: AlertSeverity, headline: String,
        expires: Date?, state: State, references: [String], postedBy: String, receivedAt: Date, targeted: Int,
        posterScope: [String]? = nil, districts: [String] = []
    ) {
        self.id = id
        self.sender = sender
        self.sent = sent
        self.status = status
        self.msgType = msgType
        self.severity = severity
        self.headline = headline
        self.expires = expires
        self.state = state
        self.references = references
        self.postedBy = postedBy
        self.receivedAt = receivedAt
        self.targeted = targeted
        self.posterScope = posterScope
        self.districts = districts
    }

    /// Whether a user scoped to `scope` sees it.
    public func isVisible(in scope: DistrictScope) -> Bool {
        guard case .only(let set) = scope else { return true }
        return districts.contains(where: set.contains)
    }

    /// Whether a user scoped to `scope` may update or cancel it: their scope covers its poster's.
    public func mayBeSettled(from scope: DistrictScope) -> Bool {
        guard case .only(let set) = scope else { return true }
        guard let posterScope else { return false }
        return posterScope.allSatisfy(set.contains)
    }
}

/// Where an alert stands on one display.
public struct AlertDelivery: Codable, Hashable, Sendable {
    public enum State: String, Codable, Hashable, Sendable {
        case pending, delivered, shown
    }

    public var displayId: String
    public var state: State
    /// Server clock: when the alert was written to the display's channel.
    public var deliveredAt: Date?
    /// Agent clock: when the panel first drew it.
    public var shownAt: Date?
    /// Server clock: when the acknowledgement arrived.
    public var ackedAt: Date?

    public init(displayId: String, state: State, deliveredAt: Date? = nil, shownAt: Date? = nil, ackedAt: Date? = nil) {
        self.displayId = displayId
        self.state = state
        self.deliveredAt = deliveredAt
        self.shownAt = shownAt
        self.ackedAt = ackedAt
    }
}

/// Alerts and their delivery to each targeted display.
public protocol AlertRepository: Sendable {
    /// Stores a new alert with a pending delivery per target and sets the state of the alerts it
    /// updates or cancels, in one transaction; `conflict` when the identifier was stored before.
    func createAlert(_ alert: AlertRecord, xml: String, notice: String?, targets: [String], settling: [String: AlertRecord.State], audit: AuditEvent) async throws
    func alert(id: String) async throws -> AlertRecord?
    /// The raw XML and the notice sent to displays.
    func alertDocument(id: String) async throws -> (xml: String, notice: String?)?
    /// Newest first; only those visible in `scope` (see `AlertRecord.isVisible(in:)`).
    func alerts(limit: Int, scope: DistrictScope) async throws -> [AlertRecord]
    func deliveries(alertId: String) async throws -> [AlertDelivery]
    /// The displays the alert targets, in no particular order; none for an alert not stored.
    func alertTargets(id: String) async throws -> [String]
    /// Active alerts with their notices and the displays each still has to show.
    func activeAlerts() async throws -> [(alert: AlertRecord, notice: String, targets: [String], shown: [String])]
    /// Writes delivery progress of many displays in one transaction; a later state never goes back.
    func recordDeliveries(_ updates: [(alertId: String, delivery: AlertDelivery)]) async throws
    func setAlertStates(_ states: [String: AlertRecord.State], audit: AuditEvent?) async throws
}
