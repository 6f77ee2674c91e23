import Foundation
import TentacleCore
import TentacleStore
import Testing

@Suite("Content repository contract")
struct ContentRepositoryTests {
    static let t = StoreHarness.time
    static let shaA = String(repeating: "a", count: 64)
    static let shaB = String(repeating: "b", count: 64)

    static func asset(_ sha: String, at date: Date = t) -> AssetRecord {
        AssetRecord(sha256: sha, width: 4, height: 3, byteCount: 5, uploadedBy: "usr-1", uploadedAt: date)
    }

    /// A layout document; `image` is drawn by a widget nested in a list, as the renderer's documents nest them.
    static func layout(_ id: String, image: String? = nil, at date: Date = t) -> LayoutRecord {
        let widgets = image.map { #"[{"type":"text","text":"hi"},{"children":[{"type":"image","asset":"\#($0)"}]}]"# } ?? "[]"
        return LayoutRecord(
            id: id, name: "Layout \(id)", width: 128, height: 64, document: #"{"widgets":\#(widgets)}"#, createdBy: "usr-1", createdAt: date,
            updatedAt: date)
    }

    static func revision(_ campaign: String, _ number: Int, layout: String = "main", state: RevisionState = .pending) -> CampaignRevision {
        CampaignRevision(
            campaignId: campaign, revision: number,
            campaign: Campaign(
                id: campaign, name: "Campaign \(campaign) r\(number)", priority: 10, schedule: Schedule(), target: Target(districts: ["north"]),
                playlist: [PlaylistEntry(layoutId: layout, durationSeconds: 10)]),
            author: "usr-1", createdAt: t.addingTimeInterval(Double(number)), state: state,
            approvedBy: state == .approved ? "usr-2" : nil, approvedAt: state == .approved ? t.addingTimeInterval(Double(number) + 0.5) : nil)
    }

    static func approved(_ r: CampaignRevision, at seconds: Double) -> CampaignRevision {
        var r = r
        r.state = .approved
        r.approvedBy = "usr-2"
        r.approvedAt = t.addingTimeInterval(seconds)
        return r
    }

    @Test(arguments: Backend.all)
    func assetsAreStoredOnceAndCollectedWhenNoLayoutDrawsThem(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            let bytes: [UInt8] = [0x89, 0x50, 0x00, 0xff, 0x0a]
            #expect(try await s.putAsset(Self.asset(Self.shaB), bytes: bytes, audit: audit("asset.upload", "asset", Self.shaB)))
            #expect(try await !s.putAsset(Self.asset(Self.shaB, at: Self.t + 9), bytes: [1], audit: audit("asset.upload", "asset", Self.shaB)))
            try await s.putAsset(Self.asset(Self.shaA, at: Self.t + 1), bytes: [7, 7], audit: audit("asset.upload", "asset", Self.shaA))
            #expect(try await s.asset(sha256: Self.shaB) == Self.asset(Self.shaB))
            #expect(try await s.assetBytes(sha256: Self.shaB) == bytes)
            #expect(try await s.asset(sha256: "none") == nil)
            #expect(try await s.assetBytes(sha256: "none") == nil)
            #expect(try await s.assets().map(\.sha256) == [Self.shaB, Self.shaA])
            #expect(try await s.auditEntries(AuditQuery(action: "asset.upload")).count == 2)

            // Drawn in upper case still counts: hashes are compared in lower case.
            try await s.createLayout(Self.layout("poster", image: Self.shaA.uppercased()), audit: audit("layout.create", "layout", "poster"))
            #expect(try await s.deleteUnreferencedAssets(uploadedBefore: Self.t) == [])
            #expect(try await s.deleteUnreferencedAssets(uploadedBefore: Self.t + 60) == [Self.shaB])
            #expect(try await s.assets().map(\.sha256) == [Self.shaA])
            #expect(try await s.assetBytes(sha256: Self.shaB) == nil)
            let collected = try await s.auditEntries(AuditQuery(action: "asset.collect"))
            #expect(collected.map(\.objectId) == [Self.shaB])
            #expect(collected.map(\.actor) == ["system"])
        }
    }

