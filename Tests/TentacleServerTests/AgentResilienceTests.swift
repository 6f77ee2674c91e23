import Foundation
import Logging
import Synchronization
import TentacleAgent
import TentacleCore
@testable import TentacleServer
import TentacleStore
import Testing

/// The agent without its server: offline play from the cache, proof of play delivered once when
/// the server returns, and a city's worth of displays coming back after a server restart.
extension HeavyServerTests {
@Suite struct AgentResilienceTests {
    @Test func agentPlaysTheCachedScheduleOfflineAndDeliversProofOfPlayOnce() async throws {
        try await Fixture.with { fixture in
            let cache = fixture.folder.appendingPathComponent("agent-cache")
            let events = AgentEvents()
            let port = Mutex(0)
            let first = Mutex<(Agent, Task<Void, Never>)?>(nil)
            @Sendable func configure(_ c: inout AgentConfiguration) { c.playLogInterval = .milliseconds(200) }

            try await withLiveServer(fixture) { p in
                port.withLock { $0 = p }
                let client = LoopbackClient(port: p)
                try await client.createLayout("lay-a")
                try await client.createLayout("lay-b")
                try await client.publish(Content.campaign("cmp-always", playlist: [("lay-a", 10)]))
                // 02:00-03:00 in Berlin is 01:00-02:00 UTC on the fixture's day, an hour after its clock starts.
                try await client.publish(Content.campaign(
                    "cmp-night", playlist: [("lay-b", 10)], priority: 200, schedule: #"{"windows": [{"start": "02:00", "end": "03:00"}]}"#))
                let started = try startAgent(
                    port: p, token: Fixture.deviceToken, id: "north-1", events: events, clock: fixture.clock, cacheDirectory: cache,
                    configure: configure)
                first.withLock { $0 = started }
                #expect(await eventually { await started.0.playing?.campaignId == "cmp-always" })
                // The server stops only once the agent holds the schedule with both campaigns (a
                // first schedule may be one from before the second approval).
                #expect(await eventually { started.0.cache.schedule?.campaigns.contains { $0.campaign.id == "cmp-night" } == true })
            }
            let (agent, task) = try #require(first.withLock { $0 })

            // The server is gone; the agent keeps playing and switches at the scheduled instant.
            #expect(await eventually { await !agent.isConnected })
            #expect(await agent.playing?.campaignId == "cmp-always")
            fixture.clock.advance(by: 3600)
            #expect(await eventually { await agent.playing?.campaignId == "cmp-night" })
            fixture.clock.advance(by: 600)
            #expect(await eventually { agent.cache.pending.count >= 1 })

            // A restart while offline plays from the disk cache at once.
            task.cancel()
            await task.value
            let (second, secondTask) = try startAgent(
                port: port.withLock { $0 }, token: Fixture.deviceToken, id: "north-1", events: events, clock: fixture.clock,
                cacheDirectory: cache, configure: configure)
            defer { secondTask.cancel() }
            #expect(await eventually { await second.playing?.campaignId == "cmp-night" })
            let buffered = second.cache.pending.count
            #expect(buffered >= 1)

            // The server comes back on the same address; everything buffered is settled.
            try await withLiveServer(fixture, port: port.withLock { $0 }) { _ in
                #expect(await eventually { await second.isConnected })
                #expect(await eventually { second.cache.pending.isEmpty })
            }

            let plays = try await fixture.store.plays(
                displayId: "north-1", from: Reading.milliseconds(Fixture.start) - 60_000,
                to: Reading.milliseconds(fixture.clock.now) + 60_000, limit: 1000)
            let keys = plays.map { "\($0.kind) \($0.campaignId ?? "-") \($0.start)" }
            #expect(Set(keys).count == keys.count, "a play was stored twice: \(keys)")
            #expect(plays.contains { $0.campaignId == "cmp-always" && $0.end - $0.start >= 3_600_000 })
            #expect(plays.contains { $0.campaignId == "cmp-night" && $0.start == Reading.milliseconds(Fixture.start) + 3_600_000 })
        }
    }

    /// Sequence numbers of the batches the server settled for `id`, in order.
    /// Two nodes on one store and an agent given three servers, the first of which is down: it
    /// connects to the second; when that node stops, it is back on the third within seconds.
    @Test func anAgentFailsOverToTheNextServerWhenItsNodeGoesAway() async throws {
        try await Fixture.with { fixture in
            let events = AgentEvents()
            let agent = Mutex<(Agent, Task<Void, Never>)?>(nil)
            defer { agent.withLock { $0?.1.cancel() } }
            try await withLiveServer(fixture) { a in
                try await withLiveServer(fixture) { b in
                    let started = try startAgent(port: b, token: Fixture.deviceToken, id: "north-1", events: events, clock: fixture.clock) { c in
                        // Port 1 on loopback refuses at once: a node that is down.
                        c.server = "http://127.0.0.1:1"
                        c.fallbackServers = ["http://127.0.0.1:\(b)", "http://127.0.0.1:\(a)"]
                    }
                    agent.withLock { $0 = started }
                    #expect(await eventually { await started.0.isConnected }, "past the node that is down to the second")
                }
                // Node B has stopped; the agent goes on to node A.
                let (running, _) = try #require(agent.withLock { $0 })
                #expect(await eventually { await !running.isConnected })
                #expect(await eventually { await running.isConnected }, "on the third server after the second went away")
                let client = LoopbackClient(port: a)
                try await client.createLayout("lay-a")
                try await client.publish(Content.campaign("cmp-after-failover", playlist: [("lay-a", 10)]))
                #expect(await eventually { await running.playing?.campaignId == "cmp-after-failover" }, "node A drives it now")
            }
        }
    }

    static func settled(_ events: AgentEvents, _ id: String) -> [Int64] {
        events.all(id).compactMap { if case .settled(let seq) = $0 { seq } else { nil } }
    }

    static func healthStored(_ fixture: Fixture) async throws -> Int {
        try await fixture.store.rawReadings(source: "north-1", metric: "brightness_pct", from: 0, to: .max, after: nil, limit: 10_000).readings.count
    }

    @Test func anAgentWhoseCacheWasWipedHasItsNewReportsStored() async throws {
        try await Fixture.with { fixture in
            let cache = fixture.folder.appendingPathComponent("agent-cache")
            @Sendable func configure(_ c: inout AgentConfiguration) { c.healthInterval = .milliseconds(150) }
            try await withLiveServer(fixture) { port in
                let events = AgentEvents()
                let (first, task) = try startAgent(
                    port: port, token: Fixture.deviceToken, id: "first", events: events, clock: fixture.clock, cacheDirectory: cache,
                    configure: configure)
                #expect(await eventually { Self.settled(events, "first").count >= 3 })
                task.cancel()
                await task.value
                let stored = try await Self.healthStored(fixture)
                #expect(stored >= 3)

                // The cache is gone: the new agent counts from 0 again, in an epoch of its own.
                try FileManager.default.removeItem(at: cache)
                let (second, again) = try startAgent(
                    port: port, token: Fixture.deviceToken, id: "second", events: events, clock: fixture.clock, cacheDirectory: cache,
                    configure: configure)
                #expect(second.cache.epoch != first.cache.epoch)
                #expect(await eventually { Self.settled(events, "second").count >= 3 })
                again.cancel()
                await again.value
                let settled = Self.settled(events, "second")
                #expect(settled.prefix(3) == [0, 1, 2])
                // Every report the new agent had settled is stored, none taken for an old one of the same number.
                #expect(try await Self.healthStored(fixture) >= stored + settled.count)
                #expect(try await fixture.store.lastSequence(displayId: "north-1", epoch: second.cache.epoch) != nil)
            }
        }
    }

    @Test func anAgentWhoseCounterWentBackMovesPastWhatTheServerStored() async throws {
        try await Fixture.with { fixture in
            let cache = fixture.folder.appendingPathComponent("agent-cache")
            @Sendable func configure(_ c: inout AgentConfiguration) { c.healthInterval = .milliseconds(150) }
            try await withLiveServer(fixture) { port in
                let events = AgentEvents()
                let (first, task) = try startAgent(
                    port: port, token: Fixture.deviceToken, id: "first", events: events, clock: fixture.clock, cacheDirectory: cache,
                    configure: configure)
                #expect(await eventually { Self.settled(events, "first").count >= 4 })
                task.cancel()
                await task.value
                let epoch = first.cache.epoch
                let last = try #require(try await fixture.store.lastSequence(displayId: "north-1", epoch: epoch))

                // The cache comes back from an old copy: same epoch, counter at 0, nothing pending.
                try Data("0 \(epoch)\n".utf8).write(to: cache.appendingPathComponent("sequence"))
                for name in try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("outbox").path) {
                    try FileManager.default.removeItem(at: cache.appendingPathComponent("outbox/\(name)"))
                }
                let (second, again) = try startAgent(
                    port: port, token: Fixture.deviceToken, id: "second", events: events, clock: fixture.clock, cacheDirectory: cache,
                    configure: configure)
                defer { again.cancel() }
                #expect(second.cache.epoch == epoch)
                #expect(await eventually { Self.settled(events, "second").count >= 4 })
                // Only a report numbered before `welcome` arrived can fall on a stored number.
                let reused = Self.settled(events, "second").filter { $0 <= last }
                #expect(reused.count <= 1, "batches numbered \(reused) were taken for stored ones (last stored \(last))")
            }
        }
    }

    @Test func aThousandDisplaysAreBackWithinTenSecondsOfARestart() async throws {
        let count = 1000
        try await Fixture.with { fixture in
            let tokens = try await fixture.addGrid(count)
            let events = AgentEvents()
            let agents = Mutex<[(Agent, Task<Void, Never>)]>([])
            defer { for (_, task) in agents.withLock({ $0 }) { task.cancel() } }
            let port = Mutex(0)
            try await withLiveServer(fixture) { p in
                port.withLock { $0 = p }
                for (id, token) in tokens {
                    let started = try startAgent(port: p, token: token, id: id, events: events, clock: fixture.clock) { c in
                        c.initialBackoff = .milliseconds(500)
                        c.maximumBackoff = .seconds(5)
                        c.seed = UInt64(agents.withLock { $0.count } + 1)
                    }
                    agents.withLock { $0.append(started) }
                }
                #expect(await eventually(timeout: .seconds(30)) { await Self.connected(agents.withLock { $0.map(\.0) }) == count })
            }
            #expect(await eventually { await Self.connected(agents.withLock { $0.map(\.0) }) == 0 })

            let restart = ContinuousClock.now
            try await withLiveServer(fixture, port: port.withLock { $0 }) { _ in
                let back = await eventually(timeout: .seconds(10)) { await Self.connected(agents.withLock { $0.map(\.0) }) == count }
                let elapsed = ContinuousClock.now - restart
                let connected = await Self.connected(agents.withLock { $0.map(\.0) })
                #expect(back, "only \(connected) of \(count) back after \(elapsed)")
            }
        }
    }

    static func connected(_ agents: [Agent]) async -> Int {
        var n = 0
        for agent in agents where await agent.isConnected { n += 1 }
        return n
    }
}
}
