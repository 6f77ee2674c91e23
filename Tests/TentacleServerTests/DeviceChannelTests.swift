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

@Suite struct DeviceChannelTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func agentConnectsGetsScheduleAndFollowsApprovals() async throws {
        try await Fixture.with { fixture in
            try await fixture.addLayout("lay-default")
            try await fixture.store.setDefaultLayouts(
                DefaultLayouts(global: "lay-default"), audit: Fixture.event("defaults.set", "defaults", "global"))
            try await withLiveServer(fixture) { port in
                let events = AgentEvents()
                let (agent, task) = try startAgent(port: port, token: Fixture.deviceToken, id: "north-1", events: events, clock: fixture.clock)
                defer { task.cancel() }
                #expect(await eventually { await agent.isConnected })
                #expect(await eventually { await agent.scheduleVersion != nil })
                #expect(await eventually { await agent.playing == PlayKey(kind: .default, layoutId: "lay-default") })

                // Presence reaches the registry within the heartbeat's one-second flush.
                #expect(await eventually { (try? await fixture.store.display(id: "north-1"))??.status == .online })
                let seen = try await fixture.store.display(id: "north-1")?.lastSeen
                #expect(seen != nil)

                // A campaign approved over HTTP reaches the display without a reconnect.
                let before = await agent.scheduleVersion
                let client = LoopbackClient(port: port)
                try await client.createLayout("lay-pole")
                try await client.publish(Content.campaign("cmp-north"))
                #expect(await eventually { await agent.scheduleVersion != before })
                #expect(await eventually { await agent.playing?.campaignId == "cmp-north" })

                // A campaign for another district changes nothing on this display.
                let held = await agent.scheduleVersion
                try await client.publish(Content.campaign("cmp-south", target: #"{"districts": ["south"]}"#))
                try await Task.sleep(for: .milliseconds(300))
                #expect(await agent.scheduleVersion == held)
            }
        }
    }

    @Test func commandsReachTheDisplayAndScreenshotsComeBack() async throws {
        try await Fixture.with { fixture in
            try await fixture.addLayout("lay-default")
            try await fixture.store.setDefaultLayouts(
                DefaultLayouts(global: "lay-default"), audit: Fixture.event("defaults.set", "defaults", "global"))
            try await withLiveServer(fixture) { port in
                let client = LoopbackClient(port: port)
                // Offline displays cannot take commands.
                let offline = try await client.send("POST", "/v1/displays/north-1/commands", json: #"{"command": "reload"}"#)
                #expect(offline.status == 409)

                let events = AgentEvents()
                let (agent, task) = try startAgent(port: port, token: Fixture.deviceToken, id: "north-1", events: events, clock: fixture.clock)
                defer { task.cancel() }
                #expect(await eventually { await agent.isConnected })

                let bright = try await client.send("POST", "/v1/displays/north-1/commands", json: #"{"command": "brightness", "level": 40}"#)
                #expect(bright.status == 202, "\(bright.text)")
                #expect(await eventually { await agent.currentBrightness == 40 })

                for bad in [#"{"command": "brightness", "level": 101}"#, #"{"command": "brightness"}"#, #"{"command": "dance"}"#,
                            #"{"command": "reload", "level": 3}"#, #"{"command": "identify", "seconds": 0}"#] {
                    let response = try await client.send("POST", "/v1/displays/north-1/commands", json: bad)
                    #expect(response.status == 422 || response.status == 400, "\(bad): \(response.text)")
                }

                #expect(try await client.send("GET", "/v1/displays/north-1/screenshot.png").status == 404)
                let shot = try await client.send("POST", "/v1/displays/north-1/commands", json: #"{"command": "screenshot"}"#)
                #expect(shot.status == 202)
                #expect(await eventually { (try? await client.send("GET", "/v1/displays/north-1/screenshot.png"))?.status == 200 })
                let png = try await client.send("GET", "/v1/displays/north-1/screenshot.png")
                let frame = try PNG.decode(png.body)
                #expect(frame.width == 128 && frame.height == 64)

                let history = try await client.send("GET", "/v1/displays/north-1/commands")
                #expect(history.text.contains(#""state":"done""#), "\(history.text)")
                let audit = try await fixture.store.auditEntries(AuditQuery(action: "display.command", limit: 10))
                #expect(audit.count == 2)
            }
        }
    }

    @Test func badMessagesGetErrorsAndTooManyCloseWith1008() async throws {
        try await Fixture.with { fixture in
            try await withLiveServer(fixture) { port in
                let replies = Mutex<[String]>([])
                var config = WebSocketClientConfiguration()
                config.additionalHeaders[.authorization] = "Bearer \(Fixture.deviceToken)"
                let close = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/devices/channel", configuration: config, logger: Self.quiet) {
                    inbound, outbound, _ in
                    try await outbound.write(.text(#"{"v":1,"type":"pong","t":1}"#))  // before hello
                    try await outbound.write(.text("not json"))
                    try await outbound.write(.text(#"{"v":7,"type":"hello"}"#))
                    for _ in 0..<20 { try await outbound.write(.text(#"{"v":1,"type":"dance"}"#)) }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { replies.withLock { $0.append(text) } }
                    }
                }
                #expect(close?.closeCode == .policyViolation)
                let texts = replies.withLock { $0 }
                #expect(texts.count >= 10)
                #expect(texts[0].contains("say hello first"))
                #expect(texts[1].contains(#""code":"notJSON""#))
                #expect(texts[2].contains("unsupportedVersion"))
                #expect(texts[3].contains("unknown message type 'dance'"))
            }
            // Nothing about the display changed.
            #expect(try await fixture.store.display(id: "north-1")?.status == .offline)
        }
    }

    @Test func revokingTheTokenClosesTheChannel() async throws {
        try await Fixture.with { fixture in
            try await withLiveServer(fixture) { port in
                let events = AgentEvents()
                let (agent, task) = try startAgent(port: port, token: Fixture.deviceToken, id: "north-1", events: events, clock: fixture.clock)
                defer { task.cancel() }
                #expect(await eventually { await agent.isConnected })
                let revoked = try await LoopbackClient(port: port).send("DELETE", "/v1/displays/north-1/credentials")
                #expect(revoked.status == 204)
                #expect(await eventually { await !agent.isConnected })
                // The old token no longer opens the channel, so the agent stays out.
                try await Task.sleep(for: .milliseconds(500))
                #expect(await !agent.isConnected)
            }
        }
    }

    @Test func theChannelNeedsAValidTokenAndAnUpgrade() async throws {
        try await Fixture.with { fixture in
            try await withLiveServer(fixture) { port in
                for token in [nil, "tdv_wrong"] {
                    var config = WebSocketClientConfiguration()
                    if let token { config.additionalHeaders[.authorization] = "Bearer \(token)" }
                    await #expect(throws: (any Error).self) {
                        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/devices/channel", configuration: config, logger: Self.quiet) { _, _, _ in }
                    }
                }
                let client = LoopbackClient(port: port)
                let plain = try await client.send("GET", "/v1/devices/channel", token: Fixture.deviceToken)
                #expect(plain.status == 426)
                #expect(plain.text.contains("WebSocket"))
                #expect(try await client.send("GET", "/v1/devices/channel", token: nil).status == 401)

                // A refused upgrade is answered in the API's error format, naming what is wrong.
                let upgrade = ["Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="]
                let wrong = try await LoopbackRequest.send(port: port, "GET", "/v1/devices/channel", token: "tdv_wrong", headers: upgrade)
                #expect(wrong.status == 401)
                #expect(String(decoding: wrong.body, as: UTF8.self).contains("device token not recognised"))
                let missing = try await LoopbackRequest.send(port: port, "GET", "/v1/devices/channel", token: nil, headers: upgrade)
                #expect(missing.status == 401)
                #expect(String(decoding: missing.body, as: UTF8.self).contains("Bearer"))
                let elsewhere = try await LoopbackRequest.send(port: port, "GET", "/v1/displays", token: Fixture.deviceToken, headers: upgrade)
                #expect(elsewhere.status == 404)
                #expect(String(decoding: elsewhere.body, as: UTF8.self).contains("/v1/devices/channel"))
            }
        }
    }

    @Test func aDemoDisplayAtItsConfiguredFrameRateStaysOnlineAndOneBelowItsTargetIsDegraded() async throws {
        try await Fixture.with { fixture in
            try await withLiveServer(fixture) { port in
                // As the demo city runs them: 1 frame a second, by the wall clock.
                var configuration = AgentConfiguration(server: "http://127.0.0.1:\(port)", token: Fixture.deviceToken)
                configuration.fps = 1
                configuration.healthInterval = .seconds(2)
                configuration.playLogInterval = .seconds(3600)
                let events = AgentEvents()
                let agent = Agent(configuration: configuration, logger: Self.quiet, cache: try AgentCache(directory: nil), events: events.record("north-1"))
                let task = Task { _ = try? await agent.run() }
                defer { task.cancel() }
                // Two health reports settled, the second one over whole seconds of drawing after `welcome`.
                let online = await eventually(timeout: .seconds(20)) {
                    let settled = events.all("north-1").filter { if case .settled = $0 { true } else { false } }.count
                    guard settled >= 2 else { return false }
                    return (try? await fixture.store.display(id: "north-1"))??.status == .online
                }
                #expect(online)
                task.cancel()

                var config = WebSocketClientConfiguration()
                config.additionalHeaders[.authorization] = "Bearer \(Fixture.deviceToken)"
                let t = Reading.milliseconds(fixture.clock.now)
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/devices/channel", configuration: config, logger: Self.quiet) {
                    inbound, outbound, _ in
                    let messages: [AgentMessage] = [
                        .hello(.init(agent: "test", width: 128, height: 64, scheduleVersion: nil)),
                        .health(.init(seq: 9_000, at: t, fps: 12, brightness: 60, brightnessMode: "auto", panelTempC: 38, lux: nil, targetFps: 25)),
                    ]
                    for m in messages { try await outbound.write(.text(String(decoding: m.encoded(), as: UTF8.self))) }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message, case .received = try? ServerMessage.decode(Array(text.utf8)) else { continue }
                        #expect(await eventually { (try? await fixture.store.display(id: "north-1"))??.status == .degraded })
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                }
            }
        }
    }

    @Test func readingsHealthAndPlaysAreStoredOnceAndSettled() async throws {
        try await Fixture.with { fixture in
            try await withLiveServer(fixture) { port in
                let replies = Mutex<[ServerMessage]>([])
                var config = WebSocketClientConfiguration()
                config.additionalHeaders[.authorization] = "Bearer \(Fixture.deviceToken)"
                let t = Reading.milliseconds(fixture.clock.now)
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/v1/devices/channel", configuration: config, logger: Self.quiet) {
                    inbound, outbound, _ in
                    let messages: [AgentMessage] = [
                        .hello(.init(agent: "test", width: 128, height: 64, scheduleVersion: nil)),
                        .readings(.init(seq: 1, readings: [.init(metric: "lux", time: t, value: 500), .init(metric: "pm25", time: t, value: 9999)])),
                        .readings(.init(seq: 1, readings: [.init(metric: "lux", time: t, value: 500)])),
                        .health(.init(seq: 2, at: t, fps: 24.5, brightness: 60, brightnessMode: "auto", panelTempC: 38, lux: nil)),
                        .playLog(.init(seq: 3, plays: [.init(kind: "default", layoutId: "x", campaignId: nil, revision: nil, alertId: nil, start: t - 1000, end: t)])),
                        .playLog(.init(seq: 3, plays: [.init(kind: "default", layoutId: "x", campaignId: nil, revision: nil, alertId: nil, start: t - 1000, end: t)])),
                    ]
                    for m in messages { try await outbound.write(.text(String(decoding: m.encoded(), as: UTF8.self))) }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message, let m = try? ServerMessage.decode(Array(text.utf8)) else { continue }
                        let count = replies.withLock { $0.append(m); return $0.filter { if case .received = $0 { true } else { false } }.count }
                        if count == 5 { try await outbound.close(.normalClosure, reason: nil) }
                    }
                }
                let received = replies.withLock { $0 }.compactMap { if case .received(let r) = $0 { r } else { nil } }
                // Readings and plays are committed by separate writers, so only each kind keeps its order.
                let settled = received.map { "\($0.seq)\($0.duplicate ? "d" : "")" }.sorted()
                #expect(settled == ["1", "1d", "2", "3", "3d"])
                let first = received.first { $0.seq == 1 && !$0.duplicate }
                #expect(first?.refused == 1)
                #expect(first?.reason?.contains("pm25") == true)
                let latest = try await fixture.store.latest(LatestQuery(sources: ["north-1"]))
                #expect(Set(latest.map(\.reading.metric)) == ["lux", "fps", "brightness_pct", "panel_temp_c"])
                let plays = try await fixture.store.plays(displayId: "north-1", from: t - 10_000, to: t + 10_000, limit: 100)
                #expect(plays.count == 1)
            }
        }
    }
}
