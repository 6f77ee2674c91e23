import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Synchronization
import TentacleAgent
import TentacleBench
import TentacleCore
import TentacleRender
@testable import TentacleServer
import TentacleStore
import Testing

/// CAP documents for the alert tests.
enum CAPDocument {
    static let sender = "ops@tentacle.example"

    /// An alert (or Update) whose polygon spans the given longitudes over the whole test grid.
    static func alert(
        _ id: String, msgType: String = "Alert", status: String = "Actual", severity: String = "Severe", west: Double = 13.298,
        east: Double = 13.346, expires: String = "2026-01-01T01:00:00+00:00", references: String? = nil,
        languages: [(String, String)] = [("en-US", "Flood warning")]
    ) -> String {
        let polygon = "52.49,\(west) 52.61,\(west) 52.61,\(east) 52.49,\(east) 52.49,\(west)"
        let infos = languages.map { language, headline in
            """
              <info>
                <language>\(language)</language>
                <category>Met</category>
                <event>Flood</event>
                <urgency>Immediate</urgency>
                <severity>\(severity)</severity>
                <certainty>Observed</certainty>
                <expires>\(expires)</expires>
                <headline>\(headline)</headline>
                <instruction>Move to higher ground</instruction>
                <area><areaDesc>West bank</areaDesc><polygon>\(polygon)</polygon></area>
              </info>
            """
        }.joined(separator: "\n")
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
              <identifier>\(id)</identifier>
              <sender>\(sender)</sender>
              <sent>2026-01-01T00:00:00+00:00</sent>
              <status>\(status)</status>
              <msgType>\(msgType)</msgType>
              <scope>Public</scope>
            \(references.map { "  <references>\($0)</references>" } ?? "")
            \(infos)
            </alert>
            """
    }

    static func cancel(_ id: String, cancelling target: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>\(id)</identifier>
          <sender>\(sender)</sender>
          <sent>2026-01-01T00:05:00+00:00</sent>
          <status>Actual</status>
          <msgType>Cancel</msgType>
          <scope>Public</scope>
          <references>\(sender),\(target),2026-01-01T00:00:00+00:00</references>
        </alert>
        """
    }
}

extension LoopbackClient {
    func postAlert(_ xml: String, as role: Role = .alerter) async throws -> Reply {
        let reply = try await LoopbackRequest.send(
            port: port, "POST", "/v1/alerts", token: Fixture.token(for: role.rawValue), body: Array(xml.utf8), contentType: "application/cap+xml")
        return Reply(status: reply.status, body: reply.body)
    }

    func alertCounts(_ id: String) async throws -> [String: Int] {
        let reply = try await send("GET", "/v1/alerts/\(id)")
        struct Detail: Decodable { var counts: [String: Int] }
        return try JSONDecoder().decode(Detail.self, from: Data(reply.body)).counts
    }
}