    @Test(arguments: Backend.all)
    func layoutsAreCreatedReadUpdatedAndDeleted(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            var b = Self.layout("b", at: Self.t.addingTimeInterval(1))
            for layout in [b, Self.layout("B"), Self.layout("a")] {
                try await s.createLayout(layout, audit: audit("layout.create", "layout", layout.id))
            }
            #expect(try await s.layout(id: "b") == b)
            #expect(try await s.layouts().map(\.id) == ["B", "a", "b"])
            #expect(try await s.layout(id: "none") == nil)

            let taken = await #expect(throws: StoreError.self) {
                try await s.createLayout(Self.layout("a"), audit: audit("layout.create", "layout", "a"))
            }
            #expect(taken?.code == .conflict)
            #expect(taken?.field == "id")
            let missingImage = await #expect(throws: StoreError.self) {
                try await s.createLayout(Self.layout("c", image: Self.shaA), audit: audit("layout.create", "layout", "c"))
            }
            #expect(missingImage?.code == .invalidReference)
            #expect(missingImage?.field == "layout")
            #expect(missingImage?.message.contains(Self.shaA) == true)
            #expect(try await s.layout(id: "c") == nil)

            b.name = "Renamed"
            b.document = #"{"widgets":[{"type":"text","text":"new"}]}"#
            b.updatedAt = Self.t + 30
            try await s.updateLayout(b, audit: audit("layout.update", "layout", "b"))
            #expect(try await s.layout(id: "b") == b)
            let badUpdate = await #expect(throws: StoreError.self) {
                try await s.updateLayout(Self.layout("b", image: Self.shaB), audit: audit("layout.update", "layout", "b"))
            }
            #expect(badUpdate?.code == .invalidReference)
            #expect(try await s.layout(id: "b") == b)
            let unknown = await #expect(throws: StoreError.self) {
                try await s.updateLayout(Self.layout("none"), audit: audit("layout.update", "layout", "none"))
            }
            #expect(unknown?.code == .notFound)

            try await s.deleteLayout(id: "b", audit: audit("layout.delete", "layout", "b"))
            #expect(try await s.layouts().map(\.id) == ["B", "a"])
            let gone = await #expect(throws: StoreError.self) { try await s.deleteLayout(id: "b", audit: audit("layout.delete", "layout", "b")) }
            #expect(gone?.code == .notFound)
            let rows = try await s.auditEntries(AuditQuery(objectType: "layout")).map(\.action)
            #expect(rows == ["layout.delete", "layout.update", "layout.create", "layout.create", "layout.create"])
        }
    }

    @Test(arguments: Backend.all)
    func layoutsInUseCannotChangeOrGo(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            for id in ["main", "fallback", "spare"] { try await s.createLayout(Self.layout(id), audit: audit("layout.create", "layout", id)) }
            try await s.createCampaign(Self.revision("spring", 1), audit: audit("campaign.create", "campaign", "spring"))

            let update = await #expect(throws: StoreError.self) {
                try await s.updateLayout(Self.layout("main", at: Self.t + 5), audit: audit("layout.update", "layout", "main"))
            }
            #expect(update?.code == .conflict)
            #expect(update?.message.contains("spring") == true)
            let delete = await #expect(throws: StoreError.self) { try await s.deleteLayout(id: "main", audit: audit("layout.delete", "layout", "main")) }
            #expect(delete?.code == .conflict)

            let defaults = DefaultLayouts(byDisplay: ["d-1": "spare"], byGroup: ["bus-stops": "spare"], global: "fallback")
            try await s.setDefaultLayouts(defaults, audit: audit("defaults.set", "defaults", "*"))
            #expect(try await s.defaultLayouts() == defaults)
            let isDefault = await #expect(throws: StoreError.self) {
                try await s.deleteLayout(id: "fallback", audit: audit("layout.delete", "layout", "fallback"))
            }
            #expect(isDefault?.code == .conflict)
            let unknown = await #expect(throws: StoreError.self) {
                try await s.setDefaultLayouts(DefaultLayouts(global: "none"), audit: audit("defaults.set", "defaults", "*"))
            }
            #expect(unknown?.code == .invalidReference)
            #expect(unknown?.field == "global")
            #expect(try await s.defaultLayouts() == defaults)

            try await s.setDefaultLayouts(DefaultLayouts(), audit: audit("defaults.set", "defaults", "*"))
            #expect(try await s.defaultLayouts() == DefaultLayouts())
            try await s.deleteLayout(id: "fallback", audit: audit("layout.delete", "layout", "fallback"))
            // A rejected revision no longer holds its layout.
            let history = try await s.campaignHistory(id: "spring")
            var rejected = history[0]
            rejected.state = .rejected
            rejected.rejectedBy = "usr-2"
            rejected.rejectedReason = "typo"
            try await s.saveReview([rejected], reviewed: history, audit: audit("campaign.reject", "campaign", "spring"))
            try await s.updateLayout(Self.layout("main", at: Self.t + 5), audit: audit("layout.update", "layout", "main"))
            #expect(try await s.campaignHistory(id: "spring") == [rejected])
        }
    }

    @Test(arguments: Backend.all)
    func campaignRevisionsMoveThroughReview(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            let first = Self.revision("spring", 1)
            try await s.createCampaign(first, audit: audit("campaign.create", "campaign", "spring"))
            try await s.createCampaign(Self.revision("Autumn", 1, state: .approved), audit: audit("campaign.create", "campaign", "Autumn"))
            let taken = await #expect(throws: StoreError.self) {
                try await s.createCampaign(Self.revision("spring", 1), audit: audit("campaign.create", "campaign", "spring"))
            }
            #expect(taken?.code == .conflict)
            #expect(taken?.field == "id")
            #expect(try await s.campaignHistory(id: "none") == [])

            // An edit must follow the latest revision; the pending one it follows is superseded.
            let skipped = await #expect(throws: StoreError.self) {
                try await s.addRevision(Self.revision("spring", 3), audit: audit("campaign.update", "campaign", "spring"))
            }
            #expect(skipped?.code == .conflict)
            let unknown = await #expect(throws: StoreError.self) {
                try await s.addRevision(Self.revision("none", 2), audit: audit("campaign.update", "campaign", "none"))
            }
            #expect(unknown?.code == .notFound)
            let second = Self.revision("spring", 2)
            try await s.addRevision(second, audit: audit("campaign.update", "campaign", "spring"))
            var history = try await s.campaignHistory(id: "spring")
            #expect(history.map(\.revision) == [1, 2])
            #expect(history.map(\.state) == [.superseded, .pending])
            #expect(history[1] == second)
            #expect(try await s.liveCampaigns().map(\.id) == ["Autumn"])

            // Approval only from the state the reviewer saw.
            let approval = Self.approved(second, at: 40.25)
            try await s.saveReview([approval], reviewed: history, audit: audit("campaign.approve", "campaign", "spring"))
            let stale = await #expect(throws: StoreError.self) {
                try await s.saveReview([Self.approved(second, at: 50)], reviewed: history, audit: audit("campaign.approve", "campaign", "spring"))
            }
            #expect(stale?.code == .conflict)
            history = try await s.campaignHistory(id: "spring")
            #expect(history[1] == approval)
            let live = try await s.liveCampaigns()
            #expect(live.map(\.id) == ["Autumn", "spring"])
            #expect(live[1] == LiveCampaign(approval))

            // An edit that arrives approved replaces the live revision at once.
            let third = Self.revision("spring", 3, state: .approved)
            try await s.addRevision(third, audit: audit("campaign.update", "campaign", "spring"))
            #expect(try await s.campaignHistory(id: "spring").map(\.state) == [.superseded, .superseded, .approved])
            #expect(try await s.liveCampaigns().first { $0.id == "spring" }?.revision == 3)
            #expect(try await s.latestRevisions() == [Self.revision("Autumn", 1, state: .approved), third])

            try await s.deleteCampaign(id: "spring", audit: audit("campaign.delete", "campaign", "spring"))
            #expect(try await s.campaignHistory(id: "spring") == [])
            let gone = await #expect(throws: StoreError.self) { try await s.deleteCampaign(id: "spring", audit: audit("campaign.delete", "campaign", "spring")) }
            #expect(gone?.code == .notFound)
            let rows = try await s.auditEntries(AuditQuery(objectId: "spring")).map(\.action)
            #expect(rows == ["campaign.delete", "campaign.update", "campaign.approve", "campaign.update", "campaign.create"])
        }
    }

    @Test(arguments: Backend.all)
    func approvalIsRequiredUntilADistrictSaysOtherwise(backend: Backend) async throws {
        try await StoreHarness.with(backend) { h in
            let s = h.store
            #expect(try await s.approvalRequired(district: "north"))
            #expect(try await s.approvalRequired(district: "nowhere"))
            try await s.setApprovalRequired(false, district: "north", audit: audit("district.approval", "district", "north"))
            #expect(try await !s.approvalRequired(district: "north"))
            #expect(try await s.approvalRequired(district: "south"))
            #expect(try await s.district(code: "north")?.name == "North")
            let unknown = await #expect(throws: StoreError.self) {
                try await s.setApprovalRequired(false, district: "nowhere", audit: audit("district.approval", "district", "nowhere"))
            }
            #expect(unknown?.code == .notFound)
            #expect(try await s.auditEntries(AuditQuery(action: "district.approval")).map(\.objectId) == ["north"])
        }
    }
}
