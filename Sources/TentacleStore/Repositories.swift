public import Foundation
public import TentacleCore

/// Displays: the registry of screens.
public protocol DisplayRepository: Sendable {
    /// Stores a new display; `conflict` if the id is taken, `invalidReference` for an unknown district or group.
    func createDisplay(_ display: Display, audit: AuditEvent) async throws
    func display(id: String) async throws -> Display?
    /// Replaces a stored display's fields (not its status or timestamps of creation).
    func updateDisplay(_ display: Display, audit: AuditEvent) async throws
    func deleteDisplay(id: String, audit: AuditEvent) async throws
    func listDisplays(_ query: DisplayQuery) async throws -> Page<Display>
    /// Stores every display or none; problems name the row of `rows` they came from.
    func importDisplays(_ rows: [(row: Int, display: Display)], audit: AuditEvent) async throws
    func displayCountsByStatus() async throws -> [DisplayStatus: Int]
    /// What the city map and the live status stream need of every display in `scope`, in id
    /// order: one lean read instead of whole displays with their groups and tags.
    func displayMarkers(scope: DistrictScope) async throws -> [DisplayMarker]
}

/// A display as a map marker: where it is, what it is called and how it is doing.
public struct DisplayMarker: Hashable, Sendable {
    public var id: String
    public var name: String
    public var lat: Double
    public var lon: Double
    public var status: DisplayStatus
    public var district: String
    public var poleId: String?
    public var lastSeen: Date?

    public init(
        id: String, name: String, lat: Double, lon: Double, status: DisplayStatus, district: String, poleId: String?, lastSeen: Date?
    ) {
        self.id = id
        self.name = name
        self.lat = lat
        self.lon = lon
        self.status = status
        self.district = district
        self.poleId = poleId
        self.lastSeen = lastSeen
    }
}

/// Districts and display groups, the two ways displays are organised.
public protocol DistrictRepository: Sendable {
    func createDistrict(_ district: District, audit: AuditEvent) async throws
    func district(code: String) async throws -> District?
    func districts() async throws -> [District]
    func updateDistrict(_ district: District, audit: AuditEvent) async throws
    /// `conflict` while displays still belong to the district.
    func deleteDistrict(code: String, audit: AuditEvent) async throws

    func createGroup(_ group: DisplayGroup, audit: AuditEvent) async throws
    func group(code: String) async throws -> DisplayGroup?
    func groups() async throws -> [DisplayGroup]
    func updateGroup(_ group: DisplayGroup, audit: AuditEvent) async throws
    /// `conflict` while displays are still in the group.
    func deleteGroup(code: String, audit: AuditEvent) async throws
}

/// Users, their password hashes and their tokens (API tokens and dashboard sessions).
public protocol UserRepository: Sendable {
    func userCount() async throws -> Int
    /// `audit` is nil only for the first admin the server creates on an empty database.
    func createUser(_ user: User, passwordHash: String, audit: AuditEvent?) async throws
    func user(id: String) async throws -> User?
    /// The user and their password hash, for signing in.
    func credentials(username: String) async throws -> (user: User, passwordHash: String)?
    func users() async throws -> [User]
    /// With `revokingTokensAt` set, every session and API token of the user is revoked in the same transaction.
    func updateUser(_ user: User, passwordHash: String?, revokingTokensAt: Date?, audit: AuditEvent) async throws
    /// Deletes the user and every token they hold.
    func deleteUser(id: String, audit: AuditEvent) async throws

    func createToken(_ token: APIToken, secretHash: String, audit: AuditEvent?) async throws
    /// The live (not revoked, not expired) token with this hash and its owner.
    func activeToken(secretHash: String, at time: Date) async throws -> (token: APIToken, user: User)?
    func tokens(userId: String) async throws -> [APIToken]
    func revokeToken(id: String, userId: String, at time: Date, audit: AuditEvent?) async throws
}