/// Targeting reads the registry from memory; every change to it must show in the next alert.
struct AlertTargetingTests {
    @Test func theNextAlertSeesDisplaysMovedAddedAndDeleted() async throws {
        try await Fixture.with { fixture in
            try await fixture.test { api in
                func targeted(_ id: String) async throws -> String {
                    let xml = CAPDocument.alert(id, west: 13.38, east: 13.42)
                    let r = try await api.send(.post, "/v1/alerts", as: .role(.alerter), body: xml, contentType: "application/cap+xml")
                    #expect(r.status == .created, "\(r.text)")
                    return r.text
                }
                #expect(try await targeted("t-1").contains(#""targeted":3"#))
                let moved = try await api.send(.patch, "/v1/displays/north-2", json: #"{"lon": 13.2}"#)
                #expect(moved.status == .ok, "\(moved.text)")
                #expect(try await targeted("t-2").contains(#""targeted":2"#))
                try await fixture.addDisplay("east-1", district: "north", lat: 52.5, lon: 13.41)
                #expect(try await targeted("t-3").contains(#""targeted":3"#))
                #expect(try await api.send(.delete, "/v1/displays/south-1").status == .noContent)
                #expect(try await targeted("t-4").contains(#""targeted":2"#))
            }
        }
    }
}

extension HeavyServerTests {
@Suite struct AlertTests {
    @Test func postingNeedsTheAlerterRoleAndValidCAPAndStoresNothingOtherwise() async throws {
        try await Fixture.with { fixture in
            try await fixture.test { api in
                let good = CAPDocument.alert("a-1")
                for role in [Role.viewer, .publisher, .operator, .approver] {
                    let r = try await api.send(.post, "/v1/alerts", as: .role(role), body: good, contentType: "application/cap+xml")
                    #expect(r.status == .forbidden, "\(role)")
                }
                let wrongType = try await api.send(.post, "/v1/alerts", as: .role(.alerter), body: good, contentType: "text/plain")
                #expect(wrongType.status == .unsupportedMediaType)
                let bad: [(String, String)] = [
                    (#"<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&x;</alert>"#, "DOCTYPE"),
                    (good.replacingOccurrences(of: "<identifier>a-1</identifier>", with: ""), "identifier"),
                    (good.replacingOccurrences(of: " 52.49,13.298</polygon>", with: "</polygon>"), "polygon"),
                    (good.replacingOccurrences(of: "cap:1.2", with: "cap:1.1"), "1.1"),
                    (String(good.prefix(300)), "ends before"),
                ]
                for (xml, mentions) in bad {
                    let r = try await api.send(.post, "/v1/alerts", as: .role(.alerter), body: xml, contentType: "application/cap+xml")
                    #expect(r.status == .unprocessableContent, "\(r.text)")
                    #expect(r.text.contains(mentions), "\(r.text)")
                }
                #expect(try await fixture.store.alerts(limit: 10, scope: .all).isEmpty)

                let posted = try await api.send(.post, "/v1/alerts", as: .role(.alerter), body: good, contentType: "application/cap+xml")
                #expect(posted.status == .created, "\(posted.text)")
                let again = try await api.send(.post, "/v1/alerts", as: .role(.alerter), body: good, contentType: "application/cap+xml")
                #expect(again.status == .conflict)
                #expect(try await fixture.store.auditEntries(AuditQuery(action: "alert.post", limit: 10)).count == 1)
            }
        }
    }

    @Test func aThousandDisplaysExactlyTheOnesInTheAreaShowAndCancelClearsThem() async throws {
        try await Fixture.with { fixture in
            let grid = try await fixture.addGrid(1000)
            // Columns 0-11 of the 40-wide grid lie west of 13.346: 12 × 25 = 300 displays.
            let inside = Set(grid.enumerated().filter { $0.offset % 40 < 12 }.map(\.element.id))
            try await withLiveServer(fixture) { port in
                let events = AgentEvents()
                let agents = Mutex<[(Agent, Task<Void, Never>)]>([])
                defer { for (_, task) in agents.withLock({ $0 }) { task.cancel() } }
                for (id, token) in grid {
                    let started = try startAgent(port: port, token: token, id: id, events: events, clock: fixture.clock)
                    agents.withLock { $0.append(started) }
                }
                #expect(await eventually(timeout: .seconds(30)) { await AgentResilienceTests.connected(agents.withLock { $0.map(\.0) }) == 1000 })

                let client = LoopbackClient(port: port)
                let posted = try await client.postAlert(CAPDocument.alert("flood-1"))
                #expect(posted.status == 201, "\(posted.text)")
                #expect(posted.text.contains(#""targeted":300"#))
                #expect(await eventually { (try? await client.alertCounts("flood-1"))?["shown"] == 300 })
                let shown = events.displays { $0 == .alertShown("flood-1") }
                #expect(shown == inside)
                // Each display's hand-over was written with its acknowledgement: every time is there.
                #expect(await eventually {
                    let deliveries = (try? await fixture.store.deliveries(alertId: "flood-1")) ?? []
                    return deliveries.count == 300 && deliveries.allSatisfy { $0.state == .shown && $0.deliveredAt != nil && $0.shownAt != nil && $0.ackedAt != nil }
                })

                let cancelled = try await client.postAlert(CAPDocument.cancel("flood-1-cancel", cancelling: "flood-1"))
                #expect(cancelled.status == 201, "\(cancelled.text)")
                #expect(cancelled.text.contains(#""settled":["flood-1"]"#))
                #expect(await eventually { events.displays { $0 == .alertCleared("flood-1") } == inside })
                #expect(try await fixture.store.alert(id: "flood-1")?.state == .cancelled)
                // Nobody outside ever showed it.
                #expect(events.displays { $0 == .alertShown("flood-1") }.isDisjoint(with: Set(grid.map(\.id)).subtracting(inside)))
            }
        }
    }

