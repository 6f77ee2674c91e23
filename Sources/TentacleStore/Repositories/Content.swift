public import Foundation
public import TentacleCore

// Layouts, assets, campaigns with their revisions, and default layouts.

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

/// `DefaultLayouts` as both backends keep it: one `default_layouts` row per display, group and
/// the global default, by kind ("display", "group", "global") and key (empty for global).
extension DefaultLayouts {
    var storedRows: [(kind: String, key: String, layout: String)] {
        var rows = byDisplay.map { (kind: "display", key: $0.key, layout: $0.value) }
        rows += byGroup.map { (kind: "group", key: $0.key, layout: $0.value) }
        if let global { rows.append((kind: "global", key: "", layout: global)) }
        return rows
    }

    mutating func take(kind: String, key: String, layout: String) {
        switch kind {
        case "display": byDisplay[key] = layout
        case "group": byGroup[key] = layout
        default: global = layout
        }
    }

    /// The error for a row naming a layout that does not exist, with the field as the API names it.
    static func unknownLayout(kind: String, key: String, layout: String) -> StoreError {
        StoreError(.invalidReference, field: kind == "global" ? "global" : "by\(kind.capitalized).\(key)", "unknown layout '\(layout)'")
    }
}
