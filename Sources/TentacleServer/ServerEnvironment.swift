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
    /// The other nodes on the same database (none on SQLite).
    var relay: NodeRelay { channel.relay }
    let schedules: SchedulePublisher
    let workers: ChannelWorkers
    let alerts: AlertDispatcher
    let directory: DisplayDirectory
    /// Proof of play from display channels, committed many displays at a time.
    let playWrites: GroupCommit<PlayBatch, Bool>
    /// Readings in, from HTTP and from display channels alike.
    let ingest: TelemetryIngest
    /// CAP messages in, from alerters and feeds alike.
    let intake: AlertIntake
    /// Campaign revisions and their review.
    let campaigns: CampaignWorkflow
    /// Displays into the registry and out of it.
    let provisioning: DisplayProvisioning
    /// The warning feeds' poller, also asked to poll one feed at once.
    let feeds: AlertFeedPoller
    /// City rules judging readings as they are stored, and what they show.
    let rules: RuleService
    /// The webhook calls rules owe, delivered with retries.
    let webhooks: WebhookSender
    /// Display health alarms from what channels report.
    let alarms: HealthAlarmService
    /// City rules and their review.
    let ruleWorkflow: RuleWorkflow
    /// Displays, sensors and their readings as NGSI-LD entities.
    let entities: EntityCatalog
    /// NGSI-LD subscriptions, planning notifications as readings are stored.
    let subscriptions: SubscriptionService
    /// The notifications subscriptions are owed, delivered with retries.
    let notifications: NotificationSender

    /// An audit event by the caller.
    func audit(_ p: Principal, _ action: String, _ type: String, _ id: String, _ summary: String) -> AuditEvent {
        AuditEvent(actor: p.username, action: action, objectType: type, objectId: id, summary: summary)
    }
}
