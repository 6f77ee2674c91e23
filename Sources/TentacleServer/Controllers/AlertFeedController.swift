import Foundation
import Hummingbird
import TentacleCAP
import TentacleCore
import TentacleStore

/// Warning feeds Tentacle follows (`/v1/alert-feeds`): alerters and admins add, change and remove
/// them; everyone who sees alerts sees the feeds and their health.
struct AlertFeedController {
    let env: ServerEnvironment

    struct FeedInput: Decodable {
        var id: String?
        var name: String?
        var url: String?
        var kind: String?
        var intervalSeconds: Int?
        var enabled: Bool?
        var filters: AlertFeed.Filters?

        static let fields: Set<String> = ["id", "name", "url", "kind", "intervalSeconds", "enabled", "filters"]
    }

    struct PollResult: Encodable {
        var feed: AlertFeed
        var taken: [String]
        var skipped: [String]
    }

    static let intervals = 30...86_400

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("alert-feeds") { _, context in
            _ = try context.user(.readRegistry)
            return try JSONBody.response(["items": try await env.store.feeds()])
        }
        group.post("alert-feeds") { request, context in
            let p = try context.user(.postAlerts)
            let input = try await JSONBody.decode(FeedInput.self, from: request, allowedFields: FeedInput.fields, limit: env.configuration.maxBodyBytes)
            let feed = try Self.feed(from: input, by: p, at: env.clock())
            try await checkDistricts(feed.filters)
            try await env.store.createFeed(feed, audit: env.audit(p, "feed.create", "feed", feed.id, "follows \(feed.kind) feed \(feed.url.prefix(200)) every \(feed.intervalSeconds) s"))
            return try JSONBody.response(feed, status: .created, headers: [.location: "/v1/alert-feeds/\(feed.id)"])
        }
        group.get("alert-feeds/:id") { _, context in
            _ = try context.user(.readRegistry)
            return try JSONBody.response(try await find(context))
        }
        group.patch("alert-feeds/:id") { request, context in
            let p = try context.user(.postAlerts)
            var feed = try await find(context)
            let input = try await JSONBody.decode(FeedInput.self, from: request, allowedFields: FeedInput.fields, limit: env.configuration.maxBodyBytes)
            if input.url != nil || input.kind != nil || (input.id != nil && input.id != feed.id) {
                throw ValidationError(field: input.url != nil ? "url" : input.kind != nil ? "kind" : "id", "a feed's id, url and kind cannot change; add a new feed instead")
            }
            if let name = input.name { feed.name = name }
            if let interval = input.intervalSeconds { feed.intervalSeconds = interval }
            if let enabled = input.enabled { feed.enabled = enabled }
            if let filters = input.filters { feed.filters = filters }
            try ValidationError.check(Self.issues(of: feed))
            try await checkDistricts(feed.filters)
            let changed = [("name", input.name != nil), ("intervalSeconds", input.intervalSeconds != nil), ("enabled", input.enabled != nil), ("filters", input.filters != nil)]
                .filter(\.1).map(\.0)
            try await env.store.updateFeed(feed, audit: env.audit(p, "feed.update", "feed", feed.id, "changed \(changed.joined(separator: ", "))"))
            return try JSONBody.response(feed)
        }
        group.delete("alert-feeds/:id") { _, context in
            let p = try context.user(.postAlerts)
            let feed = try await find(context)
            try await env.store.deleteFeed(id: feed.id, audit: env.audit(p, "feed.delete", "feed", feed.id, "stopped following \(feed.url.prefix(200))"))
            return Response(status: .noContent)
        }
        group.post("alert-feeds/:id/poll") { _, context in
            _ = try context.user(.postAlerts)
            let feed = try await find(context)
            let outcome = await env.feeds.poll(feed)
            var polled = feed
            polled.health = outcome.health
            return try JSONBody.response(PollResult(feed: polled, taken: outcome.taken, skipped: outcome.skipped))
        }
    }

    /// The district filter names districts that exist.
    private func checkDistricts(_ filters: AlertFeed.Filters) async throws {
        var issues: [FieldIssue] = []
        for (i, code) in filters.districts.enumerated() where try await env.store.district(code: code) == nil {
            issues.append(FieldIssue(field: "filters.districts[\(i)]", message: "unknown district '\(code.prefix(80))'"))
        }
        try ValidationError.check(issues)
    }

    private func find(_ context: AppRequestContext) async throws -> AlertFeed {
        let id = try context.parameters.require("id")
        guard let feed = try await env.store.feed(id: id) else { throw APIError.notFound("feed", id) }
        return feed
    }

    /// A new feed from its request body, checked field by field.
    static func feed(from input: FeedInput, by p: Principal, at now: Date) throws -> AlertFeed {
        var issues: [FieldIssue] = []
        if input.url == nil { issues.append(FieldIssue(field: "url", message: "is required")) }
        if input.kind == nil { issues.append(FieldIssue(field: "kind", message: "is required: atom, rss or cap")) }
        try ValidationError.check(issues)
        let feed = AlertFeed(
            id: input.id ?? Identifier.generate(prefix: "fed"), name: input.name ?? input.url ?? "", url: input.url ?? "", kind: input.kind ?? "",
            intervalSeconds: input.intervalSeconds ?? 300, enabled: input.enabled ?? true, filters: input.filters ?? .init(), createdBy: p.username,
            posterScope: p.scope.districts.map { $0.sorted() }, createdAt: now)
        try ValidationError.check(Self.issues(of: feed))
        return feed
    }

    /// Everything wrong with a feed's settings.
    static func issues(of feed: AlertFeed) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if !Identifier.isValid(feed.id) { issues.append(FieldIssue(field: "id", message: "'\(feed.id.prefix(80))' is not a valid id: \(Identifier.rule)")) }
        if feed.name.isEmpty || feed.name.count > 200 { issues.append(FieldIssue(field: "name", message: "must be 1 to 200 characters")) }
        let url = URL(string: feed.url)
        if feed.url.utf8.count > 2048 || url == nil || !["http", "https"].contains(url?.scheme?.lowercased() ?? "") || (url?.host ?? "").isEmpty {
            issues.append(FieldIssue(field: "url", message: "must be an absolute http or https address of at most 2048 bytes"))
        }
        if AlertFeedDocument.Kind(rawValue: feed.kind) == nil { issues.append(FieldIssue(field: "kind", message: "must be atom, rss or cap")) }
        if !intervals.contains(feed.intervalSeconds) {
            issues.append(FieldIssue(field: "intervalSeconds", message: "must be \(intervals.lowerBound) to \(intervals.upperBound) seconds"))
        }
        let f = feed.filters
        for (name, values, allowed) in [
            ("statuses", f.statuses, CAPAlert.Status.allCases.map(\.rawValue)),
            ("severities", f.severities, AlertSeverity.allCases.map(\.rawValue)),
            ("urgencies", f.urgencies, CAPInfo.Urgency.allCases.map(\.rawValue)),
            ("certainties", f.certainties, CAPInfo.Certainty.allCases.map(\.rawValue)),
        ] {
            for (i, value) in values.enumerated() where !allowed.contains(where: { $0.caseInsensitiveCompare(value) == .orderedSame }) {
                issues.append(FieldIssue(field: "filters.\(name)[\(i)]", message: "'\(value.prefix(40))' is not one of \(allowed.joined(separator: ", "))"))
            }
        }
        for (i, event) in f.events.enumerated() where event.isEmpty || event.count > 200 {
            issues.append(FieldIssue(field: "filters.events[\(i)]", message: "must be 1 to 200 characters"))
        }
        if f.statuses.count + f.severities.count + f.urgencies.count + f.certainties.count + f.events.count + f.districts.count > 500 {
            issues.append(FieldIssue(field: "filters", message: "at most 500 values in all"))
        }
        return issues
    }
}
