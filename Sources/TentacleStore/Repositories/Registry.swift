public import Foundation
public import TentacleCore

// Registry repositories: displays, districts, users, credentials, audit and sensors, and the `Storage` union.

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
    & RuleRepository & AlarmRepository & SubscriptionRepository & JobCoordination & NodeMessaging

/// Sensors registered on poles and displays.
public protocol SensorRepository: Sendable {
    /// `conflict` when the id is taken.
    func createSensor(_ sensor: Sensor, audit: AuditEvent) async throws
    func sensor(id: String) async throws -> Sensor?
    /// Sorted by id; only sensors in `scope`'s districts.
    func sensors(scope: DistrictScope) async throws -> [Sensor]
    func deleteSensor(id: String, audit: AuditEvent) async throws
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
