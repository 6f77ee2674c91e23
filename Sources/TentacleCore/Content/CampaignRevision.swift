public import Foundation

/// Where a revision stands in review.
public enum RevisionState: String, Codable, Hashable, Sendable, CaseIterable {
    case pending, approved, rejected
    /// Was approved, then a newer revision of the same campaign was approved.
    case superseded
}

/// One saved version of a campaign; only an approved one ever reaches displays.
public struct CampaignRevision: Codable, Hashable, Sendable {
    public var campaignId: String
    /// 1, 2, 3, ... per campaign, in the order edits were saved.
    public var revision: Int
    public var campaign: Campaign
    /// The user id of whoever saved it.
    public var author: String
    public var createdAt: Date
    public var state: RevisionState
    public var approvedBy: String?
    public var approvedAt: Date?
    public var rejectedBy: String?
    public var rejectedReason: String?

    public init(
        campaignId: String, revision: Int, campaign: Campaign, author: String, createdAt: Date, state: RevisionState = .pending,
        approvedBy: String? = nil, approvedAt: Date? = nil, rejectedBy: String? = nil, rejectedReason: String? = nil
    ) {
        self.campaignId = campaignId
        self.revision = revision
        self.campaign = campaign
        self.author = author
        self.createdAt = createdAt
        self.state = state
        self.approvedBy = approvedBy
        self.approvedAt = approvedAt
        self.rejectedBy = rejectedBy
        self.rejectedReason = rejectedReason
    }

    /// The revision on air among a campaign's history: the highest-numbered approved one.
    public static func live(in history: [CampaignRevision]) -> CampaignRevision? {
        history.filter { $0.state == .approved }.max { $0.revision < $1.revision }
    }
}

/// A campaign as it is on air: the content of its live revision. Resolution only ever sees these,
/// so a pending edit cannot reach a display.
public struct LiveCampaign: Codable, Hashable, Sendable {
    public var campaign: Campaign
    public var revision: Int
    /// Breaks ties between equal priorities: the most recently approved wins.
    public var approvedAt: Date

    public init(campaign: Campaign, revision: Int, approvedAt: Date) {
        self.campaign = campaign
        self.revision = revision
        self.approvedAt = approvedAt
    }

    /// Nil unless the revision is approved.
    public init?(_ revision: CampaignRevision) {
        guard revision.state == .approved, let approvedAt = revision.approvedAt else { return nil }
        self.init(campaign: revision.campaign, revision: revision.revision, approvedAt: approvedAt)
    }

    public var id: String { campaign.id }
}
