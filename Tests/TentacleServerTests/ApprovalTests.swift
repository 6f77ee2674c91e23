import Foundation
import HTTPTypes
import HummingbirdTesting
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

/// Nothing reaches a display until a second person with the approver role has approved it.
@Suite("Campaign approval")
struct ApprovalTests {
    /// Two layouts and a campaign `cmp-1` on north, revision 1 pending from the publisher.
    static func pendingCampaign(_ api: API) async throws {
        try await api.createLayout("lay-pole")
        try await api.createLayout("lay-other", template: "light-pole-64x32")
        let created = try await api.send(.post, "/v1/campaigns", as: .role(.publisher), json: Content.campaign("cmp-1"))
        #expect(created.status == .created, "\(created.text)")
        let body = try created.decode(CampaignView.self)
        #expect(body.latest.state == .pending)
        #expect(body.live == nil)
        #expect(body.pending?.revision == 1)
    }

    static func approveURI(_ revision: Int) -> String { "/v1/campaigns/cmp-1/revisions/\(revision)/approve" }
    static func rejectURI(_ revision: Int) -> String { "/v1/campaigns/cmp-1/revisions/\(revision)/reject" }

    @Test func noOneApprovesTheirOwnRevision() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                // Admins may both write and review, which is exactly when this rule matters.
                let created = try await api.send(.post, "/v1/campaigns", as: .role(.admin), json: Content.campaign("cmp-1"))
                #expect(created.status == .created)
                let own = try await api.send(.post, Self.approveURI(1), as: .role(.admin))
                #expect(own.status == .forbidden, "\(own.text)")
                #expect(own.apiError?.code == "forbidden")
                let ownReject = try await api.send(.post, Self.rejectURI(1), as: .role(.admin), json: #"{"reason": "changed my mind"}"#)
                #expect(ownReject.status == .forbidden)
                #expect(try await api.now("north-1").playing.kind == "nothing")

                let approved = try await api.approve("cmp-1", revision: 1, as: .role(.approver))
                #expect(approved.live?.approvedBy == "usr-approver")
            }
        }
    }

    @Test func rolesWithoutApprovalCannotReview() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.pendingCampaign(api)
                for role in [Role.viewer, .publisher, .alerter, .operator] {
                    let approve = try await api.send(.post, Self.approveURI(1), as: .role(role))
                    #expect(approve.status == .forbidden, "\(role)")
                    let reject = try await api.send(.post, Self.rejectURI(1), as: .role(role), json: #"{"reason": "no"}"#)
                    #expect(reject.status == .forbidden, "\(role)")
                }
                let history = try await fx.store.campaignHistory(id: "cmp-1")
                #expect(history.map(\.state) == [.pending])
                #expect(try await api.now("north-1").playing.kind == "nothing")
            }
        }
    }

    @Test func approvalByAnotherPersonPutsTheRevisionLive() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.pendingCampaign(api)
                #expect(try await api.now("north-1").playing.kind == "nothing", "a pending first revision is not on air")

                fx.clock.advance(by: 60)
                let approved = try await api.approve("cmp-1", revision: 1)
                #expect(approved.live?.revision == 1)
                #expect(approved.live?.approvedBy == "usr-approver")
                #expect(approved.live?.approvedAt == fx.clock.now)
                #expect(approved.pending == nil)

                let now = try await api.now("north-1")
                #expect(now.playing.kind == "campaign")
                #expect(now.playing.campaignId == "cmp-1")
                #expect(now.playing.revision == 1)
                #expect(try await api.send(.post, Self.approveURI(1), as: .role(.admin)).status == .conflict, "already approved")
            }
        }
    }

    @Test func aPendingEditNeverReachesDisplays() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.pendingCampaign(api)
                try await api.approve("cmp-1", revision: 1)
                let before = try await api.send(.get, "/v1/displays/north-1/preview.png", as: .role(.viewer)).body

                let edited = try await api.edit("cmp-1", Content.campaign("cmp-1", playlist: [("lay-other", 10)]))
                #expect(edited.live?.revision == 1)
                #expect(edited.pending?.revision == 2)
                #expect(edited.latest.revision == 2)
                #expect(edited.history?.map(\.state) == [.approved, .pending])

                let now = try await api.now("north-1")
                #expect(now.playing.revision == 1)
                #expect(now.playing.layoutId == "lay-pole")
                #expect(try await api.send(.get, "/v1/displays/north-1/preview.png", as: .role(.viewer)).body == before)

                let approved = try await api.approve("cmp-1", revision: 2)
                #expect(approved.history?.map(\.state) == [.superseded, .approved])
                let after = try await api.now("north-1")
                #expect(after.playing.revision == 2)
                #expect(after.playing.layoutId == "lay-other")

                let old = try await api.send(.post, Self.approveURI(1), as: .role(.approver))
                #expect(old.status == .conflict, "a superseded revision cannot come back: \(old.text)")
                #expect(old.apiError?.code == "conflict")
                #expect(try await api.now("north-1").playing.revision == 2)
            }
        }
    }

    @Test func anOlderPendingRevisionCannotBeApprovedOverANewerLiveOne() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.pendingCampaign(api)
                try await api.edit("cmp-1", Content.campaign("cmp-1", playlist: [("lay-other", 10)]))
                try await api.approve("cmp-1", revision: 2)
                let older = try await api.send(.post, Self.approveURI(1), as: .role(.approver))
                #expect(older.status == .conflict, "\(older.text)")
                let rejectOlder = try await api.send(.post, Self.rejectURI(1), as: .role(.approver), json: #"{"reason": "too late"}"#)
                #expect(rejectOlder.status == .conflict)
                #expect(try await api.now("north-1").playing.revision == 2)
                #expect(try await api.send(.post, Self.approveURI(9), as: .role(.approver)).status == .notFound)
                #expect(try await api.send(.post, Self.approveURI(0), as: .role(.approver)).status == .badRequest)
            }
        }
    }

    /// An approval decided on a history that an edit changed before it was written must not put the
    /// superseded revision on air.
    @Test func aRevisionSupersededBetweenReadAndWriteIsNotApproved() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.pendingCampaign(api)
                try await api.approve("cmp-1", revision: 1)
                try await api.edit("cmp-1", Content.campaign("cmp-1", playlist: [("lay-other", 10)]))
                let seen = try await fx.store.campaignHistory(id: "cmp-1")
                let approver = Principal(userID: "usr-approver", username: "approver", role: .approver, scope: .all)
                let approval = try ApprovalPolicy.approving(2, in: seen, by: approver, at: fx.clock.now)
                let rejection = try ApprovalPolicy.rejecting(2, in: seen, by: approver, reason: "late")

                // The publisher saves revision 3 meanwhile, which supersedes the pending revision 2.
                try await api.edit("cmp-1", Content.campaign("cmp-1", playlist: [("lay-other", 20)]))
                for updated in [approval, rejection] {
                    await #expect(throws: StoreError.self) {
                        try await fx.store.saveReview(
                            CampaignWorkflow.changed(from: seen, to: updated), reviewed: seen, audit: Fixture.event("campaign.approve", "campaign", "cmp-1"))
                    }
                }
                #expect(try await fx.store.campaignHistory(id: "cmp-1").map(\.state) == [.approved, .superseded, .pending])
                #expect(try await api.now("north-1").playing.revision == 1)
            }
        }
    }

    @Test func concurrentApprovalsOfOneRevisionSucceedOnce() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.pendingCampaign(api)
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for caller in [Caller.role(.approver), .role(.admin), .role(.approver), .role(.admin)] {
                        group.addTask { try await api.send(.post, Self.approveURI(1), as: caller).status }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
                #expect(statuses.filter { $0 == .conflict }.count == 3, "\(statuses)")
                #expect(try await fx.store.campaignHistory(id: "cmp-1").map(\.state) == [.approved])
                let approvals = try await fx.store.auditEntries(AuditQuery(action: "campaign.approve", objectId: "cmp-1", limit: 10))
                #expect(approvals.count == 1)
            }
        }
    }

    @Test func aRejectionKeepsTheLiveRevision() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.pendingCampaign(api)
                try await api.approve("cmp-1", revision: 1)
                try await api.edit("cmp-1", Content.campaign("cmp-1", playlist: [("lay-other", 10)]))

                for body in [#"{}"#, #"{"reason": ""}"#, #"{"reason": "   "}"#, #"{"reason": "\#(String(repeating: "x", count: 501))"}"#] {
                    let refused = try await api.send(.post, Self.rejectURI(2), as: .role(.approver), json: body)
                    #expect(refused.status == .unprocessableContent, "\(body.prefix(40)): \(refused.text)")
                    #expect(refused.apiError?.field == "reason")
                }
                #expect(try await fx.store.campaignHistory(id: "cmp-1").map(\.state) == [.approved, .pending])

                let rejected = try await api.send(.post, Self.rejectURI(2), as: .role(.approver), json: #"{"reason": "wrong poles"}"#)
                #expect(rejected.status == .ok, "\(rejected.text)")
                let body = try rejected.decode(CampaignView.self)
                #expect(body.live?.revision == 1)
                #expect(body.pending == nil)
                #expect(body.history?[1].state == .rejected)
                #expect(body.history?[1].rejectedBy == "usr-approver")
                #expect(body.history?[1].rejectedReason == "wrong poles")

                let now = try await api.now("north-1")
                #expect(now.playing.revision == 1)
                #expect(now.playing.layoutId == "lay-pole")
                #expect(try await api.send(.post, Self.approveURI(2), as: .role(.admin)).status == .conflict, "a rejected revision stays rejected")
            }
        }
    }

    @Test func everyActionIsAudited() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await Self.pendingCampaign(api)
                try await api.approve("cmp-1", revision: 1)
                try await api.edit("cmp-1", Content.campaign("cmp-1", playlist: [("lay-other", 10)]))
                let rejected = try await api.send(.post, Self.rejectURI(2), as: .role(.admin), json: #"{"reason": "not today"}"#)
                #expect(rejected.status == .ok)
                try await api.edit("cmp-1", Content.campaign("cmp-1", playlist: [("lay-other", 20)]))
                try await api.approve("cmp-1", revision: 3)

                let entries = try await fx.store.auditEntries(AuditQuery(objectType: "campaign", objectId: "cmp-1", limit: 100)).reversed()
                let trail = entries.map { "\($0.actor) \($0.action)" }
                #expect(trail == [
                    "publisher campaign.create", "approver campaign.approve", "publisher campaign.edit", "admin campaign.reject",
                    "publisher campaign.edit", "approver campaign.approve",
                ])
                #expect(entries.contains { $0.action == "campaign.reject" && $0.summary.contains("not today") })
                // The audit log is readable through the API too.
                let viaAPI = try await api.send(.get, "/v1/audit?objectId=cmp-1", as: .role(.admin))
                #expect(viaAPI.status == .ok)
                #expect(viaAPI.text.contains("campaign.reject"))
            }
        }
    }

    @Test func districtsWithoutApprovalGoLiveAtOnce() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                try await api.createLayout("lay-pole")
                #expect(try await api.send(.get, "/v1/districts/north/approval", as: .role(.viewer)).text == #"{"required":true}"#)
                let off = try await api.send(.put, "/v1/districts/north/approval", as: .role(.admin), json: #"{"required": false}"#)
                #expect(off.status == .ok)
                #expect(try await api.send(.get, "/v1/districts/north/approval", as: .role(.viewer)).text == #"{"required":false}"#)
                #expect(try await fx.store.auditEntries(AuditQuery(action: "district.approval", objectId: "north", limit: 10)).count == 1)

                let direct = try await api.send(.post, "/v1/campaigns", as: .role(.publisher), json: Content.campaign("cmp-north"))
                #expect(direct.status == .created)
                let body = try direct.decode(CampaignView.self)
                #expect(body.latest.state == .approved)
                #expect(body.live?.revision == 1)
                #expect(try await api.now("north-1").playing.campaignId == "cmp-north")

                // An edit goes live at once too.
                let edited = try await api.edit("cmp-north", Content.campaign("cmp-north", playlist: [("lay-pole", 30)]))
                #expect(edited.live?.revision == 2)
                #expect(edited.history?.map(\.state) == [.superseded, .approved])

                // A group can reach any district, and south still requires approval.
                for (id, target) in [("cmp-group", #"{"groups": ["bus-stops"]}"#), ("cmp-both", #"{"districts": ["north", "south"]}"#)] {
                    let created = try await api.send(
                        .post, "/v1/campaigns", as: .role(.publisher), json: Content.campaign(id, target: target, priority: 900))
                    #expect(created.status == .created)
                    let state = try created.decode(CampaignView.self)
                    #expect(state.latest.state == .pending, "\(id)")
                    #expect(state.live == nil, "\(id)")
                }
                #expect(try await api.now("north-1").playing.campaignId == "cmp-north")

                #expect(try await api.send(.put, "/v1/districts/nowhere/approval", as: .role(.admin), json: #"{"required": false}"#).status == .notFound)
            }
        }
    }
}
