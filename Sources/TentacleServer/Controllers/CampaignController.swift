import Foundation
import Hummingbird
import TentacleCore
import TentacleStore

/// Campaigns: every edit is a revision; a second person with the approver role puts it on air.
struct CampaignController {
    let env: ServerEnvironment
    var workflow: CampaignWorkflow { env.campaigns }

    /// A campaign with its live revision, the edit waiting for review, and its history.
    struct CampaignBody: Encodable {
        var id: String
        var live: CampaignRevision?
        var pending: CampaignRevision?
        var latest: CampaignRevision
        var history: [CampaignRevision]?
    }

    /// The reason is optional here so that leaving it out is refused like an empty one: 422 naming `reason`.
    struct Rejection: Decodable {
        var reason: String?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("campaigns") { _, context in
            let p = try context.user(.readContent)
            let latest = try await env.store.latestRevisions().filter { CampaignWorkflow.visible($0.campaign, to: p) }
            var items: [CampaignBody] = []
            for revision in latest {
                items.append(Self.body(try await env.store.campaignHistory(id: revision.campaignId), withHistory: false))
            }
            return try JSONBody.response(["items": items])
        }
        group.post("campaigns", use: create)
        group.get("campaigns/:id") { _, context in
            let (_, history) = try await find(context, .readContent)
            return try JSONBody.response(Self.body(history, withHistory: true))
        }
        group.put("campaigns/:id", use: edit)
        group.delete("campaigns/:id") { _, context in
            let (p, history) = try await find(context, .writeContent)
            try await workflow.delete(history, by: p)
            return Response(status: .noContent)
        }
        group.post("campaigns/:id/revisions/:revision/approve") { _, context in
            let (p, history) = try await find(context, .approveContent)
            let updated = try await workflow.approve(try revisionNumber(context), of: history, by: p)
            return try JSONBody.response(Self.body(updated, withHistory: true))
        }
        group.post("campaigns/:id/revisions/:revision/reject") { request, context in
            let (p, history) = try await find(context, .approveContent)
            let number = try revisionNumber(context)
            let body = try await JSONBody.decode(Rejection.self, from: request, allowedFields: ["reason"], limit: env.configuration.maxBodyBytes)
            let updated = try await workflow.reject(number, of: history, by: p, reason: body.reason ?? "")
            return try JSONBody.response(Self.body(updated, withHistory: true))
        }
        group.get("campaigns/:id/coverage", use: coverage)
    }

    func find(_ context: AppRequestContext, _ permission: Permission) async throws -> (Principal, [CampaignRevision]) {
        let p = try context.user(permission)
        let id = try context.parameters.require("id")
        return (p, try await workflow.history(of: id, as: p))
    }

    func revisionNumber(_ context: AppRequestContext) throws -> Int {
        let text = try context.parameters.require("revision")
        guard let n = Int(text), n >= 1 else { throw APIError.badRequest("revision must be a positive integer", field: "revision") }
        return n
    }

    static func body(_ history: [CampaignRevision], withHistory: Bool) -> CampaignBody {
        CampaignBody(
            id: history[0].campaignId, live: CampaignRevision.live(in: history),
            pending: history.last(where: { $0.state == .pending }), latest: history.last!,
            history: withHistory ? history : nil)
    }

    static let fields: Set<String> = ["id", "name", "priority", "schedule", "target", "playlist"]

    /// Reads a campaign body; a missing `id` becomes `defaultId`.
    func decodeCampaign(_ request: Request, defaultId: String) async throws -> Campaign {
        if let contentType = request.headers[.contentType], !contentType.lowercased().contains("json") {
            throw APIError(.unsupportedMediaType, "expected Content-Type application/json, got '\(contentType)'")
        }
        let buffer = try await JSONBody.bytes(of: request, limit: env.configuration.maxBodyBytes)
        var data = Data(buffer.readableBytesView)
        if var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["id"] == nil {
            object["id"] = defaultId
            data = try JSONSerialization.data(withJSONObject: object)
        }
        return try JSONBody.decode(Campaign.self, from: data, allowedFields: Self.fields)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.writeContent)
        let campaign = try await decodeCampaign(request, defaultId: Identifier.generate(prefix: "cmp"))
        let first = try await workflow.create(campaign, by: p)
        return try JSONBody.response(Self.body([first], withHistory: true), status: .created, headers: [.location: "/v1/campaigns/\(campaign.id)"])
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (p, history) = try await find(context, .writeContent)
        let campaign = try await decodeCampaign(request, defaultId: history[0].campaignId)
        return try JSONBody.response(Self.body(try await workflow.edit(campaign, of: history, by: p), withHistory: true))
    }

    struct Coverage: Encodable {
        var campaignId: String
        var revision: Int?
        var at: Date
        var until: Date
        /// Displays on which the campaign is on air at `at`.
        var now: [String]
        /// Displays on which it is on air at some moment in the next 24 hours.
        var next24h: [String]
    }

    /// Which displays the live revision reaches now and within 24 hours. What a display shows only
    /// changes where some campaign's schedule does, so checking those instants is exact.
    @Sendable func coverage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (p, history) = try await find(context, .readContent)
        let id = history[0].campaignId
        let at = try QueryParameters(request: request).date("at") ?? env.clock()
        let until = at.addingTimeInterval(86_400)
        let live = try await env.store.liveCampaigns()
        guard let mine = live.first(where: { $0.id == id }) else {
            return try JSONBody.response(Coverage(campaignId: id, revision: nil, at: at, until: until, now: [], next24h: []))
        }
        let defaults = try await env.store.defaultLayouts()
        let index = ResolutionIndex(campaigns: live)
        var now: [String] = []
        var later: [String] = []
        for display in try await allDisplays(scope: p.scope) where mine.campaign.target.matches(display) {
            guard let zone = TimeZone(identifier: display.timezone) else { continue }
            func wins(_ t: Date) -> Bool {
                if case .campaign(let playing) = index.resolve(display: display, alerts: [], defaults: defaults, at: t).playing {
                    return playing.campaignId == id
                }
                return false
            }
            if wins(at) {
                now.append(display.id)
                later.append(display.id)
                continue
            }
            let rivals = live.filter { $0.campaign.target.matches(display) }
            let instants = Set(rivals.flatMap { $0.campaign.schedule.nextChanges(after: at, within: 86_400, timeZone: zone) })
            if instants.sorted().contains(where: { $0 < until && wins($0) }) { later.append(display.id) }
        }
        return try JSONBody.response(Coverage(campaignId: id, revision: mine.revision, at: at, until: until, now: now, next24h: later))
    }

    func allDisplays(scope: DistrictScope) async throws -> [Display] {
        var all: [Display] = []
        var query = DisplayQuery(limit: DisplayQuery.maxLimit, scope: scope)
        while true {
            let page = try await env.store.listDisplays(query)
            all += page.items
            guard let next = page.nextCursor else { return all }
            query.after = next
        }
    }
}
