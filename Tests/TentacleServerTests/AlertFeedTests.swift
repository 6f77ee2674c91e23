import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import TentacleCAP
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

/// A warning agency on loopback: feeds and CAP documents it serves, changed by the test, with
/// ETags, a feed that never answers in time and one that fails.
final class Agency: Sendable {
    struct State {
        var files: [String: String] = [:]
        var etags: [String: String] = [:]
        var hits: [String: Int] = [:]
        var notModified = 0
    }

    let state = Mutex(State())

    func serve(_ path: String, _ body: String) {
        state.withLock { s in
            s.files[path] = body
            s.etags[path] = "\"\(path.hashValue)-\(body.utf8.count)\""
        }
    }

    func hits(_ path: String) -> Int { state.withLock { $0.hits[path] ?? 0 } }
    var notModified: Int { state.withLock { $0.notModified } }

    /// Runs the agency until `body` returns; `body` gets its base URL.
    func run(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.get("slow.xml") { _, _ -> Response in
            try await Task.sleep(for: .seconds(4))
            return Response(status: .ok)
        }
        router.get("broken.xml") { _, _ -> Response in Response(status: .internalServerError) }
        router.get("**") { request, _ -> Response in
            let path = request.uri.path
            let (file, etag) = self.state.withLock { s -> (String?, String?) in
                s.hits[path, default: 0] += 1
                return (s.files[path], s.etags[path])
            }
            guard let file, let etag else { return Response(status: .notFound) }
            if request.headers[.ifNoneMatch] == etag {
                self.state.withLock { $0.notModified += 1 }
                return Response(status: .notModified, headers: [.eTag: etag])
            }
            let type = path.hasSuffix(".atom") ? "application/atom+xml" : path.hasSuffix(".rss") ? "application/rss+xml" : "application/cap+xml"
            return Response(status: .ok, headers: [.contentType: type, .eTag: etag], body: .init(byteBuffer: ByteBuffer(string: file)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0); continuation.finish() },
            logger: Logger(label: "agency", factory: { _ in SwiftLogNoOpLogHandler() }))
        let server = Task { try await app.runService() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw FeedFetchError(description: "the agency did not start") }
        defer { server.cancel() }
        try await body("http://127.0.0.1:\(port)")
    }

    static func atom(_ entries: [(id: String, link: String)]) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
          <id>urn:example:warnings</id><title>Warnings</title><updated>2026-01-01T00:00:00Z</updated>
        \(entries.map { """
          <entry>
            <id>\($0.id)</id><title>Warning \($0.id)</title><updated>2026-01-01T00:00:00Z</updated>
            <link rel="alternate" type="text/html" href="/html/\($0.id)"/>
            <link rel="related" type="application/cap+xml" href="\($0.link)"/>
            <cap:event>Flood</cap:event>
          </entry>
        """ }.joined(separator: "\n"))
        </feed>
        """
    }

    static func rss(_ items: [(guid: String, link: String)]) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0"><channel><title>Alerts</title><link>http://example.org/</link><description>CAP</description>
        \(items.map { "<item><title>Alert \($0.guid)</title><link>\($0.link)</link><guid isPermaLink=\"false\">\($0.guid)</guid></item>" }.joined(separator: "\n"))
        </channel></rss>
        """
    }
}

@Suite("Alert feeds")
struct AlertFeedTests {
    struct Feed: Decodable {
        struct Health: Decodable {
            var state: String
            var lastError: String?
            var consecutiveFailures: Int
            var alertsTaken: Int
        }
        var id: String
        var health: Health
    }

    struct Polled: Decodable {
        var feed: Feed
        var taken: [String]
        var skipped: [String]
    }

