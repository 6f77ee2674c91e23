import Foundation
import NIOCore
import Synchronization
import TentacleCore
import TentacleStore

/// The dashboard's live topics for one event stream: which displays changed status or alert mark,
/// how far each active alert has got, and which campaigns changed revision or approval state.
///
/// Status changes come from several places (the channel, the heartbeat, other server processes
/// on the same database), so the watch compares what it sees every `interval` with what it saw
/// before and sends the difference. Every check starts from what the caller may see.
final class DashboardWatch: Sendable {
    static let interval = Duration.seconds(1)

    struct DisplayChange: Encodable {
        var id: String
        var status: String
        var lastSeen: Date?
        var alert: MapController.AlertMark
    }

    struct AlertChange: Encodable, Equatable {
        var id: String
        var active: Bool
        var targeted: Int
        var shown: Int
    }

    struct CampaignChange: Encodable, Equatable {
        var id: String
        /// The latest revision and its state; nil once the campaign is deleted.
        var revision: Int?
        var state: String?
    }

    private struct Seen {
        var displays: [String: String] = [:]
        var alerts: [String: AlertChange] = [:]
        var campaigns: [String: CampaignChange] = [:]
    }

    let env: ServerEnvironment
    let principal: Principal
    let topics: Set<String>
    let districts: DistrictLookup
    private let seen = Mutex(Seen())

    init(env: ServerEnvironment, principal: Principal, topics: Set<String>, districts: DistrictLookup) {
        self.env = env
        self.principal = principal
        self.topics = topics
        self.districts = districts
    }

    var isWatching: Bool { !topics.isDisjoint(with: ["displays", "alerts", "campaigns"]) }

    /// Remembers the state as the stream opens; later changes are told from it.
    func start() async throws {
        _ = try await changes()
    }

    /// Event frames for everything that changed since the previous call.
    func changes() async throws -> [ByteBuffer] {
        var frames: [ByteBuffer] = []
        if topics.contains("displays") { frames += try await displayFrames() }
        if topics.contains("alerts") { frames += try await alertFrames() }
        if topics.contains("campaigns") && principal.can(.readContent) { frames += try await campaignFrames() }
        return frames
    }

    private func displayFrames() async throws -> [ByteBuffer] {
        let displays = try await env.store.displayMarkers(scope: principal.scope)
        let marks = MapController.alertMarks(env.alerts.coverage())
        let changed: [DisplayChange] = seen.withLock { seen in
            var changed: [DisplayChange] = []
            for display in displays {
                let mark = marks[display.id] ?? .none
                let key = "\(display.status.rawValue) \(mark.rawValue)"
                if seen.displays[display.id] != key {
                    seen.displays[display.id] = key
                    changed.append(DisplayChange(id: display.id, status: display.status.rawValue, lastSeen: display.lastSeen, alert: mark))
                }
            }
            return changed
        }
        return try changed.sorted { $0.id < $1.id }.map { try EventsController.frame("display", $0) }
    }

    private func alertFrames() async throws -> [ByteBuffer] {
        var current: [String: AlertChange] = [:]
        for (id, alert) in env.alerts.coverage() {
            var targeted = 0
            var shown = 0
            for display in alert.targets where try await districts.visible(display, to: principal) {
                targeted += 1
                if alert.shown.contains(display) { shown += 1 }
            }
            current[id] = AlertChange(id: id, active: true, targeted: targeted, shown: shown)
        }
        let changed: [AlertChange] = seen.withLock { seen in
            var changed = current.values.filter { seen.alerts[$0.id] != $0 }
            for (id, old) in seen.alerts where current[id] == nil {
                changed.append(AlertChange(id: id, active: false, targeted: old.targeted, shown: old.shown))
            }
            seen.alerts = current
            return changed
        }
        return try changed.sorted { $0.id < $1.id }.map { try EventsController.frame("alert", $0) }
    }

    private func campaignFrames() async throws -> [ByteBuffer] {
        let latest = try await env.store.latestRevisions().filter { CampaignWorkflow.visible($0.campaign, to: principal) }
        let current = Dictionary(uniqueKeysWithValues: latest.map {
            ($0.campaignId, CampaignChange(id: $0.campaignId, revision: $0.revision, state: $0.state.rawValue))
        })
        let changed: [CampaignChange] = seen.withLock { seen in
            var changed = current.values.filter { seen.campaigns[$0.id] != $0 }
            for id in seen.campaigns.keys where current[id] == nil {
                changed.append(CampaignChange(id: id, revision: nil, state: nil))
            }
            seen.campaigns = current
            return changed
        }
        return try changed.sorted { $0.id < $1.id }.map { try EventsController.frame("campaign", $0) }
    }
}
