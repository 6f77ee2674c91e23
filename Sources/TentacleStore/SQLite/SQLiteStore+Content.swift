public import Foundation
import GRDB
public import TentacleCore

extension SQLiteStore: ContentRepository {
    // MARK: Assets

    @discardableResult
    public func putAsset(_ asset: AssetRecord, bytes: [UInt8], audit: AuditEvent) async throws -> Bool {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM assets WHERE sha256 = ?", arguments: [asset.sha256]) == true {
                return false
            }
            try db.execute(
                sql: "INSERT INTO assets (sha256, width, height, byte_count, bytes, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [asset.sha256, asset.width, asset.height, asset.byteCount, Data(bytes), asset.uploadedBy, asset.uploadedAt])
            try self.append(audit, db)
            return true
        }
    }

    public func asset(sha256: String) async throws -> AssetRecord? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT sha256, width, height, byte_count, uploaded_by, uploaded_at FROM assets WHERE sha256 = ?",
                arguments: [sha256]
            ).map(Self.asset)
        }
    }

    public func assetBytes(sha256: String) async throws -> [UInt8]? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT bytes FROM assets WHERE sha256 = ?", arguments: [sha256]).map { [UInt8]($0) }
        }
    }

    public func assets() async throws -> [AssetRecord] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT sha256, width, height, byte_count, uploaded_by, uploaded_at FROM assets ORDER BY uploaded_at, sha256"
            ).map(Self.asset)
        }
    }

    public func deleteUnreferencedAssets(uploadedBefore cutoff: Date) async throws -> [String] {
        try await write { db in
            // Decided and done in one write transaction: a layout saved meanwhile either committed
            // before (and its images are referenced here) or waits, and then finds them gone.
            let doomed = try String.fetchAll(
                db,
                sql: """
                    SELECT sha256 FROM assets WHERE uploaded_at < ?
                    AND sha256 NOT IN (SELECT lower(j.value) FROM layouts, json_tree(layouts.document) j \(Self.imageReference))
                    ORDER BY sha256
                    """,
                arguments: [cutoff])
            for sha in doomed {
                try db.execute(sql: "DELETE FROM assets WHERE sha256 = ?", arguments: [sha])
                try self.append(
                    AuditEvent(actor: "system", action: "asset.collect", objectType: "asset", objectId: sha, summary: "unreferenced asset collected"), db)
            }
            return doomed
        }
    }

    /// The `json_tree` rows of a layout document that name an image: the renderer's image widgets
    /// are the only objects with an `asset` key, a string holding the image's SHA-256.
    private static let imageReference = "WHERE j.key = 'asset' AND j.type = 'text'"

    /// Refuses a layout document that names an image no longer stored, checked in the transaction that saves it.
    private static func checkImages(of document: String, _ db: Database) throws {
        let missing = try String.fetchOne(
            db,
            sql: """
                SELECT j.value FROM json_tree(?) j \(imageReference)
                AND lower(j.value) NOT IN (SELECT sha256 FROM assets) LIMIT 1
                """,
            arguments: [document])
        if let missing {
            throw StoreError(.invalidReference, field: "layout", "image asset '\(missing)' is no longer stored; upload it again")
        }
    }

    private static func asset(_ row: Row) -> AssetRecord {
        AssetRecord(
            sha256: row["sha256"], width: row["width"], height: row["height"], byteCount: row["byte_count"],
            uploadedBy: row["uploaded_by"], uploadedAt: row["uploaded_at"])
    }

    // MARK: Layouts

    public func createLayout(_ layout: LayoutRecord, audit: AuditEvent) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM layouts WHERE id = ?", arguments: [layout.id]) == true {
                throw StoreError(.conflict, field: "id", "layout '\(layout.id)' already exists")
            }
            try Self.checkImages(of: layout.document, db)
            try db.execute(
                sql: """
                    INSERT INTO layouts (id, name, width, height, document, created_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    layout.id, layout.name, layout.width, layout.height, layout.document, layout.createdBy, layout.createdAt,
                    layout.updatedAt,
                ])
            try self.append(audit, db)
        }
    }

    public func layout(id: String) async throws -> LayoutRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM layouts WHERE id = ?", arguments: [id]).map(Self.layout)
        }
    }

    public func layouts() async throws -> [LayoutRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM layouts ORDER BY id").map(Self.layout)
        }
    }

    public func updateLayout(_ layout: LayoutRecord, audit: AuditEvent) async throws {
        try await write { db in
            // What a campaign shows changes only through an approved revision, so its layouts are fixed.
            if let campaign = try Self.campaignShowing(layout: layout.id, db) {
                throw StoreError(
                    .conflict,
                    "layout '\(layout.id)' is shown by campaign '\(campaign)' (live or waiting for approval); save the change as a new layout and revise the campaign to use it, so the change goes live through approval")
            }
            try Self.checkImages(of: layout.document, db)
            try db.execute(
                sql: "UPDATE layouts SET name = ?, width = ?, height = ?, document = ?, updated_at = ? WHERE id = ?",
                arguments: [layout.name, layout.width, layout.height, layout.document, layout.updatedAt, layout.id])
            guard db.changesCount == 1 else { throw StoreError.notFound("layout", layout.id) }
            try self.append(audit, db)
        }
    }

    public func deleteLayout(id: String, audit: AuditEvent) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM default_layouts WHERE layout_id = ?", arguments: [id]) == true {
                throw StoreError(.conflict, "layout '\(id)' is a default layout; change the defaults first")
            }
            if let campaign = try Self.campaignShowing(layout: id, db) {
                throw StoreError(.conflict, "layout '\(id)' is used by campaign '\(campaign)'")
            }
            try db.execute(sql: "DELETE FROM layouts WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError.notFound("layout", id) }
            try self.append(audit, db)
        }
    }

    /// A campaign whose live or pending revision plays the layout, if any.
    private static func campaignShowing(layout id: String, _ db: Database) throws -> String? {
        for row in try Row.fetchAll(db, sql: "SELECT content FROM campaign_revisions WHERE state IN ('approved', 'pending')") {
            let campaign = try Self.decodeCampaign(row["content"])
            if campaign.playlist.contains(where: { $0.layoutId == id }) { return campaign.id }
        }
        return nil
    }

    private static func layout(_ row: Row) -> LayoutRecord {
        LayoutRecord(
            id: row["id"], name: row["name"], width: row["width"], height: row["height"], document: row["document"],
            createdBy: row["created_by"], createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    // MARK: Campaigns

    public func createCampaign(_ first: CampaignRevision, audit: AuditEvent) async throws {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM campaign_revisions WHERE campaign_id = ?", arguments: [first.campaignId]) == true {
                throw StoreError(.conflict, field: "id", "campaign '\(first.campaignId)' already exists")
            }
            try Self.insert(first, db)
            try self.append(audit, db)
        }
    }

    public func campaignHistory(id: String) async throws -> [CampaignRevision] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM campaign_revisions WHERE campaign_id = ? ORDER BY revision", arguments: [id])
                .map(Self.revision)
        }
    }

    public func latestRevisions() async throws -> [CampaignRevision] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.* FROM campaign_revisions r
                    JOIN (SELECT campaign_id, MAX(revision) AS latest FROM campaign_revisions GROUP BY campaign_id) m
                      ON m.campaign_id = r.campaign_id AND m.latest = r.revision
                    ORDER BY r.campaign_id
                    """
            ).map(Self.revision)
        }
    }

    public func addRevision(_ revision: CampaignRevision, audit: AuditEvent) async throws {
        try await write { db in
            let latest = try Int.fetchOne(
                db, sql: "SELECT MAX(revision) FROM campaign_revisions WHERE campaign_id = ?", arguments: [revision.campaignId])
            guard let latest else { throw StoreError.notFound("campaign", revision.campaignId) }
            guard revision.revision == latest + 1 else {
                throw StoreError(.conflict, "campaign '\(revision.campaignId)' changed meanwhile (now at revision \(latest))")
            }
            // A newer edit replaces any edit still waiting for review; an edit that goes live at once replaces the live one.
            try db.execute(
                sql: "UPDATE campaign_revisions SET state = 'superseded' WHERE campaign_id = ? AND state = 'pending'",
                arguments: [revision.campaignId])
            if revision.state == .approved {
                try db.execute(
                    sql: "UPDATE campaign_revisions SET state = 'superseded' WHERE campaign_id = ? AND state = 'approved'",
                    arguments: [revision.campaignId])
            }
            try Self.insert(revision, db)
            try self.append(audit, db)
        }
    }

    public func saveReview(_ changed: [CampaignRevision], reviewed history: [CampaignRevision], audit: AuditEvent) async throws {
        try await write { db in
            for r in changed {
                guard let before = history.first(where: { $0.campaignId == r.campaignId && $0.revision == r.revision }) else {
                    throw StoreError.notFound("campaign revision", "\(r.campaignId)#\(r.revision)")
                }
                // Only from the state the reviewer saw: an edit or another review in between makes this a no-op and a conflict.
                try db.execute(
                    sql: """
                        UPDATE campaign_revisions SET state = ?, approved_by = ?, approved_at = ?, rejected_by = ?, rejected_reason = ?
                        WHERE campaign_id = ? AND revision = ? AND state = ?
                        """,
                    arguments: [
                        r.state.rawValue, r.approvedBy, r.approvedAt, r.rejectedBy, r.rejectedReason, r.campaignId, r.revision,
                        before.state.rawValue,
                    ])
                guard db.changesCount == 1 else {
                    let now = try String.fetchOne(
                        db, sql: "SELECT state FROM campaign_revisions WHERE campaign_id = ? AND revision = ?",
                        arguments: [r.campaignId, r.revision])
                    guard let now else { throw StoreError.notFound("campaign revision", "\(r.campaignId)#\(r.revision)") }
                    throw StoreError(
                        .conflict, "revision \(r.revision) of campaign '\(r.campaignId)' changed meanwhile: it is \(now), no longer \(before.state.rawValue)")
                }
            }
            try self.append(audit, db)
        }
    }

    public func deleteCampaign(id: String, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM campaign_revisions WHERE campaign_id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw StoreError.notFound("campaign", id) }
            try self.append(audit, db)
        }
    }

    public func liveCampaigns() async throws -> [LiveCampaign] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM campaign_revisions WHERE state = 'approved' ORDER BY campaign_id, revision")
                .map(Self.revision)
        }
        .reduce(into: [String: CampaignRevision]()) { live, r in live[r.campaignId] = r }
        .values.compactMap(LiveCampaign.init).sorted { $0.id < $1.id }
    }

    private static func insert(_ r: CampaignRevision, _ db: Database) throws {
        let content = String(decoding: try JSONEncoder().encode(r.campaign), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO campaign_revisions (campaign_id, revision, content, author, created_at, state, approved_by, approved_at,
                    rejected_by, rejected_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                r.campaignId, r.revision, content, r.author, r.createdAt, r.state.rawValue, r.approvedBy, r.approvedAt,
                r.rejectedBy, r.rejectedReason,
            ])
    }

    private static func decodeCampaign(_ text: String) throws -> Campaign {
        try JSONDecoder().decode(Campaign.self, from: Data(text.utf8))
    }

    private static func revision(_ row: Row) throws -> CampaignRevision {
        CampaignRevision(
            campaignId: row["campaign_id"], revision: row["revision"], campaign: try decodeCampaign(row["content"]),
            author: row["author"], createdAt: row["created_at"], state: RevisionState(rawValue: row["state"]) ?? .pending,
            approvedBy: row["approved_by"], approvedAt: row["approved_at"], rejectedBy: row["rejected_by"],
            rejectedReason: row["rejected_reason"])
    }

    // MARK: Defaults and approval settings

    public func defaultLayouts() async throws -> DefaultLayouts {
        try await read { db in
            var defaults = DefaultLayouts()
            for row in try Row.fetchAll(db, sql: "SELECT kind, key, layout_id FROM default_layouts") {
                defaults.take(kind: row["kind"], key: row["key"], layout: row["layout_id"])
            }
            return defaults
        }
    }

    public func setDefaultLayouts(_ defaults: DefaultLayouts, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM default_layouts")
            for (kind, key, layout) in defaults.storedRows {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM layouts WHERE id = ?", arguments: [layout]) == true else {
                    throw DefaultLayouts.unknownLayout(kind: kind, key: key, layout: layout)
                }
                try db.execute(sql: "INSERT INTO default_layouts (kind, key, layout_id) VALUES (?, ?, ?)", arguments: [kind, key, layout])
            }
            try self.append(audit, db)
        }
    }

    public func approvalRequired(district: String) async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: "SELECT approval_required FROM districts WHERE code = ?", arguments: [district]) ?? true
        }
    }

    public func setApprovalRequired(_ required: Bool, district: String, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE districts SET approval_required = ? WHERE code = ?", arguments: [required, district])
            guard db.changesCount == 1 else { throw StoreError.notFound("district", district) }
            try self.append(audit, db)
        }
    }
}