/// Per-display device credentials; only hashes of the secrets are stored.
public protocol CredentialRepository: Sendable {
    /// Stores a new credential; with `replacingExisting` every live credential of the display is revoked in the same transaction.
    func issueCredential(_ credential: DeviceCredential, secretHash: String, replacingExisting: Bool, audit: AuditEvent) async throws
    func credentials(displayId: String) async throws -> [DeviceCredential]
    /// Revokes every live credential of the display; returns how many were revoked.
    @discardableResult
    func revokeCredentials(displayId: String, at time: Date, audit: AuditEvent) async throws -> Int
    /// The display that a live credential with this hash belongs to.
    func displayForCredential(secretHash: String) async throws -> Display?
}

/// The append-only audit log.
public protocol AuditRepository: Sendable {
    func auditEntries(_ query: AuditQuery) async throws -> [AuditEntry]
    /// The id of the newest audit row (0 when empty): it moves exactly when something changed.
    func latestAuditId() async throws -> Int64
    /// The id of the newest audit row about objects of `objectType` (0 when none): it moves
    /// whenever one of them was created, changed or deleted.
    func latestAuditId(objectType: String) async throws -> Int64
    /// Writes an audit row for an action that changes nothing stored, such as a remote command.
    func recordEvent(_ event: AuditEvent) async throws
}

/// Everything the server stores, one protocol per aggregate.
public typealias Storage = DisplayRepository & DistrictRepository & UserRepository & CredentialRepository & AuditRepository
    & ContentRepository & TelemetryRepository & DeviceRepository & AlertRepository & SensorRepository & AlertFeedRepository

/// Sensors registered on poles and displays.
public protocol SensorRepository: Sendable {
    /// `conflict` when the id is taken.
    func createSensor(_ sensor: Sensor, audit: AuditEvent) async throws
    func sensor(id: String) async throws -> Sensor?
    /// Sorted by id; only sensors in `scope`'s districts.
    func sensors(scope: DistrictScope) async throws -> [Sensor]
    func deleteSensor(id: String, audit: AuditEvent) async throws
}

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
    /// Active alerts with their notices and the displays each still has to show.
    func activeAlerts() async throws -> [(alert: AlertRecord, notice: String, targets: [String], shown: [String])]
    /// Writes delivery progress of many displays in one transaction; a later state never goes back.
    func recordDeliveries(_ updates: [(alertId: String, delivery: AlertDelivery)]) async throws
    func setAlertStates(_ states: [String: AlertRecord.State], audit: AuditEvent?) async throws
}

/// A display's presence as the channel saw it, written in batches.
public struct PresenceUpdate: Hashable, Sendable {
    public var displayId: String
    public var status: DisplayStatus
    public var lastSeen: Date

    public init(displayId: String, status: DisplayStatus, lastSeen: Date) {
        self.displayId = displayId
        self.status = status
        self.lastSeen = lastSeen
    }
}

/// One stretch of content on a display's panel, as its agent reported it.
public struct PlayRecord: Codable, Hashable, Sendable {
    public var displayId: String
    /// "campaign", "default" or "alert".
    public var kind: String
    public var layoutId: String?
    public var campaignId: String?
    public var revision: Int?
    public var alertId: String?
    /// Agent clock, Unix milliseconds.
    public var start: Int64
    public var end: Int64

    public init(displayId: String, kind: String, layoutId: String?, campaignId: String?, revision: Int?, alertId: String?, start: Int64, end: Int64) {
        self.displayId = displayId
        self.kind = kind
        self.layoutId = layoutId
        self.campaignId = campaignId
        self.revision = revision
        self.alertId = alertId
        self.start = start
        self.end = end
    }
}

/// The latest frame a display sent back.
public struct StoredScreenshot: Hashable, Sendable {
    public var png: [UInt8]
    public var takenAt: Date
    public var receivedAt: Date

