import Foundation
import Hummingbird
import TentacleCore
import TentacleStore

/// Reading the audit log (admins only), newest first.
struct AuditController {
    let env: ServerEnvironment

    struct AuditPage: Encodable {
        var items: [AuditEntry]
        var nextCursor: String?
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("audit") { request, context in
            _ = try context.user(.readAudit)
            let q = QueryParameters(request: request)
            var query = AuditQuery()
            query.actor = q.string("actor")
            query.action = q.string("action")
            query.objectType = q.string("objectType")
            query.objectId = q.string("objectId")
            query.from = try q.date("from")
            query.to = try q.date("to")
            query.limit = try q.int("limit", in: 1...1000) ?? 100
            if let cursor = try q.cursor() {
                guard let before = Int64(cursor) else { throw APIError.badRequest("cursor is not one this server handed out", field: "cursor") }
                query.before = before
            }
            let items = try await env.store.auditEntries(query)
            let next = items.count == query.limit ? items.last.map { Cursor.encode(String($0.id)) } : nil
            return try JSONBody.response(AuditPage(items: items, nextCursor: next))
        }
    }
}
