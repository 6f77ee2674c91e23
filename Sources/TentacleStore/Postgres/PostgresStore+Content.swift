public import Foundation
import NIOCore
import PostgresNIO
public import TentacleCore

extension PostgresStore: ContentRepository {
    // MARK: Assets

    @discardableResult
    public func putAsset(_ asset: AssetRecord, bytes: [UInt8], audit: AuditEvent) async throws -> Bool {
        try await write { connection in
            let inserted = try await connection.countRows(
                """
                INSERT INTO assets (sha256, width, height, byte_count, bytes, uploaded_by, uploaded_at)
                VALUES (\(asset.sha256), \(asset.width), \(asset.height), \(asset.byteCount), \(ByteBuffer(bytes: bytes)), \(asset.uploadedBy),
                    \(MillisecondStamp(asset.uploadedAt)))
                ON CONFLICT (sha256) DO NOTHING RETURNING 1
                """, logger: logger)
            guard inserted == 1 else { return false }
            try await self.append(audit, connection)
            return true
        }
    }

    public func asset(sha256: String) async throws -> AssetRecord? {
        try await read { connection in
            try await connection.query("SELECT \(unescaped: Self.assetColumns) FROM assets WHERE sha256 = \(sha256)", logger: logger).collect()
                .first.map(Self.asset)
        }
    }

    public func assetBytes(sha256: String) async throws -> [UInt8]? {
        try await read { connection in
            try await connection.query("SELECT bytes FROM assets WHERE sha256 = \(sha256)", logger: logger).collect()
                .first.map { Array(try $0.decode(ByteBuffer.self).readableBytesView) }
        }
    }

    public func assets() async throws -> [AssetRecord] {
        try await read { connection in
            try await connection.query(
                #"SELECT \#(unescaped: Self.assetColumns) FROM assets ORDER BY uploaded_at, sha256 COLLATE "C""#, logger: logger
            ).collect().map(Self.asset)
        }
    }

    public func deleteUnreferencedAssets(uploadedBefore cutoff: Date) async throws -> [String] {
        try await writeContent { connection in
            // Under the content lock no layout is saved meanwhile, so none can come to draw an image deleted here.
            let doomed = try await connection.query(
                """
                SELECT sha256 FROM assets WHERE uploaded_at < \(MillisecondStamp(cutoff))
                AND sha256 NOT IN (SELECT lower(j #>> '{}') FROM layouts, jsonb_path_query(layouts.document::jsonb, \(unescaped: Self.imagePath)) j)
                ORDER BY sha256 COLLATE "C"
                """, logger: logger
            ).collect().map { try $0.decode(String.self) }
            guard !doomed.isEmpty else { return [] }
            try await connection.query("DELETE FROM assets WHERE sha256 = ANY(\(doomed))", logger: logger)
            for sha in doomed {
                try await self.append(
                    AuditEvent(actor: "system", action: "asset.collect", objectType: "asset", objectId: sha, summary: "unreferenced asset collected"), connection)
            }
            return doomed
        }
    }

    /// The JSON path to the strings of a layout document that name an image: the renderer's image
    /// widgets are the only objects with an `asset` key, a string holding the image's SHA-256.
    private static let imagePath = #"'lax $.**.asset ? (@.type() == "string")'"#

    /// Refuses a layout document that names an image no longer stored, checked in the transaction that saves it.
    private func checkImages(of document: String, _ connection: PostgresConnection) async throws {
        let missing = try await connection.query(
            """
            SELECT j #>> '{}' FROM jsonb_path_query(\(document)::jsonb, \(unescaped: Self.imagePath)) j
            WHERE lower(j #>> '{}') NOT IN (SELECT sha256 FROM assets) LIMIT 1
            """, logger: logger
        ).collect().first.map { try $0.decode(String.self) }
        if let missing {
            throw StoreError(.invalidReference, field: "layout", "image asset '\(missing)' is no longer stored; upload it again")
        }
    }

    private static let assetColumns = "sha256, width, height, byte_count, uploaded_by, uploaded_at"

    private static func asset(_ row: PostgresRow) throws -> AssetRecord {
        let (sha, width, height, count, by, at) = try row.decode((String, Int, Int, Int, String, MillisecondStamp).self)
        return AssetRecord(sha256: sha, width: width, height: height, byteCount: count, uploadedBy: by, uploadedAt: at.date)
    }

    // MARK: Layouts

