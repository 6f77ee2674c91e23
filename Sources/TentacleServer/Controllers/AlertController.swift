import Foundation
import Hummingbird
import TentacleCAP
import TentacleCore
import TentacleStore

/// Emergency alerts: CAP 1.2 in, every screen in the area overridden, delivery per display out.
struct AlertController {
    let env: ServerEnvironment

    /// Displays tagged with this take CAP messages with status Test and Exercise.
    static let testTag = "alert-test"

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
        let bytes = Array(body.readableBytesView)
        let cap: CAPAlert
        do {
            cap = try CAP.parse(bytes, limits: limits)
        } catch {
            throw APIError(.validationFailed, "not a usable CAP 1.2 alert: \(error.reason)", field: error.path)
        }
        if try await env.store.alert(id: cap.identifier) != nil {
            throw APIError(.conflict, "alert '\(cap.identifier.prefix(100))' was received before; send an Update with a new identifier to change it")
        }

        let settledAlerts = try await settled(by: cap, poster: p)
        let settled = settledAlerts.map(\.id)
        let shows = (cap.msgType == .alert || cap.msgType == .update) && [.actual, .test, .exercise].contains(cap.status)
        let reached = shows ? try await targets(of: cap, scope: p.scope) : []
        let targets = reached.map(\.id)
        let notice = shows && !targets.isEmpty ? Self.notice(for: cap, replaces: cap.msgType == .update ? settled : []) : nil
        let severity = cap.infos.map(\.severity).max() ?? .unknown
        let districts = Set(reached.map(\.district)).union(settledAlerts.flatMap(\.districts)).union(p.scope.districts ?? [])
        let record = AlertRecord(
            id: cap.identifier, sender: cap.sender, sent: cap.sent, status: cap.status.rawValue, msgType: cap.msgType.rawValue,
            severity: severity, headline: cap.infos.first.map { $0.headline ?? $0.event } ?? "",
            expires: cap.infos.compactMap(\.expires).max(), state: notice == nil ? .silent : .active, references: settled,
            postedBy: p.username, receivedAt: env.clock(), targeted: targets.count, posterScope: p.scope.districts, districts: districts.sorted())
        let text = notice.map { String(decoding: ServerMessage.alert($0).encoded(), as: UTF8.self) }
        let settling: [String: AlertRecord.State] = Dictionary(
            uniqueKeysWithValues: settled.map { ($0, cap.msgType == .cancel ? AlertRecord.State.cancelled : .replaced) })
        let summary = "\(cap.msgType.rawValue) \(cap.status.rawValue), \(severity.rawValue), \(targets.count) displays"
            + (settled.isEmpty ? "" : "; settles \(settled.joined(separator: ", "))")
        try await env.store.createAlert(
            record, xml: String(decoding: bytes, as: UTF8.self), notice: text, targets: targets, settling: settling,
            audit: env.audit(p, "alert.post", "alert", record.id, summary))

        // Stored and durable: now it goes out.
        await env.alerts.settle(settled)
        if let text { await env.alerts.publish(record, text: text, targets: targets) }
        return try JSONBody.response(
            Posted(id: record.id, msgType: record.msgType, status: record.status, state: record.state, targeted: targets.count, settled: settled),
            status: .created)
    }

    /// The earlier alerts this message settles: only an Update or Cancel settles, only alerts of the
    /// same sender this server holds. Settling an alert of another status (a Test never settles an
    /// Actual) or one posted with a scope the poster's does not cover is refused and audited.
    private func settled(by cap: CAPAlert, poster p: Principal) async throws -> [AlertRecord] {
        guard cap.msgType == .update || cap.msgType == .cancel else { return [] }
        var settled: [AlertRecord] = []
        for ref in cap.references {
            guard !settled.contains(where: { $0.id == ref.identifier }),
                let earlier = try await env.store.alert(id: ref.identifier), earlier.sender == ref.sender
            else { continue }
            let refusal: APIError? =
                if earlier.status != cap.status.rawValue {
                    APIError(
                        .conflict, "a \(cap.status.rawValue) message cannot \(cap.msgType == .cancel ? "cancel" : "update") the \(earlier.status) alert '\(earlier.id.prefix(100))'",
                        field: "references")
                } else if !earlier.mayBeSettled(from: p.scope) {
                    APIError(
                        .forbidden, "alert '\(earlier.id.prefix(100))' was posted for districts outside yours; only a user whose districts cover them may \(cap.msgType == .cancel ? "cancel" : "update") it",
                        field: "references")
                } else { nil }
            if let refusal {
                try await env.store.recordEvent(env.audit(p, "alert.refuse", "alert", cap.identifier, "\(cap.msgType.rawValue) \(cap.status.rawValue) refused: \(refusal.message)"))
                throw refusal
            }
            settled.append(earlier)
        }
        return settled
    }

    /// Every display inside one of the alert's areas (or in a district its geocodes name); for
    /// Test and Exercise messages only displays tagged `alert-test`.
    private func targets(of cap: CAPAlert, scope: DistrictScope) async throws -> [Display] {
        let candidates = cap.candidates(geocodes: Self.geocodeTable(try await env.store.districts()))
        guard !candidates.isEmpty else { return [] }
        let testsOnly = cap.status != .actual
        return try await env.directory.displays(scope: scope)
            .filter { display in (!testsOnly || display.tags.contains(Self.testTag)) && candidates.contains { $0.target.matches(display) } }
    }

    /// `tentacle-district` geocodes name districts by code.
    static func geocodeTable(_ districts: [District]) -> GeocodeTable {
        GeocodeTable(["tentacle-district": Dictionary(uniqueKeysWithValues: districts.map { ($0.code, $0.code) })])
    }

    /// What displays are told: the most severe level, every language, the latest expiry.
    static func notice(for cap: CAPAlert, replaces: [String]) -> ServerMessage.AlertNotice {
        ServerMessage.AlertNotice(
            id: cap.identifier, severity: cap.infos.map(\.severity).max() ?? .unknown, sent: Reading.milliseconds(cap.sent),
            expires: cap.infos.compactMap(\.expires).max().map { Reading.milliseconds($0) },
            texts: cap.infos.map { .init(language: $0.language, headline: $0.headline ?? $0.event, instruction: $0.instruction ?? $0.description) },
            rotateSeconds: 6, replaces: replaces)
    }
}
