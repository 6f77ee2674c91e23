import Foundation
import Hummingbird
import TentacleCore
import TentacleStore

/// The city map's data in one compact answer: every visible display as a short array, so the
/// dashboard draws 10,000 markers from one request.
struct MapController {
    let env: ServerEnvironment

    /// What a display's marker says about alerts.
    enum AlertMark: Int, Encodable {
        case none = 0
        /// An active alert targets the display; it has not confirmed showing it yet.
        case pending = 1
        /// The panel confirmed it shows an active alert.
        case shown = 2
    }

    /// One marker: `[id, name, lat, lon, status, district, poleId, alert]`.
    struct Marker: Encodable {
        var display: Display
        var alert: AlertMark

        func encode(to encoder: any Encoder) throws {
            var row = encoder.unkeyedContainer()
            try row.encode(display.id)
            try row.encode(display.name)
            try row.encode(display.lat)
            try row.encode(display.lon)
            try row.encode(display.status.rawValue)
            try row.encode(display.district)
            try row.encode(display.poleId ?? "")
            try row.encode(alert)
        }
    }

    struct Body: Encodable {
        var fields = ["id", "name", "lat", "lon", "status", "district", "poleId", "alert"]
        var items: [Marker]
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("map/displays") { _, context in
            let p = try context.user(.readRegistry)
            let displays = try await env.store.everyDisplay(scope: p.scope)
            let marks = Self.alertMarks(env.alerts.coverage())
            return try JSONBody.response(
                Body(items: displays.map { Marker(display: $0, alert: marks[$0.id] ?? .none) }), headers: [.cacheControl: "no-store"])
        }
    }

    /// Each display's strongest mark over every active alert.
    static func alertMarks(_ coverage: [String: (targets: Set<String>, shown: Set<String>)]) -> [String: AlertMark] {
        var marks: [String: AlertMark] = [:]
        for (_, alert) in coverage {
            for id in alert.targets where marks[id] != .shown {
                marks[id] = alert.shown.contains(id) ? .shown : .pending
            }
        }
        return marks
    }
}
