public import Foundation
public import TentacleCore

/// A warning feed Tentacle follows: where it is, how often to look, which alerts to take, and
/// how the last looks went.
public struct AlertFeed: Codable, Hashable, Sendable {
    /// Which alerts of the feed are taken; an empty list lets every value through.
    public struct Filters: Codable, Hashable, Sendable {
        public var statuses: [String]
        public var severities: [String]
        public var urgencies: [String]
        public var certainties: [String]
        /// Event names, compared without regard to case (e.g. "Flood Warning").
        public var events: [String]
        /// Only alerts whose area reaches at least one display in these districts.
        public var districts: [String]

        public init(
            statuses: [String] = [], severities: [String] = [], urgencies: [String] = [], certainties: [String] = [], events: [String] = [],
            districts: [String] = []
        ) {
            self.statuses = statuses
            self.severities = severities
            self.urgencies = urgencies
            self.certainties = certainties
            self.events = events
            self.districts = districts
        }

        /// Any list may be left out.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            statuses = try c.decodeIfPresent([String].self, forKey: .statuses) ?? []
            severities = try c.decodeIfPresent([String].self, forKey: .severities) ?? []
            urgencies = try c.decodeIfPresent([String].self, forKey: .urgencies) ?? []
            certainties = try c.decodeIfPresent([String].self, forKey: .certainties) ?? []
            events = try c.decodeIfPresent([String].self, forKey: .events) ?? []
            districts = try c.decodeIfPresent([String].self, forKey: .districts) ?? []
        }

        private enum CodingKeys: String, CodingKey {
            case statuses, severities, urgencies, certainties, events, districts
        }
    }

    /// How the feed is doing: `pending` before the first look, `ok`, or `failing` with the reason.
    public struct Health: Codable, Hashable, Sendable {
        public enum State: String, Codable, Hashable, Sendable {
            case pending, ok, failing
        }
        public var state: State
        public var lastPolledAt: Date?
        public var lastSuccessAt: Date?
        public var lastError: String?
        public var consecutiveFailures: Int
        public var nextPollAt: Date?
        /// Validators of the last full answer, sent back for a conditional GET.
        public var etag: String?
        public var lastModified: String?
        /// Alerts this feed brought in, and those it listed that were refused or filtered out.
        public var alertsTaken: Int
        public var alertsSkipped: Int

        public init(
            state: State = .pending, lastPolledAt: Date? = nil, lastSuccessAt: Date? = nil, lastError: String? = nil, consecutiveFailures: Int = 0,
            nextPollAt: Date? = nil, etag: String? = nil, lastModified: String? = nil, alertsTaken: Int = 0, alertsSkipped: Int = 0
        ) {
            self.state = state
            self.lastPolledAt = lastPolledAt
            self.lastSuccessAt = lastSuccessAt
            self.lastError = lastError
            self.consecutiveFailures = consecutiveFailures
            self.nextPollAt = nextPollAt
            self.etag = etag
            self.lastModified = lastModified
            self.alertsTaken = alertsTaken
            self.alertsSkipped = alertsSkipped
        }
    }

    public var id: String
    public var name: String
    public var url: String
    /// `atom`, `rss` or `cap` (one CAP document at a fixed address).
    public var kind: String
    public var intervalSeconds: Int
    public var enabled: Bool
    public var filters: Filters
    /// Who added the feed; its alerts are posted with this user's districts.
    public var createdBy: String
    public var posterScope: [String]?
    public var createdAt: Date
    public var health: Health

    public init(
        id: String, name: String, url: String, kind: String, intervalSeconds: Int, enabled: Bool = true, filters: Filters = Filters(),
        createdBy: String, posterScope: [String]?, createdAt: Date, health: Health = Health()
    ) {
        self.id = id
        self.name = name
        self.url = url
        self.kind = kind
        self.intervalSeconds = intervalSeconds
        self.enabled = enabled
        self.filters = filters
        self.createdBy = createdBy
        self.posterScope = posterScope
        self.createdAt = createdAt
        self.health = health
    }
}

/// Warning feeds and which of their entries were already taken.
public protocol AlertFeedRepository: Sendable {
    /// `conflict` when the id or the URL is taken.
    func createFeed(_ feed: AlertFeed, audit: AuditEvent) async throws
    func feed(id: String) async throws -> AlertFeed?
    func feeds() async throws -> [AlertFeed]
    /// Replaces name, interval, enabled and filters; health stays.
    func updateFeed(_ feed: AlertFeed, audit: AuditEvent) async throws
    func deleteFeed(id: String, audit: AuditEvent) async throws
    /// Records how a poll went; entries listed in `seen` are not fetched again.
    func recordPoll(feedId: String, health: AlertFeed.Health, seen: [String]) async throws
    /// The entries of a feed taken (or refused for good) before.
    func seenEntries(feedId: String) async throws -> Set<String>
}