    public init(png: [UInt8], takenAt: Date, receivedAt: Date) {
        self.png = png
        self.takenAt = takenAt
        self.receivedAt = receivedAt
    }
}

/// One proof-of-play batch as a display sent it.
public struct PlayBatch: Hashable, Sendable {
    public var displayId: String
    /// The agent's sequence epoch, as in `ReadingBatch`.
    public var epoch: Int64
    public var seq: Int64
    public var plays: [PlayRecord]

    public init(displayId: String, epoch: Int64 = 0, seq: Int64, plays: [PlayRecord]) {
        self.displayId = displayId
        self.epoch = epoch
        self.seq = seq
        self.plays = plays
    }
}

/// What displays report over the channel: presence, proof of play and screenshots.
public protocol DeviceRepository: Sendable {
    /// Sets status and last-seen of many displays in one transaction; unknown ids are skipped.
    func recordPresence(_ updates: [PresenceUpdate]) async throws
    /// Stores proof-of-play batches of many displays in one transaction, each unless (display, epoch,
    /// seq) was stored before (also earlier in the same call); returns, in order, whether each was new.
    func recordPlays(_ batches: [PlayBatch], at time: Date) async throws -> [Bool]
    /// The highest sequence number of a readings, health or proof-of-play batch stored for the
    /// display in `epoch` (and not yet pruned), nil when there is none.
    func lastSequence(displayId: String, epoch: Int64) async throws -> Int64?
    /// Plays of a display overlapping [from, to), oldest first, at most `limit`.
    func plays(displayId: String, from: Int64, to: Int64, limit: Int) async throws -> [PlayRecord]
    func saveScreenshot(displayId: String, _ shot: StoredScreenshot) async throws
    func screenshot(displayId: String) async throws -> StoredScreenshot?
}

/// Assets, layouts, campaigns with their revision history, and default layouts.
public protocol ContentRepository: Sendable {
    /// Stores an asset unless one with the same hash exists; returns whether it was new.
    @discardableResult
    func putAsset(_ asset: AssetRecord, bytes: [UInt8], audit: AuditEvent) async throws -> Bool
    func asset(sha256: String) async throws -> AssetRecord?
    func assetBytes(sha256: String) async throws -> [UInt8]?
    func assets() async throws -> [AssetRecord]
    /// Deletes assets uploaded before `cutoff` that no stored layout draws, deciding and deleting in one
    /// transaction; returns their hashes.
    func deleteUnreferencedAssets(uploadedBefore cutoff: Date) async throws -> [String]

    /// Stores a new layout; `conflict` if the id is taken, `invalidReference` if it draws an image not stored.
    func createLayout(_ layout: LayoutRecord, audit: AuditEvent) async throws
    func layout(id: String) async throws -> LayoutRecord?
    func layouts() async throws -> [LayoutRecord]
    /// Replaces a layout; `conflict` while a live or pending campaign revision plays it (its content
    /// changes only through approval), `invalidReference` if the new document draws an image not stored.
    func updateLayout(_ layout: LayoutRecord, audit: AuditEvent) async throws
    /// `conflict` while a live or pending campaign revision or a default names the layout.
    func deleteLayout(id: String, audit: AuditEvent) async throws

    /// Stores a new campaign with its first revision; `conflict` if the id is taken.
    func createCampaign(_ first: CampaignRevision, audit: AuditEvent) async throws
    /// Every revision of a campaign, oldest first; empty when the campaign does not exist.
    func campaignHistory(id: String) async throws -> [CampaignRevision]
    /// The latest revision of every campaign.
    func latestRevisions() async throws -> [CampaignRevision]
    /// Appends a revision; `conflict` unless it is numbered one past the latest. Pending revisions it
    /// follows become superseded, and so does the live one when the new revision arrives approved.
    func addRevision(_ revision: CampaignRevision, audit: AuditEvent) async throws
    /// Writes changed states of existing revisions (an approval or rejection) in one transaction, each
    /// only if its stored state is still the one in `history`, the revisions the reviewer decided on;
    /// `conflict` otherwise, and nothing changes.
    func saveReview(_ changed: [CampaignRevision], reviewed history: [CampaignRevision], audit: AuditEvent) async throws
    func deleteCampaign(id: String, audit: AuditEvent) async throws
    /// The approved, live revision of every campaign.
    func liveCampaigns() async throws -> [LiveCampaign]

