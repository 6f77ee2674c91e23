public import Foundation
public import TentacleCore

/// A city rule as stored: its condition, what it does while raised, who wrote and approved it,
/// and which sources hold it raised (kept across restarts, so a raised rule stays raised).
public struct CityRule: Codable, Hashable, Sendable {
    /// A rule acts only once a second person approved it; any edit waits for approval again.
    public enum State: String, Codable, Sendable {
        case pending, approved
    }

    /// What the rule does while raised.
    public struct Actions: Codable, Hashable, Sendable {
        /// Shown as a temporary campaign while the rule is raised.
        public var layoutId: String?
        /// The campaign reaches displays within this many metres of a source holding the rule;
        /// without it, every display in the rule's area.
        public var radiusMeters: Double?
        /// The campaign's priority (campaigns: 0-1000; alerts always win).
        public var priority: Int
        /// Raised and cleared events are POSTed here as JSON (http or https).
        public var webhook: String?

        public static let defaultPriority = 900

        public init(layoutId: String? = nil, radiusMeters: Double? = nil, priority: Int = Self.defaultPriority, webhook: String? = nil) {
            self.layoutId = layoutId
            self.radiusMeters = radiusMeters
            self.priority = priority
            self.webhook = webhook
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            layoutId = try c.decodeIfPresent(String.self, forKey: .layoutId)
            radiusMeters = try c.decodeIfPresent(Double.self, forKey: .radiusMeters)
            priority = try c.decodeIfPresent(Int.self, forKey: .priority) ?? Self.defaultPriority
            webhook = try c.decodeIfPresent(String.self, forKey: .webhook)
        }
    }

    public var id: String
    public var name: String
    public var condition: Rule
    public var actions: Actions
    public var createdBy: String
    public var createdAt: Date
    public var state: State
    public var approvedBy: String?
    public var approvedAt: Date?
    /// The sources holding the rule raised, sorted; empty when it is not raised.
    public var raisedSources: [String]
    public var raisedAt: Int64?

    public init(
        id: String, name: String, condition: Rule, actions: Actions, createdBy: String, createdAt: Date, state: State = .pending,
        approvedBy: String? = nil, approvedAt: Date? = nil, raisedSources: [String] = [], raisedAt: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.condition = condition
        self.actions = actions
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.state = state
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
        self.raisedSources = raisedSources
        self.raisedAt = raisedAt
    }

    /// The id of the temporary campaign a raised rule shows its layout with.
    public var campaignId: String { "rule-\(id)" }
}

/// One change of a rule's state, as the engine decided it.
public struct RuleEventRecord: Codable, Hashable, Sendable {
    public var rule: String
    public var kind: String
    /// When, in the readings' own time (ms since 1970).
    public var time: Int64
    public var source: String
    public var sources: [String]
    public var silent: Bool

    public init(rule: String, kind: String, time: Int64, source: String, sources: [String], silent: Bool) {
        self.rule = rule
        self.kind = kind
        self.time = time
        self.source = source
        self.sources = sources
        self.silent = silent
    }

    public init(_ event: RuleEvent) {
        self.init(rule: event.rule, kind: event.kind.rawValue, time: event.time, source: event.source, sources: event.sources, silent: event.silent)
    }
}

/// A webhook call a rule owes, kept until delivered or given up on.
public struct WebhookDelivery: Codable, Hashable, Sendable {
    public enum State: String, Codable, Sendable {
        case pending, delivered, failed
    }

    public var id: Int64
    public var rule: String
    public var url: String
    /// The JSON body.
    public var payload: String
    public var createdAt: Int64
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Int64
    /// The last answer's HTTP status, when there was one.
    public var lastStatus: Int?
    public var lastError: String?
    public var deliveredAt: Int64?

    public init(
        id: Int64 = 0, rule: String, url: String, payload: String, createdAt: Int64, state: State = .pending, attempts: Int = 0,
        nextAttemptAt: Int64, lastStatus: Int? = nil, lastError: String? = nil, deliveredAt: Int64? = nil
    ) {
        self.id = id
        self.rule = rule
        self.url = url
        self.payload = payload
        self.createdAt = createdAt
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.deliveredAt = deliveredAt
    }
}

/// City rules, what they decided, and the webhook calls they owe.
public protocol RuleRepository: Sendable {
    func rules() async throws -> [CityRule]
    func rule(id: String) async throws -> CityRule?
    /// `conflict` when the id is taken.
    func createRule(_ rule: CityRule, audit: AuditEvent) async throws
    /// Replaces the definition (name, condition, actions, state, approval); `notFound` if gone.
    func updateRule(_ rule: CityRule, audit: AuditEvent) async throws
    /// Approves the rule only if it is still pending and unchanged since `createdAt`
    /// (`conflict` otherwise), in one transaction.
    func approveRule(id: String, expectedCreatedAt: Date, by: String, at: Date, audit: AuditEvent) async throws
    func deleteRule(id: String, audit: AuditEvent) async throws
    /// Records an event with the rule's sources held raised after it, and the webhook delivery
    /// it causes, in one transaction.
    func recordRuleEvent(_ event: RuleEventRecord, webhook: WebhookDelivery?) async throws
    /// The rule's events, newest first.
    func ruleEvents(rule: String, limit: Int) async throws -> [RuleEventRecord]
    /// For each rule, its oldest pending delivery if it is due at `at` (ms): a rule's calls go out
    /// in the order they were owed, a later one only after the earlier was delivered or given up.
    func dueWebhooks(at: Int64, limit: Int) async throws -> [WebhookDelivery]
    /// The earliest next attempt of a pending delivery, if any.
    func nextWebhookAttempt() async throws -> Int64?
    func saveWebhookAttempt(_ delivery: WebhookDelivery) async throws
    /// The rule's deliveries, newest first.
    func webhookDeliveries(rule: String, limit: Int) async throws -> [WebhookDelivery]
}