    public func createLayout(_ layout: LayoutRecord, audit: AuditEvent) async throws {
        try await writeContent { connection in
            let inserted = try await connection.countRows(
                """
                INSERT INTO layouts (id, name, width, height, document, created_by, created_at, updated_at)
                VALUES (\(layout.id), \(layout.name), \(layout.width), \(layout.height), \(layout.document), \(layout.createdBy),
                    \(MillisecondStamp(layout.createdAt)), \(MillisecondStamp(layout.updatedAt)))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger: logger)
            guard inserted == 1 else { throw StoreError(.conflict, field: "id", "layout '\(layout.id)' already exists") }
            try await checkImages(of: layout.document, connection)
            try await self.append(audit, connection)
        }
    }

    public func layout(id: String) async throws -> LayoutRecord? {
        try await read { connection in
            try await connection.query("SELECT \(unescaped: Self.layoutColumns) FROM layouts WHERE id = \(id)", logger: logger).collect()
                .first.map(Self.layout)
        }
    }

    public func layouts() async throws -> [LayoutRecord] {
        try await read { connection in
            try await connection.query(#"SELECT \#(unescaped: Self.layoutColumns) FROM layouts ORDER BY id COLLATE "C""#, logger: logger).collect()
                .map(Self.layout)
        }
    }

    public func updateLayout(_ layout: LayoutRecord, audit: AuditEvent) async throws {
        try await writeContent { connection in
            // What a campaign shows changes only through an approved revision, so its layouts are fixed.
            if let campaign = try await campaignShowing(layout: layout.id, connection) {
                throw StoreError(
                    .conflict,
                    "layout '\(layout.id)' is shown by campaign '\(campaign)' (live or waiting for approval); save the change as a new layout and revise the campaign to use it, so the change goes live through approval")
            }
            try await checkImages(of: layout.document, connection)
            let updated = try await connection.countRows(
                """
                UPDATE layouts SET name = \(layout.name), width = \(layout.width), height = \(layout.height), document = \(layout.document),
                    updated_at = \(MillisecondStamp(layout.updatedAt))
                WHERE id = \(layout.id) RETURNING 1
                """, logger: logger)
            guard updated == 1 else { throw StoreError.notFound("layout", layout.id) }
            try await self.append(audit, connection)
        }
    }

    public func deleteLayout(id: String, audit: AuditEvent) async throws {
        try await writeContent { connection in
            if try await connection.hasRows("SELECT 1 FROM default_layouts WHERE layout_id = \(id)", logger: logger) {
                throw StoreError(.conflict, "layout '\(id)' is a default layout; change the defaults first")
            }
            if let campaign = try await campaignShowing(layout: id, connection) {
                throw StoreError(.conflict, "layout '\(id)' is used by campaign '\(campaign)'")
            }
            let deleted = try await connection.countRows("DELETE FROM layouts WHERE id = \(id) RETURNING 1", logger: logger)
            guard deleted == 1 else { throw StoreError.notFound("layout", id) }
            try await self.append(audit, connection)
        }
    }

    /// A campaign whose live or pending revision plays the layout, if any.
    private func campaignShowing(layout id: String, _ connection: PostgresConnection) async throws -> String? {
        for row in try await connection.query("SELECT content FROM campaign_revisions WHERE state IN ('approved', 'pending')", logger: logger).collect() {
            let campaign = try Self.decodeCampaign(try row.decode(String.self))
            if campaign.playlist.contains(where: { $0.layoutId == id }) { return campaign.id }
        }
        return nil
    }

    private static let layoutColumns = "id, name, width, height, document, created_by, created_at, updated_at"

    private static func layout(_ row: PostgresRow) throws -> LayoutRecord {
        let (id, name, width, height, document, by, created, updated) =
            try row.decode((String, String, Int, Int, String, String, MillisecondStamp, MillisecondStamp).self)
        return LayoutRecord(
            id: id, name: name, width: width, height: height, document: document, createdBy: by, createdAt: created.date, updatedAt: updated.date)
    }

    // MARK: Campaigns

    public func createCampaign(_ first: CampaignRevision, audit: AuditEvent) async throws {
        try await writeContent { connection in
            if try await connection.hasRows("SELECT 1 FROM campaign_revisions WHERE campaign_id = \(first.campaignId) LIMIT 1", logger: logger) {
                throw StoreError(.conflict, field: "id", "campaign '\(first.campaignId)' already exists")
            }
            try await insert(first, connection)
            try await self.append(audit, connection)
        }
    }

    public func campaignHistory(id: String) async throws -> [CampaignRevision] {
        try await read { connection in
            try await connection.query(
                "SELECT \(unescaped: Self.revisionColumns) FROM campaign_revisions WHERE campaign_id = \(id) ORDER BY revision", logger: logger
            ).collect().map(Self.revision)
        }
    }

    public func latestRevisions() async throws -> [CampaignRevision] {
        try await read { connection in
            try await connection.query(
                """
                SELECT DISTINCT ON (campaign_id COLLATE "C") \(unescaped: Self.revisionColumns) FROM campaign_revisions
                ORDER BY campaign_id COLLATE "C", revision DESC
                """, logger: logger
            ).collect().map(Self.revision)
        }
    }

    public func addRevision(_ revision: CampaignRevision, audit: AuditEvent) async throws {
        try await writeContent { connection in
            let latest = try await connection.query(
                "SELECT MAX(revision) FROM campaign_revisions WHERE campaign_id = \(revision.campaignId)", logger: logger
            ).collect().first?.decode(Int?.self) ?? nil
            guard let latest else { throw StoreError.notFound("campaign", revision.campaignId) }
            guard revision.revision == latest + 1 else {
                throw StoreError(.conflict, "campaign '\(revision.campaignId)' changed meanwhile (now at revision \(latest))")
            }
            // A newer edit replaces any edit still waiting for review; an edit that goes live at once replaces the live one.
            let replaced = revision.state == .approved ? ["pending", "approved"] : ["pending"]
            try await connection.query(
                "UPDATE campaign_revisions SET state = 'superseded' WHERE campaign_id = \(revision.campaignId) AND state = ANY(\(replaced))",
                logger: logger)
            try await insert(revision, connection)
            try await self.append(audit, connection)
        }
    }

    public func saveReview(_ changed: [CampaignRevision], reviewed history: [CampaignRevision], audit: AuditEvent) async throws {
        try await writeContent { connection in
            for r in changed {
                guard let before = history.first(where: { $0.campaignId == r.campaignId && $0.revision == r.revision }) else {
                    throw StoreError.notFound("campaign revision", "\(r.campaignId)#\(r.revision)")
                }
                // Only from the state the reviewer saw: an edit or another review in between makes this a no-op and a conflict.
                let updated = try await connection.countRows(
                    """
                    UPDATE campaign_revisions SET state = \(r.state.rawValue), approved_by = \(r.approvedBy),
                        approved_at = \(r.approvedAt.map(MillisecondStamp.init)), rejected_by = \(r.rejectedBy), rejected_reason = \(r.rejectedReason)
                    WHERE campaign_id = \(r.campaignId) AND revision = \(r.revision) AND state = \(before.state.rawValue) RETURNING 1
                    """, logger: logger)
                guard updated == 1 else {
                    let now = try await connection.query(
                        "SELECT state FROM campaign_revisions WHERE campaign_id = \(r.campaignId) AND revision = \(r.revision)", logger: logger
                    ).collect().first?.decode(String.self)
                    guard let now else { throw StoreError.notFound("campaign revision", "\(r.campaignId)#\(r.revision)") }
                    throw StoreError(
                        .conflict, "revision \(r.revision) of campaign '\(r.campaignId)' changed meanwhile: it is \(now), no longer \(before.state.rawValue)")
                }
            }
            try await self.append(audit, connection)
        }
    }

    public func deleteCampaign(id: String, audit: AuditEvent) async throws {
        try await writeContent { connection in
            let deleted = try await connection.countRows("DELETE FROM campaign_revisions WHERE campaign_id = \(id) RETURNING 1", logger: logger)
            guard deleted > 0 else { throw StoreError.notFound("campaign", id) }
            try await self.append(audit, connection)
        }
    }

    public func liveCampaigns() async throws -> [LiveCampaign] {
        try await read { connection in
            try await connection.query(
                "SELECT \(unescaped: Self.revisionColumns) FROM campaign_revisions WHERE state = 'approved' ORDER BY campaign_id, revision", logger: logger
            ).collect().map(Self.revision)
        }
        .reduce(into: [String: CampaignRevision]()) { live, r in live[r.campaignId] = r }
        .values.compactMap(LiveCampaign.init).sorted { $0.id < $1.id }
    }

    private func insert(_ r: CampaignRevision, _ connection: PostgresConnection) async throws {
        // The same JSON text SQLite keeps: Foundation's default encoding of the campaign.
        let content = String(decoding: try JSONEncoder().encode(r.campaign), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO campaign_revisions (campaign_id, revision, content, author, created_at, state, approved_by, approved_at,
                rejected_by, rejected_reason)
            VALUES (\(r.campaignId), \(r.revision), \(content), \(r.author), \(MillisecondStamp(r.createdAt)), \(r.state.rawValue), \(r.approvedBy),
                \(r.approvedAt.map(MillisecondStamp.init)), \(r.rejectedBy), \(r.rejectedReason))
            """, logger: logger)
    }

    private static let revisionColumns =
        "campaign_id, revision, content, author, created_at, state, approved_by, approved_at, rejected_by, rejected_reason"

    private static func decodeCampaign(_ text: String) throws -> Campaign {
        try JSONDecoder().decode(Campaign.self, from: Data(text.utf8))
    }

    private static func revision(_ row: PostgresRow) throws -> CampaignRevision {
        let (id, number, content, author, created, state, approvedBy, approvedAt, rejectedBy, reason) = try row.decode(
            (String, Int, String, String, MillisecondStamp, String, String?, MillisecondStamp?, String?, String?).self)
        return CampaignRevision(
            campaignId: id, revision: number, campaign: try decodeCampaign(content), author: author, createdAt: created.date,
            state: RevisionState(rawValue: state) ?? .pending, approvedBy: approvedBy, approvedAt: approvedAt?.date, rejectedBy: rejectedBy,
            rejectedReason: reason)
    }

    // MARK: Defaults and approval settings

    public func defaultLayouts() async throws -> DefaultLayouts {
        try await read { connection in
            var defaults = DefaultLayouts()
            for row in try await connection.query("SELECT kind, key, layout_id FROM default_layouts", logger: logger).collect() {
                let (kind, key, layout) = try row.decode((String, String, String).self)
                defaults.take(kind: kind, key: key, layout: layout)
            }
            return defaults
        }
    }

    public func setDefaultLayouts(_ defaults: DefaultLayouts, audit: AuditEvent) async throws {
        try await writeContent { connection in
            try await connection.query("DELETE FROM default_layouts", logger: logger)
            for (kind, key, layout) in defaults.storedRows {
                guard try await connection.hasRows("SELECT 1 FROM layouts WHERE id = \(layout)", logger: logger) else {
                    throw DefaultLayouts.unknownLayout(kind: kind, key: key, layout: layout)
                }
                try await connection.query("INSERT INTO default_layouts (kind, key, layout_id) VALUES (\(kind), \(key), \(layout))", logger: logger)
            }
            try await self.append(audit, connection)
        }
    }

    public func approvalRequired(district: String) async throws -> Bool {
        try await read { connection in
            try await connection.query("SELECT approval_required FROM districts WHERE code = \(district)", logger: logger).collect()
                .first?.decode(Bool.self) ?? true
        }
    }

    public func setApprovalRequired(_ required: Bool, district: String, audit: AuditEvent) async throws {
        try await write { connection in
            let updated = try await connection.countRows(
                "UPDATE districts SET approval_required = \(required) WHERE code = \(district) RETURNING 1", logger: logger)
            guard updated == 1 else { throw StoreError.notFound("district", district) }
            try await self.append(audit, connection)
        }
    }

    // MARK: The content lock

    /// Runs a change of layouts, campaigns, defaults or collected assets under one transaction-scoped
    /// advisory lock: each checks what the others change (a layout in use, an image still drawn),
    /// so they take turns, as every write does in SQLite.
    private func writeContent<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await write { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.contentLock))", logger: logger)
            return try await body(connection)
        }
    }

    static let contentLock: Int64 = 0x7465_6e74_0c01
}

