import Foundation
import Logging
import TentacleCore
import TentacleStore

/// What every controller shares: the store, the settings and the server's clock.
struct ServerEnvironment: Sendable {
    let store: any Storage
    let configuration: ServerConfiguration
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    let metrics: ServerMetrics
    let clock: @Sendable () -> Date
    let telemetry: TelemetryCache
    let live: LiveReadings
    let channel: ChannelHub
    let schedules: SchedulePublisher
    let workers: ChannelWorkers
    let alerts: AlertDispatcher
    let directory: DisplayDirectory
    /// Proof of play from display channels, committed many displays at a time.
    let playWrites: GroupCommit<PlayBatch, Bool>
    /// Readings from HTTP requests and display channels, committed many at a time; each item is
    /// one request's (or one channel message's) batches, which stay in one transaction.
    let readingWrites: GroupCommit<[ReadingBatch], [BatchOutcome]>

    /// An audit event by the caller.
    func audit(_ p: Principal, _ action: String, _ type: String, _ id: String, _ summary: String) -> AuditEvent {
        AuditEvent(actor: p.username, action: action, objectType: type, objectId: id, summary: summary)
    }
}
