import Foundation
import Hummingbird
import NIOCore
import TentacleCore
import Synchronization
import TentacleStore

/// Server-Sent Events: live changes for dashboards and integrations.
///
/// `GET /v1/events?topics=readings` sends the latest value of every visible series first, then one
/// `readings` event per source each time a batch is stored. `limit=N` closes the stream after N
/// change events (0: the snapshot only), for scripts that want one look.
struct EventsController {
    let env: ServerEnvironment

    static let topics: Set<String> = ["readings"]

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("events") { request, context in
            let p = try context.user(.readTelemetry)
            let q = QueryParameters(request: request)
            let asked = Set((q.string("topics") ?? "readings").split(separator: ",").map(String.init))
            if let unknown = asked.subtracting(Self.topics).sorted().first {
                throw APIError.badRequest("unknown topic '\(unknown.prefix(40))'; topics: \(Self.topics.sorted().joined(separator: ", "))", field: "topics")
            }
            let limit = try q.int("limit", in: 0...1_000_000)
            let store = env.store
            let subscription = env.live.subscribe()
            let districts = DistrictLookup(store: store)
            let body = ResponseBody { writer in
                defer { subscription.cancel() }
                for change in subscription.snapshot where try await districts.visible(change.source, to: p) {
                    try await writer.write(Self.frame(change))
                }
                var sent = 0
                if limit != 0 {
                    for await change in subscription.changes where try await districts.visible(change.source, to: p) {
                        try await writer.write(Self.frame(change))
                        sent += 1
                        if let limit, sent >= limit { break }
                    }
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
        }
    }

    static func frame(_ change: LiveReadings.Change) throws -> ByteBuffer {
        let json = try JSONBody.encoder.encode(change)
        var buffer = ByteBuffer(string: "event: readings\ndata: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }
}

/// Districts of sources (displays, then registered sensors), looked up once per stream, so scoped
/// users only hear the sources in their districts.
final class DistrictLookup: Sendable {
    private let store: any Storage
    private let known = Mutex<[String: String?]>([:])

    init(store: any Storage) {
        self.store = store
    }

    func visible(_ source: String, to p: Principal) async throws -> Bool {
        guard case .only = p.scope else { return true }
        if let district = known.withLock({ $0[source] }) { return district.map(p.scope.contains) ?? false }
        var district = try await store.display(id: source)?.district
        if district == nil { district = try await store.sensor(id: source)?.district }
        known.withLock { $0[source] = district }
        return district.map(p.scope.contains) ?? false
    }
}