/// A `Date` in a TIMESTAMPTZ column kept to the millisecond, rounded down, as SQLite keeps dates;
/// written as whole microseconds, so it reads back exactly as written.
struct MillisecondStamp: PostgresNonThrowingEncodable, PostgresDecodable, Sendable {
    let date: Date

    init(_ date: Date) {
        self.date = Date(timeIntervalSince1970: Double(Reading.milliseconds(date)) / 1000)
    }

    /// Milliseconds from 1970 to PostgreSQL's epoch, 2000-01-01.
    private static let epochOffset: Int64 = 946_684_800_000

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        let ms = Reading.milliseconds(date).subtractingReportingOverflow(Self.epochOffset)
        let us = ms.partialValue.multipliedReportingOverflow(by: 1000)
        buffer.writeInteger(ms.overflow || us.overflow ? (ms.partialValue < 0 ? Int64.min : Int64.max) : us.partialValue)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary, buffer.readableBytes == 8, let us = buffer.readInteger(as: Int64.self)
        else { throw PostgresDecodingError.Code.typeMismatch }
        let ms = (us >= 0 ? us / 1000 : (us - 999) / 1000).addingReportingOverflow(Self.epochOffset)
        date = Date(timeIntervalSince1970: Double(ms.overflow ? Int64.max : ms.partialValue) / 1000)
    }
}

extension MillisecondStamp: PostgresArrayEncodable {
    static var psqlArrayType: PostgresDataType { .timestamptzArray }
}
