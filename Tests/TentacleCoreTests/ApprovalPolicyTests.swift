import Foundation
import Testing
import TentacleCore

private func principal(_ id: String, _ role: Role, districts: [String] = []) -> Principal {
    Principal(userID: id, username: id, role: role, scope: DistrictScope(districts: districts))
}

private let author = principal("u-pub", .publisher)
private let approver = principal("u-app", .approver)
private let noon = Fixture.t("2026-06-01T12:00:00Z")

private func revision(_ number: Int, _ state: RevisionState = .pending, by author: String = "u-pub", target: Target = Target(districts: ["north"])) -> CampaignRevision {
    CampaignRevision(
        campaignId: "c1", revision: number, campaign: Fixture.campaign("c1", target: target), author: author,
        createdAt: Fixture.t("2026-05-01T00:00:00Z"), state: state,
        approvedBy: state == .approved ? "u-app" : nil, approvedAt: state == .approved ? Fixture.t("2026-05-02T00:00:00Z") : nil)
}

/// The refusal's code, or nil when `body` went through.
private func code(_ body: () throws -> Void) -> ApprovalError.Code? {
    do {
        try body()
        return nil
    } catch let error as ApprovalError {
        return error.code
    } catch {
        Issue.record("unexpected \(error)")
        return nil
    }
}

@Suite struct ApprovalPolicyTests {
    @Test func approverAndAdminMayApproveOthersWork() {
        #expect(code { try ApprovalPolicy.check(approver: approver, revision: revision(1)) } == nil)
        #expect(code { try ApprovalPolicy.check(approver: principal("u-adm", .admin), revision: revision(1)) } == nil)
    }

    @Test func otherRolesMayNot() {
        for role in [Role.viewer, .publisher, .operator, .alerter] {
            #expect(code { try ApprovalPolicy.check(approver: principal("u-x", role), revision: revision(1)) } == .notAnApprover, "\(role)")
        }
    }

    @Test func noOneApprovesTheirOwnRevision() {
        let ownByApprover = revision(1, by: "u-app")
        #expect(code { try ApprovalPolicy.check(approver: approver, revision: ownByApprover) } == .ownRevision)
        let ownByAdmin = revision(1, by: "u-adm")
        #expect(code { try ApprovalPolicy.check(approver: principal("u-adm", .admin), revision: ownByAdmin) } == .ownRevision)
    }

    @Test func onlyPendingRevisions() {
        for state in [RevisionState.approved, .rejected, .superseded] {
            #expect(code { try ApprovalPolicy.check(approver: approver, revision: revision(1, state)) } == .notPending, "\(state)")
        }
    }

    @Test func scopedReviewerNeedsADistrictOnlyTargetInScope() {
        let scoped = principal("u-app2", .approver, districts: ["north", "south"])
        #expect(code { try ApprovalPolicy.check(approver: scoped, revision: revision(1, target: Target(districts: ["north"]))) } == nil)
        #expect(code { try ApprovalPolicy.check(approver: scoped, revision: revision(1, target: Target(districts: ["north", "east"]))) } == .outOfScope)
        #expect(code { try ApprovalPolicy.check(approver: scoped, revision: revision(1, target: Target(groups: ["bus-stops"], districts: ["north"]))) } == .outOfScope)
        #expect(code { try ApprovalPolicy.check(approver: scoped, revision: revision(1, target: Target(circle: GeoCircle(lat: 0, lon: 0, radiusMeters: 10)))) } == .outOfScope)
        #expect(code { try ApprovalPolicy.check(approver: approver, revision: revision(1, target: Target(groups: ["bus-stops"]))) } == nil)
    }

    @Test func approvingMakesLiveAndSupersedesThePrevious() throws {
        let history = [revision(1, .approved), revision(2)]
        let after = try ApprovalPolicy.approving(2, in: history, by: approver, at: noon)
        #expect(after.map(\.state) == [.superseded, .approved])
        #expect(after[1].approvedBy == "u-app")
        #expect(after[1].approvedAt == noon)
        #expect(CampaignRevision.live(in: after)?.revision == 2)
        #expect(LiveCampaign(after[1]) == LiveCampaign(campaign: after[1].campaign, revision: 2, approvedAt: noon))
    }

    @Test func pendingEditNeverReachesDisplays() throws {
        var edited = revision(2)
        edited.campaign.playlist = [PlaylistEntry(layoutId: "layout-new", durationSeconds: 10)]
        let history = [revision(1, .approved), edited]
        let live = try #require(CampaignRevision.live(in: history))
        #expect(LiveCampaign(edited) == nil)
        let resolution = resolve(display: Fixture.display(), campaigns: [try #require(LiveCampaign(live))], at: noon)
        guard case .campaign(let playing) = resolution.playing else {
            Issue.record("expected a campaign")
            return
        }
        #expect(playing.revision == 1)
        #expect(playing.layoutId == "layout-a")
    }

    @Test func rejectionKeepsTheLiveRevision() throws {
        let history = [revision(1, .approved), revision(2)]
        let after = try ApprovalPolicy.rejecting(2, in: history, by: approver, reason: "  typo in the headline ")
        #expect(after.map(\.state) == [.approved, .rejected])
        #expect(after[1].rejectedReason == "typo in the headline")
        #expect(after[1].rejectedBy == "u-app")
        #expect(CampaignRevision.live(in: after)?.revision == 1)
    }

    @Test func rejectionNeedsAReasonAndTheSameRights() {
        let history = [revision(1)]
        #expect(code { _ = try ApprovalPolicy.rejecting(1, in: history, by: approver, reason: "  ") } == .missingReason)
        #expect(code { _ = try ApprovalPolicy.rejecting(1, in: history, by: approver, reason: String(repeating: "x", count: 501)) } == .missingReason)
        #expect(code { _ = try ApprovalPolicy.rejecting(1, in: history, by: author, reason: "no") } == .notAnApprover)
        #expect(code { _ = try ApprovalPolicy.rejecting(1, in: history, by: principal("u-pub", .approver), reason: "no") } == .ownRevision)
    }

    @Test func olderPendingRevisionCannotReplaceANewerLiveOne() {
        let history = [revision(1), revision(2, .approved)]
        #expect(code { _ = try ApprovalPolicy.approving(1, in: history, by: approver, at: noon) } == .stale)
        #expect(code { _ = try ApprovalPolicy.approving(7, in: history, by: approver, at: noon) } == .unknownRevision)
    }

    @Test func liveIsTheHighestApprovedRevision() {
        #expect(CampaignRevision.live(in: [revision(1, .superseded), revision(2, .approved), revision(3, .rejected), revision(4)])?.revision == 2)
        #expect(CampaignRevision.live(in: [revision(1)]) == nil)
        #expect(CampaignRevision.live(in: []) == nil)
    }

    @Test func errorsExplainThemselves() {
        do {
            try ApprovalPolicy.check(approver: principal("u-v", .viewer), revision: revision(1))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("viewer"))
        }
    }
}
