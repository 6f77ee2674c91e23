import Foundation
import Hummingbird
import TentacleCAP
import TentacleCore
import TentacleStore

/// Emergency alerts: CAP 1.2 in, every screen in the area overridden, delivery per display out.
struct AlertController {
    let env: ServerEnvironment

    struct Posted: Encodable {
        var id: String
        var msgType: String
        var status: String
        var state: AlertRecord.State
        var targeted: Int
        /// Earlier alerts this one replaced (Update) or cancelled (Cancel).
        var settled: [String]
    }

    struct Detail: Encodable {
        var alert: AlertRecord
        var counts: [String: Int]
        var deliveries: [AlertDelivery]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("alerts", use: post)
        group.get("alerts") { request, context in
            let p = try context.user(.readRegistry)
            let limit = try QueryParameters(request: request).int("limit", in: 1...1000) ?? 100
            return try JSONBody.response(["items": try await env.store.alerts(limit: limit, scope: p.scope)])
        }
        group.get("alerts/:id") { _, context in
            let p = try context.user(.readRegistry)
            let id = try context.parameters.require("id")
            guard let alert = try await env.store.alert(id: id), alert.isVisible(in: p.scope) else { throw APIError.notFound("alert", id) }
            var deliveries = try await env.store.deliveries(alertId: id)
            if case .only = p.scope {
                var visible: [AlertDelivery] = []
                for d in deliveries {
                    if let display = try await env.store.display(id: d.displayId), p.scope.contains(display.district) { visible.append(d) }
                }
                deliveries = visible
            }
            var counts = ["pending": 0, "delivered": 0, "shown": 0]
            for d in deliveries { counts[d.state.rawValue, default: 0] += 1 }
            return try JSONBody.response(Detail(alert: alert, counts: counts, deliveries: deliveries))
        }
    }

    @Sendable func post(_ request: Request, context: AppRequestContext) async throws -> Response {
        let p = try context.user(.postAlerts)
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard ["application/cap+xml", "application/xml", "text/xml"].contains(where: { type.hasPrefix($0) }) else {
            throw APIError(.unsupportedMediaType, "send the CAP 1.2 document as application/cap+xml or application/xml, not '\(type)'")
        }
        let limits = CAPLimits.intake(maxBytes: env.configuration.maxAlertBytes)
        let body = try await JSONBody.bytes(of: request, limit: limits.maxBytes)
        let received = try await env.intake.receive(Array(body.readableBytesView), limits: limits, from: p)
        let record = received.record
        return try JSONBody.response(
            Posted(
                id: record.id, msgType: record.msgType, status: record.status, state: record.state, targeted: record.targeted,
                settled: received.settled),
            status: .created)
    }
}
