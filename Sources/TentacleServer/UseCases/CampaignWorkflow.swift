import Foundation
import TentacleCore
import TentacleStore

/// Campaigns from draft to air: every edit is a revision, checked against what exists and the
/// author's districts; a second person with the approver role puts it live, unless every district
/// it targets has approval switched off.
struct CampaignWorkflow: Sendable {
    let repository: any ContentRepository & DistrictRepository
    let clock: @Sendable () -> Date

    /// Scoped users see and edit only campaigns aimed at nothing but their own districts.
    static func visible(_ campaign: Campaign, to p: Principal) -> Bool {
        switch p.scope {
        case .all: return true
        case .only(let allowed): return campaign.target.isDistrictsOnly && Set(campaign.target.districts).isSubset(of: allowed)
        }
    }

    /// Every revision of a campaign the caller may see, oldest first; `notFound` otherwise.
    func history(of id: String, as p: Principal) async throws -> [CampaignRevision] {
        let history = try await repository.campaignHistory(id: id)
        guard let latest = history.last, Self.visible(latest.campaign, to: p) else {
            throw DomainError(.notFound, "campaign '\(id)' not found")
        }
        return history
    }

    /// Stores a new campaign as revision 1: live at once where no approval is needed, else waiting.
    func create(_ campaign: Campaign, by p: Principal) async throws -> CampaignRevision {
        if !Identifier.isValid(campaign.id) { throw ValidationError(field: "id", "'\(campaign.id.prefix(80))' is not a valid id: \(Identifier.rule)") }
        try await check(campaign, by: p)
        let first = try await newRevision(campaign, number: 1, by: p)
        try await repository.createCampaign(
            first, audit: Self.audit(p, "campaign.create", campaign.id, "created '\(campaign.name)', revision 1 \(first.state.rawValue)"))
        return first
    }

    /// Adds the next revision; what is live stays live until the new one is approved.
    func edit(_ campaign: Campaign, of history: [CampaignRevision], by p: Principal) async throws -> [CampaignRevision] {
        let id = history[0].campaignId
        guard campaign.id == id else { throw ValidationError(field: "id", "a campaign's id cannot change") }
        try await check(campaign, by: p)
        let revision = try await newRevision(campaign, number: history.count + 1, by: p)
        try await repository.addRevision(
            revision,
            audit: Self.audit(p, "campaign.edit", id, "revision \(revision.revision) \(revision.state == .approved ? "live (no approval required)" : "waiting for approval")"))
        return try await repository.campaignHistory(id: id)
    }

    /// Puts revision `number` on air. The store applies it only if nobody changed the campaign
    /// since `history` was read (`conflict` otherwise); authors never approve their own work.
    func approve(_ number: Int, of history: [CampaignRevision], by p: Principal) async throws -> [CampaignRevision] {
        let updated = try Self.review { () throws(ApprovalError) in try ApprovalPolicy.approving(number, in: history, by: p, at: clock()) }
        try await repository.saveReview(
            Self.changed(from: history, to: updated), reviewed: history,
            audit: Self.audit(p, "campaign.approve", history[0].campaignId, "approved revision \(number); it is live"))
        return updated
    }

    /// Turns revision `number` down with a reason the author sees.
    func reject(_ number: Int, of history: [CampaignRevision], by p: Principal, reason: String) async throws -> [CampaignRevision] {
        let updated = try Self.review { () throws(ApprovalError) in try ApprovalPolicy.rejecting(number, in: history, by: p, reason: reason) }
        try await repository.saveReview(
            Self.changed(from: history, to: updated), reviewed: history,
            audit: Self.audit(p, "campaign.reject", history[0].campaignId, "rejected revision \(number): \(reason.prefix(200))"))
        return updated
    }

    func delete(_ history: [CampaignRevision], by p: Principal) async throws {
        let id = history[0].campaignId
        try await repository.deleteCampaign(id: id, audit: Self.audit(p, "campaign.delete", id, "deleted campaign '\(history.last!.campaign.name)'"))
    }

    static func changed(from old: [CampaignRevision], to new: [CampaignRevision]) -> [CampaignRevision] {
        new.filter { revision in !old.contains(revision) }
    }

    /// Approval refusals as domain errors: who may not (`forbidden`), what changed meanwhile (`conflict`).
    static func review(_ body: () throws(ApprovalError) -> [CampaignRevision]) throws -> [CampaignRevision] {
        do {
            return try body()
        } catch {
            switch error.code {
            case .notAnApprover, .ownRevision, .outOfScope: throw DomainError(.forbidden, error.message)
            case .notPending, .stale: throw DomainError(.conflict, error.message)
            case .missingReason: throw DomainError(.invalid, error.message, field: "reason", issues: [FieldIssue(field: "reason", message: error.message)])
            default: throw DomainError(.notFound, error.message, field: "revision")
            }
        }
    }

    /// Checks a campaign's fields and that every layout, district and group it names exists.
    private func check(_ campaign: Campaign, by p: Principal) async throws {
        var issues = campaign.issues()
        for (i, entry) in campaign.playlist.enumerated() where try await repository.layout(id: entry.layoutId) == nil {
            issues.append(FieldIssue(field: "playlist[\(i)].layoutId", message: "unknown layout '\(entry.layoutId)'"))
        }
        for (i, d) in campaign.target.districts.enumerated() where try await repository.district(code: d) == nil {
            issues.append(FieldIssue(field: "target.districts[\(i)]", message: "unknown district '\(d)'"))
        }
        for (i, g) in campaign.target.groups.enumerated() where try await repository.group(code: g) == nil {
            issues.append(FieldIssue(field: "target.groups[\(i)]", message: "unknown group '\(g)'"))
        }
        try ValidationError.check(issues)
        if !Self.visible(campaign, to: p) {
            throw DomainError(.forbidden, "you may only target your own districts (target.districts)", field: "target")
        }
    }

    /// Whether the campaign may go live without review: only when it targets nothing but districts
    /// whose approval requirement an admin switched off.
    private func approvalRequired(_ campaign: Campaign) async throws -> Bool {
        guard campaign.target.isDistrictsOnly else { return true }
        for d in campaign.target.districts where try await repository.approvalRequired(district: d) {
            return true
        }
        return false
    }

    private func newRevision(_ campaign: Campaign, number: Int, by p: Principal) async throws -> CampaignRevision {
        let now = clock()
        let direct = try await !approvalRequired(campaign)
        return CampaignRevision(
            campaignId: campaign.id, revision: number, campaign: campaign, author: p.userID, createdAt: now,
            state: direct ? .approved : .pending, approvedBy: direct ? p.userID : nil, approvedAt: direct ? now : nil,
            rejectedBy: nil, rejectedReason: nil)
    }

    private static func audit(_ p: Principal, _ action: String, _ id: String, _ summary: String) -> AuditEvent {
        AuditEvent(actor: p.username, action: action, objectType: "campaign", objectId: id, summary: summary)
    }
}