    func defaultLayouts() async throws -> DefaultLayouts
    func setDefaultLayouts(_ defaults: DefaultLayouts, audit: AuditEvent) async throws

    /// Whether changes to campaigns targeting this district need a second person's approval (default true).
    func approvalRequired(district: String) async throws -> Bool
    func setApprovalRequired(_ required: Bool, district: String, audit: AuditEvent) async throws
}

/// Readings: raw values, 1-minute and 1-hour rollups, the latest value per series and the metric catalogue.
public protocol TelemetryRepository: Sendable {
    /// Stores each batch whose (source, epoch, sequence) is new, with its rollups and latest values, in one
    /// transaction that has committed when this returns; a batch stored before changes nothing.
    /// Outcomes come in the order of `batches`.
    func ingest(_ batches: [ReadingBatch], at time: Date) async throws -> [BatchOutcome]

    /// The built-in metrics plus every metric an admin added.
    func metrics() async throws -> MetricCatalogue
    /// `conflict` when the name is taken.
    func addMetric(_ metric: Metric, audit: AuditEvent) async throws

    /// Raw readings of one series in time order (ties in arrival order), `from` inclusive, `to`
    /// exclusive (milliseconds), at most `limit`, continuing after `after`.
    func rawReadings(source: String, metric: String, from: Int64, to: Int64, after: ReadingCursor?, limit: Int) async throws -> ReadingPage
    /// Rollup cells of one series whose buckets start in `from..<to`, in time order.
    func rollups(source: String, metric: String, tier: RollupTier, from: Int64, to: Int64) async throws -> [RollupPoint]
    /// The metrics a source has readings of, sorted.
    func metrics(source: String) async throws -> [String]

    /// The latest reading of every series in the area, with the district of its display or sensor.
    func latest(_ query: LatestQuery) async throws -> [LatestReading]
    /// Per district, min, max, sum and count of one value per source: its newest reading at or
    /// before `at` and after `at - window` (milliseconds); sources with none are left out.
    func aggregate(metric: String, area: ReadingArea, at: Int64, window: Int64) async throws -> [DistrictAggregate]
    /// Min, max, sum and count of one metric per district over the buckets of `tier` starting in `from..<to`.
    func aggregate(metric: String, tier: RollupTier, area: ReadingArea, from: Int64, to: Int64) async throws -> [DistrictAggregate]

    /// Deletes raw readings, rollups, plays and batch records older than their tier's cutoff.
    func deleteExpired(_ cutoffs: RetentionCutoffs) async throws -> RetentionCounts
}

/// What became of one batch of an ingest.
public struct BatchOutcome: Hashable, Sendable {
    public enum Result: Hashable, Sendable {
        /// Stored now, with this many readings.
        case stored(Int)
        /// Stored by an earlier request; nothing changed.
        case duplicate
    }

    public var source: String
    public var sequence: Int64
    public var result: Result

    public init(source: String, sequence: Int64, result: Result) {
        self.source = source
        self.sequence = sequence
        self.result = result
    }
}

/// Where a page of raw readings stopped; opaque to callers.
public struct ReadingCursor: Hashable, Sendable {
    let time: Int64
    let row: Int64
}

/// A page of raw readings and where the next one starts (nil at the end).
public struct ReadingPage: Hashable, Sendable {
    public var readings: [Reading]
    public var next: ReadingCursor?

    public init(readings: [Reading], next: ReadingCursor?) {
        self.readings = readings
        self.next = next
    }
}

