import Foundation
import HTTPTypes
import Hummingbird
import TentacleCore
import TentacleStore

/// NGSI-LD subscriptions: a client names entities, the attributes whose change it wants to
/// hear of, a condition and a place, and an endpoint; every matching change is POSTed there.
/// A user sees and changes their own subscriptions; an admin without a district scope sees all.
struct NGSISubscriptionController {
    let env: ServerEnvironment
    static let maxPerUser = 100

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("subscriptions", use: create)
        group.get("subscriptions") { request, context in
            let p = try context.user(.readTelemetry)
            let params = NGSIParameters(request: request)
            let representation = try LinkedData.representation(request)
            let limit = try params.int("limit", in: 1...1000) ?? 100
            let offset = try params.int("offset", in: 0...Int(Int32.max)) ?? 0
            let mine = try await env.store.subscriptions().filter { Self.mayManage($0, p) }
            var out: [UInt8] = [UInt8(ascii: "[")]
            for (i, record) in mine.dropFirst(offset).prefix(limit).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += Self.shown(record, queued: try await env.store.queuedNotificationCount(subscription: record.id), at: env.clock())
            }
            out.append(UInt8(ascii: "]"))
            var headers = HTTPFields()
            if params.wantsCount { headers[NGSIEntityController.resultsCount] = String(mine.count) }
            return LinkedData.response(out, representation, context: LinkedData.contextURL(request), headers: headers)
        }
        group.get("subscriptions/:id") { request, context in
            let record = try await owned(context)
            let representation = try LinkedData.representation(request)
            let body = Self.shown(record, queued: try await env.store.queuedNotificationCount(subscription: record.id), at: env.clock())
            return LinkedData.response(body, representation, context: LinkedData.contextURL(request))
        }
        group.patch("subscriptions/:id") { request, context in
            let p = try context.user(.readTelemetry)
            var record = try await owned(context)
            let patch = try await Self.body(request, limit: env.configuration.maxBodyBytes)
            guard case .object(var merged)? = try? NGSIValue(json: JSONSerialization.jsonObject(with: Data(record.document.utf8))) else {
                throw NGSIError(.internalError, "the stored subscription cannot be read")
            }
            for (key, value) in patch {
                guard key != "id" else { throw NGSIError(.badRequestData, "id: a subscription's id cannot change") }
                if key == "notification", case .object(let n) = value, case .object(var current)? = merged["notification"] {
                    for (k, v) in n { current[k] = v }
                    merged[key] = .object(current)
                } else {
                    merged[key] = value
                }
            }
            let document = try SubscriptionDocument(merged, defaultId: record.id)
            record.document = String(decoding: document.json, as: UTF8.self)
            record.isActive = document.isActive
            record.expiresAt = document.expiresAt
            record.modifiedAt = Reading.milliseconds(env.clock())
            try await env.store.updateSubscription(record, audit: env.audit(p, "subscription.update", "subscription", record.id, "changed \(patch.keys.sorted().joined(separator: ", "))"))
            try await env.subscriptions.refresh()
            return Response(status: .noContent)
        }
        group.delete("subscriptions/:id") { _, context in
            let p = try context.user(.readTelemetry)
            let record = try await owned(context)
            try await env.store.deleteSubscription(id: record.id, audit: env.audit(p, "subscription.delete", "subscription", record.id, "deleted"))
            try await env.subscriptions.refresh()
            return Response(status: .noContent)
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.readTelemetry)
        var body = try await Self.body(request, limit: env.configuration.maxBodyBytes)
        if body["jsonldContext"] == nil { body["jsonldContext"] = .string(LinkedData.contextURL(request)) }
        let document = try SubscriptionDocument(body, defaultId: "urn:ngsi-ld:Subscription:\(UUID().uuidString.lowercased())")
        let existing = try await env.store.subscriptions()
        guard existing.filter({ $0.owner == p.userID }).count < Self.maxPerUser else {
            throw NGSIError(.forbidden, "a user holds at most \(Self.maxPerUser) subscriptions; delete one first")
        }
        if existing.contains(where: { $0.id == document.id }) { throw NGSIError(.alreadyExists, "subscription '\(document.id)' already exists") }
        let now = Reading.milliseconds(env.clock())
        let record = SubscriptionRecord(
            id: document.id, owner: p.userID, document: String(decoding: document.json, as: UTF8.self), isActive: document.isActive, createdAt: now,
            modifiedAt: now, expiresAt: document.expiresAt)
        do {
            try await env.store.createSubscription(
                record, audit: env.audit(p, "subscription.create", "subscription", record.id, "notifies \(document.endpoint.prefix(200))"))
        } catch let e as StoreError where e.code == .conflict {
            throw NGSIError(.alreadyExists, "subscription '\(document.id)' already exists")
        }
        try await env.subscriptions.refresh()
        var headers = HTTPFields()
        headers[.location] = "/ngsi-ld/v1/subscriptions/\(record.id)"
        return Response(status: .created, headers: headers)
    }

    /// The subscription named in the path, if the caller may manage it (404 otherwise).
    private func owned(_ context: AppRequestContext) async throws -> SubscriptionRecord {
        let p = try context.user(.readTelemetry)
        let id = try context.parameters.require("id")
        guard let record = try await env.store.subscription(id: id), Self.mayManage(record, p) else {
            throw NGSIError(.resourceNotFound, "subscription '\(id.prefix(200))' not found")
        }
        return record
    }

    static func mayManage(_ record: SubscriptionRecord, _ p: Principal) -> Bool {
        record.owner == p.userID || (p.role == .admin && p.scope == .all)
    }

    static func body(_ request: Request, limit: Int) async throws -> [String: NGSIValue] {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") || contentType.hasPrefix("application/ld+json") else {
            throw NGSIError(.unsupportedMediaType, "send the subscription as application/json or application/ld+json")
        }
        let bytes = try await JSONBody.bytes(of: request, limit: limit)
        guard let raw = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)), case .object(let body)? = NGSIValue(json: raw) else {
            throw NGSIError(.invalidRequest, "the body is not a JSON object")
        }
        return body
    }

    /// The stored document with its status, as GET shows it.
    static func shown(_ record: SubscriptionRecord, queued: Int, at now: Date) -> [UInt8] {
        guard let raw = try? JSONSerialization.jsonObject(with: Data(record.document.utf8)), case .object(var body)? = NGSIValue(json: raw) else {
            return Array(record.document.utf8)
        }
        func time(_ ms: Int64?) -> NGSIValue? { ms.flatMap(ReadingTime.format).map { .string($0) } }
        let expired = (record.expiresAt ?? .max) <= Reading.milliseconds(now)
        body["status"] = .string(expired ? "expired" : record.isActive ? "active" : "paused")
        body["createdAt"] = time(record.createdAt)
        body["modifiedAt"] = time(record.modifiedAt)
        if case .object(var n)? = body["notification"] {
            n["timesSent"] = .number(Double(record.timesSent))
            n["timesFailed"] = .number(Double(record.timesFailed))
            n["lastNotification"] = time(record.lastNotification)
            n["lastSuccess"] = time(record.lastSuccess)
            n["lastFailure"] = time(record.lastFailure)
            if let reason = record.lastFailureReason, (record.lastFailure ?? .min) > (record.lastSuccess ?? .min) { n["lastFailureReason"] = .string(reason) }
            n["status"] = .string((record.lastFailure ?? .min) > (record.lastSuccess ?? .min) ? "failed" : "ok")
            n["queued"] = .number(Double(queued))
            body["notification"] = .object(n)
        }
        var out: [UInt8] = []
        NGSIValue.object(body).write(to: &out)
        return out
    }
}