    /// Adds a feed the poller service leaves alone (disabled), so the test polls it when it wants.
    static func add(_ api: API, id: String, url: String, kind: String, filters: String = "{}") async throws -> Feed {
        let response = try await api.send(
            .post, "/v1/alert-feeds", as: .role(.alerter),
            json: #"{"id": "\#(id)", "name": "\#(id)", "url": "\#(url)", "kind": "\#(kind)", "intervalSeconds": 60, "enabled": false, "filters": \#(filters)}"#)
        try #require(response.status == .created, "\(response.text)")
        return try response.decode(Feed.self)
    }

    static func poll(_ api: API, _ id: String) async throws -> Polled {
        let response = try await api.send(.post, "/v1/alert-feeds/\(id)/poll", as: .role(.alerter))
        try #require(response.status == .ok, "\(response.text)")
        return try response.decode(Polled.self)
    }

    @Test(.timeLimit(.minutes(1)))
    func atomAndRssFeedsPutEachAlertOnTheRightDisplaysOnceAndHonourCancels() async throws {
        let agency = Agency()
        try await Fixture.with { fx in
            try await fx.addDisplay("east-1", district: "east", lat: 52.55, lon: 13.6)
            try await agency.run { base in
                agency.serve("/cap/flood.xml", CAPDocument.alert("flood-1", west: 13.39, east: 13.41))
                agency.serve("/cap/drill.xml", CAPDocument.alert("drill-1", status: "Exercise", west: 13.39, east: 13.41))
                agency.serve("/cap/storm.xml", CAPDocument.alert("storm-1", west: 13.59, east: 13.61))
                agency.serve("/warnings.atom", Agency.atom([("urn:flood-1", "/cap/flood.xml"), ("urn:drill-1", "\(base)/cap/drill.xml")]))
                agency.serve("/alerts.rss", Agency.rss([("storm-1", "\(base)/cap/storm.xml")]))
                try await fx.test { api in
                    _ = try await Self.add(api, id: "national", url: "\(base)/warnings.atom", kind: "atom")
                    _ = try await Self.add(api, id: "regional", url: "\(base)/alerts.rss", kind: "rss")

                    let first = try await Self.poll(api, "national")
                    #expect(first.feed.health.state == "ok", "\(first)")
                    #expect(Set(first.taken) == ["flood-1", "drill-1"], "\(first)")
                    let regional = try await Self.poll(api, "regional")
                    #expect(regional.taken == ["storm-1"], "\(regional)")

                    let flood = try #require(try await fx.store.alert(id: "flood-1"))
                    #expect(flood.state == .active && flood.targeted == 3, "the three displays under the polygon")
                    #expect(flood.postedBy == "feed:national")
                    let storm = try #require(try await fx.store.alert(id: "storm-1"))
                    let stormDisplays = Set(try await fx.store.deliveries(alertId: "storm-1").map(\.displayId))
                    #expect(storm.targeted == 1 && stormDisplays == ["east-1"])
                    let drill = try #require(try await fx.store.alert(id: "drill-1"))
                    #expect(drill.targeted == 0 && drill.state == .silent, "an exercise reaches only displays tagged alert-test, and there are none")

                    // Polled again: the feed answers 304 and nothing is fetched or stored twice.
                    let again = try await Self.poll(api, "national")
                    #expect(again.taken.isEmpty && again.feed.health.state == "ok")
                    #expect(agency.notModified == 1)
                    #expect(agency.hits("/cap/flood.xml") == 1)

                    // The feed changes: a new entry cancels the flood warning.
                    agency.serve("/cap/flood-cancel.xml", CAPDocument.cancel("flood-1-cancel", cancelling: "flood-1"))
                    agency.serve("/warnings.atom", Agency.atom([("urn:flood-1", "/cap/flood.xml"), ("urn:drill-1", "\(base)/cap/drill.xml"), ("urn:flood-1-cancel", "/cap/flood-cancel.xml")]))
                    let cancelled = try await Self.poll(api, "national")
                    #expect(cancelled.taken == ["flood-1-cancel"], "\(cancelled)")
                    #expect(try await fx.store.alert(id: "flood-1")?.state == .cancelled)
                    #expect(agency.hits("/cap/flood.xml") == 1, "each linked document is fetched once")

                    // A second feed listing the same alert stores nothing again.
                    agency.serve("/mirror.rss", Agency.rss([("mirror-flood", "\(base)/cap/flood.xml")]))
                    _ = try await Self.add(api, id: "mirror", url: "\(base)/mirror.rss", kind: "rss")
                    #expect(try await Self.poll(api, "mirror").taken.isEmpty)

                    let audit = try await fx.store.auditEntries(AuditQuery(action: "alert.post", limit: 10))
                    #expect(Set(audit.map(\.actor)) == ["feed:national", "feed:regional"])
                    let list = try await api.send(.get, "/v1/alert-feeds", as: .role(.viewer))
                    #expect(list.status == .ok && list.text.contains(#""alertsTaken":3"#), "\(list.text)")
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func filtersTakeOnlyTheAlertsAFeedIsFollowedFor() async throws {
        let agency = Agency()
        try await Fixture.with { fx in
            try await agency.run { base in
                agency.serve("/cap/minor.xml", CAPDocument.alert("minor-1", severity: "Minor", west: 13.39, east: 13.41))
                agency.serve("/cap/severe.xml", CAPDocument.alert("severe-1", severity: "Severe", west: 13.39, east: 13.41))
                agency.serve("/w.atom", Agency.atom([("a", "/cap/minor.xml"), ("b", "/cap/severe.xml")]))
                try await fx.test { api in
                    _ = try await Self.add(api, id: "severe-only", url: "\(base)/w.atom", kind: "atom", filters: #"{"severities": ["Severe", "Extreme"], "districts": ["north"]}"#)
                    let polled = try await Self.poll(api, "severe-only")
                    #expect(polled.taken == ["severe-1"], "\(polled)")
                    #expect(polled.skipped.contains { $0.contains("severity") }, "\(polled.skipped)")
                    #expect(try await fx.store.alert(id: "minor-1") == nil)
                    let severe = try #require(try await fx.store.alert(id: "severe-1"))
                    #expect(severe.targeted == 2, "the district filter keeps south-1 out: \(severe.targeted)")
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aFeedThatTimesOutOrFailsDoesNotHoldUpTheOthers() async throws {
        let agency = Agency()
        try await Fixture.with(configure: { $0.feedTimeoutSeconds = 1 }) { fx in
            try await agency.run { base in
                agency.serve("/cap/flood.xml", CAPDocument.alert("flood-live", west: 13.39, east: 13.41))
                agency.serve("/good.atom", Agency.atom([("flood-live", "/cap/flood.xml")]))
                try await withLiveServer(fx) { port in
                    let client = LoopbackClient(port: port)
                    for (id, path) in [("slow", "/slow.xml"), ("broken", "/broken.xml"), ("good", "/good.atom")] {
                        let created = try await client.as_(
                            .alerter, "POST", "/v1/alert-feeds", json: #"{"id": "\#(id)", "name": "\#(id)", "url": "\#(base)\#(path)", "kind": "atom", "intervalSeconds": 60}"#)
                        #expect(created.status == 201, "\(created.text)")
                    }
                    // The poller service finds the new feeds by itself.
                    #expect(await eventually(timeout: .seconds(20)) { (try? await fx.store.alert(id: "flood-live")) != nil })
                    #expect(await eventually(timeout: .seconds(20)) {
                        let feeds = (try? await fx.store.feeds()) ?? []
                        return feeds.filter { $0.health.state == .failing }.count == 2
                    })
                    let feeds = Dictionary(uniqueKeysWithValues: try await fx.store.feeds().map { ($0.id, $0) })
                    #expect(feeds["good"]?.health.state == .ok)
                    #expect(feeds["slow"]?.health.lastError?.contains("within 1 s") == true, "\(feeds["slow"]?.health.lastError ?? "")")
                    #expect(feeds["broken"]?.health.lastError?.contains("HTTP 500") == true)
                    #expect(feeds["broken"]?.health.consecutiveFailures == 1)
                    let next = try #require(feeds["broken"]?.health.nextPollAt)
                    #expect(next.timeIntervalSince(Fixture.start) == 120, "backs off: twice the interval after one failure")
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func twoPollsOfOneFeedAtOnceFetchEachDocumentOnce() async throws {
        let agency = Agency()
        try await Fixture.with { fx in
            try await agency.run { base in
                agency.serve("/cap/flood.xml", CAPDocument.alert("flood-once", west: 13.39, east: 13.41))
                agency.serve("/w.atom", Agency.atom([("flood-once", "/cap/flood.xml")]))
                try await fx.test { api in
                    _ = try await Self.add(api, id: "twice", url: "\(base)/w.atom", kind: "atom")
                    async let first = Self.poll(api, "twice")
                    async let second = Self.poll(api, "twice")
                    let taken = try await first.taken + second.taken
                    #expect(taken == ["flood-once"])
                    #expect(agency.hits("/cap/flood.xml") == 1)
                    #expect(agency.notModified == 1, "the second poll starts from what the first stored")
                }
            }
        }
    }

    @Test func feedSettingsAreCheckedFieldByField() async throws {
        try await Fixture.with { fx in
            try await fx.test { api in
                let cases: [(String, String)] = [
                    (#"{"url": "file:///etc/passwd", "kind": "atom"}"#, "url"),
                    (#"{"url": "http://example.org/w.atom", "kind": "html"}"#, "kind"),
                    (#"{"url": "http://example.org/w.atom", "kind": "atom", "intervalSeconds": 1}"#, "intervalSeconds"),
                    (#"{"url": "http://example.org/w.atom", "kind": "atom", "filters": {"severities": ["Loud"]}}"#, "filters.severities[0]"),
                    (#"{"url": "http://example.org/w.atom", "kind": "atom", "filters": {"districts": ["atlantis"]}}"#, "filters.districts[0]"),
                    (#"{"kind": "atom"}"#, "url"),
                ]
                for (body, field) in cases {
                    let response = try await api.send(.post, "/v1/alert-feeds", as: .role(.alerter), json: body)
                    #expect(response.status == .unprocessableContent, "\(body): \(response.text)")
                    #expect(try response.decode(ErrorBody.self).error.field == field, "\(body): \(response.text)")
                }
                let typo = try await api.send(.post, "/v1/alert-feeds", as: .role(.alerter), json: #"{"url": "http://example.org/w.atom", "kind": "atom", "filters": {"severity": ["Severe"]}}"#)
                #expect(typo.status == .badRequest, "\(typo.text)")
                #expect(try await api.send(.post, "/v1/alert-feeds", as: .role(.publisher), json: #"{"url": "http://example.org/w.atom", "kind": "atom"}"#).status == .forbidden)
                #expect(try await fx.store.feeds().isEmpty)
            }
        }
    }
}

@Suite("Feed documents")
struct AlertFeedDocumentTests {
    @Test func atomEntriesLinkToTheirCAPDocumentsFirst() throws {
        let base = URL(string: "https://alerts.example.org/feeds/")!
        let doc = try AlertFeedDocument.parse(Array(Agency.atom([("urn:a", "/cap/a.xml"), ("urn:b", "b.xml")]).utf8), base: base)
        #expect(doc.kind == .atom)
        #expect(doc.entries.map(\.id) == ["urn:a", "urn:b"])
        #expect(doc.entries[0].capLinks.first == "https://alerts.example.org/cap/a.xml")
        #expect(doc.entries[1].capLinks.first == "https://alerts.example.org/feeds/b.xml", "relative links resolve against the feed")
    }

    @Test func rssItemsUseTheirLinkAndGuid() throws {
        let doc = try AlertFeedDocument.parse(Array(Agency.rss([("g-1", "http://x.example/1.xml"), ("http://x.example/2.xml", "javascript:alert(1)")]).utf8))
        #expect(doc.kind == .rss)
        #expect(doc.entries[0].capLinks == ["http://x.example/1.xml"])
        #expect(doc.entries[1].capLinks == ["http://x.example/2.xml"], "only http and https links; a guid that is an address counts")
    }

    @Test func aCAPDocumentIsRecognisedAsItself() throws {
        #expect(try AlertFeedDocument.parse(Array(CAPDocument.alert("x").utf8)).kind == .cap)
    }

    @Test(arguments: [
        ("<!DOCTYPE feed [<!ENTITY x 'boom'>]><feed xmlns=\"http://www.w3.org/2005/Atom\">&x;</feed>", "forbiddenDeclaration"),
        ("<html><body>not a feed</body></html>", "wrongNamespace"),
        ("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>a</id>", "truncated"),
        ("", "malformed"),
    ])
    func untrustedDocumentsAreRefusedWithAReason(_ text: String, kind: String) {
        #expect(throws: CAPError.self) { try AlertFeedDocument.parse(Array(text.utf8)) }
        do {
            _ = try AlertFeedDocument.parse(Array(text.utf8))
        } catch {
            #expect(error.kind.description == kind, "\(error)")
        }
    }

    @Test func aFeedOverTheSizeLimitIsRefusedBeforeParsing() {
        let huge = Agency.atom((0..<40).map { ("urn:\($0)", "/\($0).xml") })
        #expect(throws: CAPError.self) {
            try AlertFeedDocument.parse(Array(huge.utf8), limits: CAPLimits(maxBytes: 1000))
        }
    }
}