    @Test func aDisplayThatNeverAcknowledgesIsRecordedAsDeliveredWithItsHandOverTime() async throws {
        try await Fixture.with { fixture in
            try await withLiveServer(fixture) { port in
                var config = WebSocketClientConfiguration()
                config.additionalHeaders[.authorization] = "Bearer \(Fixture.deviceToken)"
                let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/devices/channel", configuration: config, logger: quiet) {
                    inbound, outbound, _ in
                    let hello = AgentMessage.hello(.init(agent: "test", width: 128, height: 64, scheduleVersion: nil))
                    try await outbound.write(.text(String(decoding: hello.encoded(), as: UTF8.self)))
                    var posted = false
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message, let decoded = try? ServerMessage.decode(Array(text.utf8)) else { continue }
                        switch decoded {
                        case .welcome where !posted:
                            posted = true
                            let reply = try await LoopbackClient(port: port).postAlert(CAPDocument.alert("quiet-1", west: 13.39, east: 13.41))
                            #expect(reply.status == 201, "\(reply.text)")
                        case .alert(let notice):
                            // Drawn on no panel and never acknowledged: the hand-over is written on its own once held long enough.
                            #expect(notice.id == "quiet-1")
                            let handed = fixture.clock.now
                            #expect(await eventually {
                                let d = try? await fixture.store.deliveries(alertId: "quiet-1").first { $0.displayId == "north-1" }
                                guard let d, let at = d.deliveredAt else { return false }
                                return d.state == .delivered && abs(at.timeIntervalSince(handed)) < 0.001 && d.ackedAt == nil
                            })
                            try await outbound.close(.normalClosure, reason: nil)
                        default:
                            continue
                        }
                    }
                }
            }
        }
    }

    @Test func updatesReplaceTestMessagesReachOnlyTestDisplaysAndLateDisplaysCatchUp() async throws {
        try await Fixture.with { fixture in
            let grid = try await fixture.addGrid(4, tags: { $0 == 1 ? [AlertIntake.testTag] : [] })
            try await withLiveServer(fixture) { port in
                let client = LoopbackClient(port: port)
                // Posted before any display is connected: each gets it when it says hello.
                #expect(try await client.postAlert(CAPDocument.alert("storm-1", east: 13.5)).status == 201)
                let events = AgentEvents()
                var running: [(Agent, Task<Void, Never>)] = []
                for (id, token) in grid { running.append(try startAgent(port: port, token: token, id: id, events: events, clock: fixture.clock)) }
                defer { for (_, task) in running { task.cancel() } }
                #expect(await eventually { events.displays { $0 == .alertShown("storm-1") }.count == 4 })

                let update = CAPDocument.alert(
                    "storm-2", msgType: "Update", severity: "Extreme", east: 13.5,
                    references: "\(CAPDocument.sender),storm-1,2026-01-01T00:00:00+00:00", languages: [("en-US", "Storm"), ("zh-CN", "暴风雨")])
                let updated = try await client.postAlert(update)
                #expect(updated.text.contains(#""settled":["storm-1"]"#), "\(updated.text)")
                #expect(await eventually { events.displays { $0 == .alertShown("storm-2") }.count == 4 })
                #expect(await eventually { events.displays { $0 == .alertCleared("storm-1") }.count == 4 })
                #expect(try await fixture.store.alert(id: "storm-1")?.state == .replaced)

                // An exercise reaches only the display tagged for tests (once the real alert is gone).
                #expect(try await client.postAlert(CAPDocument.cancel("storm-2-cancel", cancelling: "storm-2")).status == 201)
                let test = try await client.postAlert(CAPDocument.alert("drill-1", status: "Exercise", east: 13.5))
                #expect(test.text.contains(#""targeted":1"#), "\(test.text)")
                #expect(await eventually { events.displays { $0 == .alertShown("drill-1") } == ["grid-0001"] })
            }
        }
    }

    @Test func anExpiredAlertClearsOnADisplayCutOffFromTheServer() async throws {
        try await Fixture.with { fixture in
            let grid = try await fixture.addGrid(1)
            let events = AgentEvents()
            let agent = Mutex<(Agent, Task<Void, Never>)?>(nil)
            try await withLiveServer(fixture) { port in
                let started = try startAgent(port: port, token: grid[0].token, id: grid[0].id, events: events, clock: fixture.clock)
                agent.withLock { $0 = started }
                #expect(await eventually { await started.0.isConnected })
                #expect(try await LoopbackClient(port: port).postAlert(CAPDocument.alert("heat-1", expires: "2026-01-01T00:10:00+00:00")).status == 201)
                #expect(await eventually { await started.0.playing?.kind == .alert })
                // The server's view of the panel agrees: what it plays now, and the preview frame.
                let client = LoopbackClient(port: port)
                let now = try await client.send("GET", "/v1/displays/\(grid[0].id)/now")
                #expect(now.text.contains(#""alertId":"heat-1""#) || now.text.contains(#""id":"heat-1""#), "\(now.text)")
                let preview = try PNG.decode(try await client.send("GET", "/v1/displays/\(grid[0].id)/preview.png").body)
                #expect(preview.pixel(x: 0, y: 0) == .red || preview.pixel(x: 0, y: 0) == .black)
                #expect(preview.bytes.contains { $0 != 0 })
            }
            let (display, task) = try #require(agent.withLock { $0 })
            defer { task.cancel() }
            #expect(await eventually { await !display.isConnected })
            #expect(await display.playing?.kind == .alert)
            fixture.clock.advance(by: 11 * 60)
            #expect(await eventually { await display.playing?.kind != .alert })
            #expect(events.all(grid[0].id).contains(.alertCleared("heat-1")))
        }
    }
}
}
