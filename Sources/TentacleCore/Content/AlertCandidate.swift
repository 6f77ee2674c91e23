public import Foundation

/// CAP severities, most severe first; `Comparable` orders by rank, so `max()` is the most severe.
public enum AlertSeverity: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    case extreme = "Extreme", severe = "Severe", moderate = "Moderate", minor = "Minor", unknown = "Unknown"

    var rank: Int {
        switch self {
        case .extreme: return 4
        case .severe: return 3
        case .moderate: return 2
        case .minor: return 1
        case .unknown: return 0
        }
    }

    public static func < (a: AlertSeverity, b: AlertSeverity) -> Bool {
        a.rank < b.rank
    }
}

/// An alert as resolution sees it: which displays it covers and when it is on.
///
/// It is on from `sent` until `expires` (exclusive; never ends when absent). Among several, the
/// most severe wins, then the newest `sent`, then the smaller id.
public struct AlertCandidate: Codable, Hashable, Sendable {
    public var id: String
    public var severity: AlertSeverity
    public var sent: Date
    public var expires: Date?
    public var target: Target

    public init(id: String, severity: AlertSeverity, sent: Date, expires: Date? = nil, target: Target) {
        self.id = id
        self.severity = severity
        self.sent = sent
        self.expires = expires
        self.target = target
    }

    public func isActive(at date: Date) -> Bool {
        sent <= date && expires.map { date < $0 } ?? true
    }

    /// Whether this alert wins over `other`.
    func outranks(_ other: AlertCandidate) -> Bool {
        if severity != other.severity { return severity > other.severity }
        if sent != other.sent { return sent > other.sent }
        return id < other.id
    }

    /// The winning alert on `display` at `date`, if any is on.
    static func winner(of alerts: [AlertCandidate], for display: Display, at date: Date) -> AlertCandidate? {
        var best: AlertCandidate?
        for alert in alerts where alert.isActive(at: date) && alert.target.matches(display) {
            if best.map(alert.outranks) ?? true { best = alert }
        }
        return best
    }
}
