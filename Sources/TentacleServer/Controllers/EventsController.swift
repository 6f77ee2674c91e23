import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import TentacleCore
import Synchronization
import TentacleStore

/// Server-Sent Events: live changes for dashboards and integrations.
///
/// `GET /v1/events?topics=readings` sends the latest value of every visible series first, then one
/// `readings` event per source each time a batch is stored. The dashboard topics `displays`,
/// `alerts` and `campaigns` send one event per display, alert or campaign whose state changed since
/// the stream opened, checked every second (`DashboardWatch`). `limit=N` closes the stream after N
/// change events (0: the snapshot only), for scripts that want one look.
struct EventsController {
    let env: ServerEnvironment

    static let topics: Set<String> = ["readings", "displays", "alerts", "campaigns"]
    static let keepAlive = Duration.seconds(15)

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
            let subscription = asked.contains("readings") ? env.live.subscribe() : nil
            let districts = DistrictLookup(store: store)
            let watch = DashboardWatch(env: env, principal: p, topics: asked, districts: districts)
            try await watch.start()
            let metrics = env.metrics
            let body = ResponseBody { writer in
                // Counted once the body runs: whatever changes from here on reaches this stream.
                metrics.eventStreamOpened()
                defer {
                    metrics.eventStreamClosed()
                    subscription?.cancel()
                }
                for change in subscription?.snapshot ?? [] where try await districts.visible(change.source, to: p) {
                    try await writer.write(Self.frame("readings", change))
                }
                guard limit != 0 else { return try await writer.finish(nil) }
                // A comment sends the head at once, so the client knows the stream is open (and that
                // every later change reaches it) without waiting for the first change.
                try await writer.write(ByteBuffer(string: ": open\n\n"))
                let (frames, sink) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(LiveReadings.bufferPerSubscriber))
                // A server shutting down ends open streams (browsers reconnect to the next server), and a
                // comment every 15 s finds connections whose client has gone without a word.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await gracefulShutdown()
                        sink.finish()
                    }
                    group.addTask {
                        while !Task.isCancelled {
                            try await Task.sleep(for: Self.keepAlive)
                            sink.yield(ByteBuffer(string: ":\n\n"))
                        }
                    }
                    if let subscription {
                        group.addTask {
                            for await change in subscription.changes where try await districts.visible(change.source, to: p) {
                                sink.yield(try Self.frame("readings", change))
                            }
                        }
                    }
                    if watch.isWatching {
                        group.addTask {
                            while !Task.isCancelled {
                                try await Task.sleep(for: DashboardWatch.interval)
                                for frame in try await watch.changes() { sink.yield(frame) }
                            }
                        }
                    }
                    var sent = 0
                    for await frame in frames {
                        try await writer.write(frame)
                        if frame.readableBytesView.first == UInt8(ascii: ":") { continue }
                        sent += 1
                        if let limit, sent >= limit { break }
                    }
                    group.cancelAll()
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
        }
    }

    static func frame(_ event: String, _ value: some Encodable) throws -> ByteBuffer {
        let json = try JSONBody.encoder.encode(value)
        var buffer = ByteBuffer(string: "event: \(event)\ndata: ")
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