/// One stored rollup cell and the start of its bucket (milliseconds).
public struct RollupPoint: Hashable, Sendable {
    public var bucketStart: Int64
    public var cell: RollupCell

    public init(bucketStart: Int64, cell: RollupCell) {
        self.bucketStart = bucketStart
        self.cell = cell
    }
}

/// Which sources' readings a query covers: displays, and registered sensors by their own place.
///
/// A source that is neither has no district, so only unscoped queries without a district or box
/// filter see it.
public struct ReadingArea: Hashable, Sendable {
    public var scope: DistrictScope
    public var district: String?
    public var bbox: BoundingBox?
    /// Only these sources, when set (the displays and sensors inside a polygon, found by the caller).
    public var sources: [String]?

    public init(scope: DistrictScope = .all, district: String? = nil, bbox: BoundingBox? = nil, sources: [String]? = nil) {
        self.scope = scope
        self.district = district
        self.bbox = bbox
        self.sources = sources
    }
}

/// Which latest values to list.
public struct LatestQuery: Hashable, Sendable {
    public var area: ReadingArea
    public var metric: String?
    /// Only these sources, when set.
    public var sources: [String]?

    public init(area: ReadingArea = ReadingArea(), metric: String? = nil, sources: [String]? = nil) {
        self.area = area
        self.metric = metric
        self.sources = sources
    }
}

/// The latest reading of a series and the district of its display or registered sensor, if it has one.
public struct LatestReading: Hashable, Sendable {
    public var reading: Reading
    public var district: String?

    public init(reading: Reading, district: String?) {
        self.reading = reading
        self.district = district
    }
}

/// One metric summed up over the displays of one district.
public struct DistrictAggregate: Hashable, Sendable {
    public var district: String
    public var min: Double
    public var max: Double
    public var sum: Double
    public var count: Int
    /// How many sources contributed.
    public var sources: Int

    public init(district: String, min: Double, max: Double, sum: Double, count: Int, sources: Int) {
        self.district = district
        self.min = min
        self.max = max
        self.sum = sum
        self.count = count
        self.sources = sources
    }

    public var mean: Double { sum / Double(count) }
}

/// The instants (milliseconds) before which each tier is deleted; a nil hour or plays cutoff keeps that tier forever.
public struct RetentionCutoffs: Hashable, Sendable {
    public var raw: Int64
    public var minute: Int64
    public var hour: Int64?
    /// Plays that ended before it go, with the batch records of their proof of play.
    public var plays: Int64?

    public init(raw: Int64, minute: Int64, hour: Int64?, plays: Int64? = nil) {
        self.raw = raw
        self.minute = minute
        self.hour = hour
        self.plays = plays
    }

    /// The cutoffs of a policy at `now`.
    public init(_ policy: RetentionPolicy, now: Date) {
        let c = policy.cutoffs(now: now)
        self.init(
            raw: Reading.milliseconds(c.raw), minute: Reading.milliseconds(c.minute), hour: c.hour.map(Reading.milliseconds),
            plays: Reading.milliseconds(c.plays))
    }
}

/// How many rows a retention pass deleted per tier.
public struct RetentionCounts: Hashable, Sendable {
    public var raw: Int
    public var minute: Int
    public var hour: Int
    public var plays: Int

    public init(raw: Int = 0, minute: Int = 0, hour: Int = 0, plays: Int = 0) {
        self.raw = raw
        self.minute = minute
        self.hour = hour
        self.plays = plays
    }
}

extension DisplayRepository {
    /// Every display in `scope`, read page by page in id order.
    public func everyDisplay(scope: DistrictScope = .all) async throws -> [Display] {
        var all: [Display] = []
        var cursor: String?
        repeat {
            let page = try await listDisplays(DisplayQuery(after: cursor, limit: DisplayQuery.maxLimit, scope: scope))
            all += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return all
    }
}
