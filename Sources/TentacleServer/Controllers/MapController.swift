import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
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

    static let fields = ["id", "name", "lat", "lon", "status", "district", "poleId", "alert"]

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("map/displays") { request, context in
            let p = try context.user(.readRegistry)
            let markers = try await env.store.displayMarkers(scope: p.scope)
            let body = Self.json(markers, marks: Self.alertMarks(env.alerts.coverage()))
            var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store", .vary: "Accept-Encoding"]
            // 10,000 markers are about 0.9 MB of JSON and a sixth of that gzipped.
            if body.count > 1024, Gzip.accepted(request.headers[.acceptEncoding]), let packed = Gzip.compress(body) {
                headers[.contentEncoding] = "gzip"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: packed)))
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    /// `{"fields": [...], "items": [[id, name, lat, lon, status, district, poleId, alert], ...]}`,
    /// written directly: this is the dashboard's largest answer and the encoder's per-value cost shows.
    static func json(_ markers: [DisplayMarker], marks: [String: AlertMark]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + markers.count * 96)
        out.append(contentsOf: #"{"fields":["#.utf8)
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendString(field, to: &out)
        }
        out.append(contentsOf: #"],"items":["#.utf8)
        for (i, m) in markers.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            JSONText.appendString(m.id, to: &out)
            out.append(UInt8(ascii: ","))
            JSONText.appendString(m.name, to: &out)
            out.append(UInt8(ascii: ","))
            JSONText.appendNumber(m.lat, to: &out)
            out.append(UInt8(ascii: ","))
            JSONText.appendNumber(m.lon, to: &out)
            out.append(UInt8(ascii: ","))
            JSONText.appendString(m.status.rawValue, to: &out)
            out.append(UInt8(ascii: ","))
            JSONText.appendString(m.district, to: &out)
            out.append(UInt8(ascii: ","))
            JSONText.appendString(m.poleId ?? "", to: &out)
            out.append(UInt8(ascii: ","))
            out.append(UInt8(ascii: "0") + UInt8((marks[m.id] ?? .none).rawValue))
            out.append(UInt8(ascii: "]"))
        }
        out.append(contentsOf: "]}".utf8)
        return out
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
