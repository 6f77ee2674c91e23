import Foundation
import Hummingbird
import TentacleCore
import TentacleStore

/// Display health alarms (`/v1/alarms`): everyone who sees the registry sees the alarms of their
/// districts; operators acknowledge them.
struct AlarmController {
    let env: ServerEnvironment

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("alarms") { request, context in
            let p = try context.user(.readRegistry)
            let q = QueryParameters(request: request)
            let state = q.string("state") ?? "open"
            guard ["open", "all"].contains(state) else { throw APIError.badRequest("state must be open or all", field: "state") }
            let query = AlarmQuery(
                display: q.string("display"), includeCleared: state == "all", scope: p.scope,
                limit: try q.int("limit", in: 1...1000) ?? 100)
            return try JSONBody.response(["items": try await env.store.alarms(query)])
        }
        group.post("alarms/:id/acknowledge") { _, context in
            let p = try context.user(.writeDisplays)
            let text = try context.parameters.require("id")
            guard let id = Int64(text), let alarm = try await env.store.alarm(id: id),
                  try await visible(alarm, to: p)
            else { throw APIError.notFound("alarm", text) }
            let acknowledged = try await env.store.acknowledgeAlarm(
                id: id, by: p.username, at: Reading.milliseconds(env.clock()),
                audit: env.audit(p, "alarm.acknowledge", "display", alarm.display, "acknowledged \(alarm.kind.rawValue) alarm: \(alarm.message)"))
            return try JSONBody.response(acknowledged)
        }
    }

    private func visible(_ alarm: AlarmRecord, to p: Principal) async throws -> Bool {
        guard case .only = p.scope else { return true }
        guard let display = try await env.store.display(id: alarm.display) else { return false }
        return p.scope.contains(display.district)
    }
}
