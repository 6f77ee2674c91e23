import Foundation
import TentacleCore

/// Proof of play: what is on the panel since when, and the plays that ended since the last report.
struct PlayRecorder {
    private(set) var current: (key: PlayKey, start: Date)?
    private var finished: [AgentMessage.PlayLog.Play] = []

    /// Notes that `key` plays at `now`. Returns the alert that left the panel with the play that
    /// ended, if it is no longer among `liveAlerts` (cancelled, replaced or expired).
    mutating func record(_ key: PlayKey, at now: Date, liveAlerts: [ServerMessage.AlertNotice]) -> String? {
        if let current, current.key == key { return nil }
        var cleared: String?
        if let current {
            if current.key.kind == .alert, let id = current.key.alertId, !liveAlerts.contains(where: { $0.id == id }) {
                cleared = id
            }
            if let kind = Self.logKind(current.key.kind) {
                finished.append(.init(
                    kind: kind, layoutId: current.key.layoutId, campaignId: current.key.campaignId, revision: current.key.revision,
                    alertId: current.key.alertId, start: Reading.milliseconds(current.start), end: Reading.milliseconds(now)))
            }
        }
        current = (key, now)
        return cleared
    }

    /// Ends the play on air at `now` for the log and starts it again from `now`, as for a report
    /// sent while it still plays. Returns what `record` returns.
    mutating func split(at now: Date, liveAlerts: [ServerMessage.AlertNotice]) -> String? {
        guard let current else { return nil }
        let cleared = record(.nothing, at: now, liveAlerts: liveAlerts)
        self.current = (current.key, now)
        return cleared
    }

    /// The plays that ended since the last call.
    mutating func takeFinished() -> [AgentMessage.PlayLog.Play] {
        defer { finished = [] }
        return finished
    }

    private static func logKind(_ kind: PlayKey.Kind) -> String? {
        switch kind {
        case .campaign: "campaign"
        case .default: "default"
        case .alert: "alert"
        case .nothing, .identify: nil
        }
    }
}

/// Alerts this panel has shown, and the acknowledgements the server has not yet settled.
struct AlertReceipts {
    private(set) var shown: Set<String> = []
    private var unacknowledged: [String: Int64] = [:]

    /// Notes that alert `id` reached the panel at `at` (ms); false if it had already.
    mutating func shown(_ id: String, at: Int64) -> Bool {
        guard shown.insert(id).inserted else { return false }
        unacknowledged[id] = at
        return true
    }

    /// Cancelled alerts need no acknowledgement any more.
    mutating func forget(_ ids: [String]) {
        for id in ids { unacknowledged[id] = nil }
    }

    /// Acknowledgements to send again on a new connection, by alert id.
    var pending: [(id: String, shownAt: Int64)] {
        unacknowledged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
