public import Foundation

/// Why an approval or rejection was refused.
public struct ApprovalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong; a struct rather than an enum so cases can be added without breaking callers.
    public struct Code: Hashable, Sendable {
        private enum Base: Hashable, Sendable { case notAnApprover, ownRevision, notPending, outOfScope, stale, missingReason, unknownRevision }
        private let base: Base

        /// Only approvers and admins review content.
        public static let notAnApprover = Code(base: .notAnApprover)
        /// No one reviews their own revision.
        public static let ownRevision = Code(base: .ownRevision)
        /// The revision was already approved, rejected or superseded.
        public static let notPending = Code(base: .notPending)
        /// A district-scoped reviewer may only review targets made of their own districts.
        public static let outOfScope = Code(base: .outOfScope)
        /// A newer revision of the campaign is already live.
        public static let stale = Code(base: .stale)
        /// A rejection needs a reason of 1-500 characters.
        public static let missingReason = Code(base: .missingReason)
        /// The history holds no revision with that number.
        public static let unknownRevision = Code(base: .unknownRevision)
    }

    public let code: Code
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Who may approve or reject a campaign revision, and what doing so changes.
///
/// - The reviewer has the approver or the admin role; admins review like approvers.
/// - No one reviews a revision they authored, whatever their role.
/// - Only a pending revision can be reviewed, and only if it is newer than the live one.
/// - A reviewer scoped to districts may review a revision only when its target names districts and
///   nothing else, all within their scope: ids, groups, tags and areas can reach any district.
/// - Approving makes the revision live and marks the previously live one superseded; rejecting
///   leaves the live revision on air.
public enum ApprovalPolicy {
    public static let reviewerRoles: Set<Role> = [.approver, .admin]
    public static let maxReasonLength = 500

    /// Throws when `reviewer` may not approve or reject `revision`.
    public static func check(approver reviewer: Principal, revision: CampaignRevision) throws(ApprovalError) {
        guard reviewerRoles.contains(reviewer.role) else {
            throw ApprovalError(.notAnApprover, "the \(reviewer.role.rawValue) role cannot review campaigns; approvers and admins can")
        }
        guard reviewer.userID != revision.author else {
            throw ApprovalError(.ownRevision, "no one may review their own revision")
        }
        guard revision.state == .pending else {
            throw ApprovalError(.notPending, "revision \(revision.revision) is \(revision.state.rawValue), not pending")
        }
        if case .only(let scope) = reviewer.scope {
            let target = revision.campaign.target
            guard target.isDistrictsOnly, target.districts.allSatisfy(scope.contains) else {
                throw ApprovalError(.outOfScope, "the target reaches beyond the districts this reviewer covers")
            }
        }
    }

    /// The history after `reviewer` approves revision `number` at `now`.
    public static func approving(_ number: Int, in history: [CampaignRevision], by reviewer: Principal, at now: Date) throws(ApprovalError) -> [CampaignRevision] {
        let index = try reviewable(number, in: history, by: reviewer)
        var result = history
        for i in result.indices where result[i].state == .approved {
            result[i].state = .superseded
        }
        result[index].state = .approved
        result[index].approvedBy = reviewer.userID
        result[index].approvedAt = now
        return result
    }

    /// The history after `reviewer` rejects revision `number` with `reason`.
    public static func rejecting(_ number: Int, in history: [CampaignRevision], by reviewer: Principal, reason: String) throws(ApprovalError) -> [CampaignRevision] {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= maxReasonLength else {
            throw ApprovalError(.missingReason, "a rejection needs a reason of 1-\(maxReasonLength) characters")
        }
        let index = try reviewable(number, in: history, by: reviewer)
        var result = history
        result[index].state = .rejected
        result[index].rejectedBy = reviewer.userID
        result[index].rejectedReason = trimmed
        return result
    }

    private static func reviewable(_ number: Int, in history: [CampaignRevision], by reviewer: Principal) throws(ApprovalError) -> Int {
        guard let index = history.firstIndex(where: { $0.revision == number }) else {
            throw ApprovalError(.unknownRevision, "no revision \(number)")
        }
        try check(approver: reviewer, revision: history[index])
        if let live = CampaignRevision.live(in: history), live.revision > number {
            throw ApprovalError(.stale, "revision \(live.revision) is already live; revision \(number) is older")
        }
        return index
    }
}
