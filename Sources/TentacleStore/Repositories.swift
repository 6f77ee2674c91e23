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
    func updateUser(_ user: User, passwordHash: String?, audit: AuditEvent) async throws
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
}

/// Everything the server stores, one protocol per aggregate.
public typealias Storage = DisplayRepository & DistrictRepository & UserRepository & CredentialRepository & AuditRepository
    & ContentRepository

/// Assets, layouts, campaigns with their revision history, and default layouts.
public protocol ContentRepository: Sendable {
    /// Stores an asset unless one with the same hash exists; returns whether it was new.
    @discardableResult
    func putAsset(_ asset: AssetRecord, bytes: [UInt8], audit: AuditEvent) async throws -> Bool
    func asset(sha256: String) async throws -> AssetRecord?
    func assetBytes(sha256: String) async throws -> [UInt8]?
    func assets() async throws -> [AssetRecord]
    /// Deletes assets uploaded before `cutoff` whose hash is not in `referenced`; returns their hashes.
    func deleteUnreferencedAssets(referenced: Set<String>, uploadedBefore cutoff: Date) async throws -> [String]

    func createLayout(_ layout: LayoutRecord, audit: AuditEvent) async throws
    func layout(id: String) async throws -> LayoutRecord?
    func layouts() async throws -> [LayoutRecord]
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
    /// Writes changed states of existing revisions (an approval or rejection) in one transaction.
    func saveReview(_ changed: [CampaignRevision], audit: AuditEvent) async throws
    func deleteCampaign(id: String, audit: AuditEvent) async throws
    /// The approved, live revision of every campaign.
    func liveCampaigns() async throws -> [LiveCampaign]

    func defaultLayouts() async throws -> DefaultLayouts
    func setDefaultLayouts(_ defaults: DefaultLayouts, audit: AuditEvent) async throws

    /// Whether changes to campaigns targeting this district need a second person's approval (default true).
    func approvalRequired(district: String) async throws -> Bool
    func setApprovalRequired(_ required: Bool, district: String, audit: AuditEvent) async throws
}
