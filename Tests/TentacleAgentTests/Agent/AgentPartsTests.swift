import Foundation
import TentacleAgent
import TentacleCore
import TentacleRender
import Testing

/// The agent's pure and local parts: deciding what plays, the disk cache, its configuration.
@Suite struct PlayerTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z, 01:00 in Berlin
    static let display = Display(
        id: "d-1", name: "D", width: 64, height: 32, lat: 52.5, lon: 13.4, district: "north", groups: ["bus-stops"], tags: [],
        timezone: "Europe/Berlin", createdAt: start, updatedAt: start)
    static let layout = #"{"version": 1, "width": 64, "height": 32, "regions": [{"id": "r", "x": 0, "y": 0, "width": 64, "height": 32, "playlist": [{"duration": 10, "widget": {"type": "text", "text": "Hi", "style": {"font": "5x8"}}}]}]}"#

    static func campaign(_ id: String, priority: Int, windows: [TimeWindow] = []) -> LiveCampaign {
        LiveCampaign(
            campaign: Campaign(
                id: id, name: id, priority: priority, schedule: Schedule(windows: windows), target: Target(districts: ["north"]),
                playlist: [PlaylistEntry(layoutId: "lay", durationSeconds: 10)]),
            revision: 1, approvedAt: start)
    }

    static func schedule(_ campaigns: [LiveCampaign]) -> ServerMessage.ScheduleUpdate {
        .init(version: "v", campaigns: campaigns, defaultLayout: DefaultLayout(layoutId: "lay", source: .global),
              layouts: [.init(id: "lay", document: layout)], assets: [])
    }

    static func alert(_ id: String, _ severity: AlertSeverity, sent: Int64 = 0, expires: Int64? = nil) -> ServerMessage.AlertNotice {
        .init(id: id, severity: severity, sent: sent, expires: expires, texts: [.init(language: "en", headline: id, instruction: nil)],
              rotateSeconds: 5, replaces: [])
    }

    @Test func nothingWithoutASchedule() {
        #expect(Player(display: Self.display, schedule: nil).decide(at: Self.start) == .nothing)
    }

    @Test func theDefaultLayoutWhenNoCampaignIsOn() throws {
        let night = TimeWindow(start: try #require(TimeOfDay(hour: 22, minute: 0)), end: try #require(TimeOfDay(hour: 23, minute: 0)))
        let player = Player(display: Self.display, schedule: Self.schedule([Self.campaign("late", priority: 5, windows: [night])]))
        #expect(player.decide(at: Self.start) == PlayKey(kind: .default, layoutId: "lay"))
        // 22:30 in Berlin is 21:30 UTC.
        #expect(player.decide(at: Self.start.addingTimeInterval(21.5 * 3600)).campaignId == "late")
    }

    @Test func higherPriorityWinsAndAlertsWinOverEverything() {
        let player = Player(display: Self.display, schedule: Self.schedule([Self.campaign("low", priority: 1), Self.campaign("high", priority: 9)]))
        #expect(player.decide(at: Self.start).campaignId == "high")
        let alerts = [Self.alert("minor", .minor, sent: 5), Self.alert("severe", .severe, sent: 1), Self.alert("newer-severe", .severe, sent: 2)]
        #expect(player.decide(at: Self.start, alerts: alerts) == PlayKey(kind: .alert, alertId: "newer-severe"))
    }

    @Test func anExpiredAlertNoLongerPlays() {
        let player = Player(display: Self.display, schedule: Self.schedule([]))
        let expires = Reading.milliseconds(Self.start) + 60_000
        let alerts = [Self.alert("a", .extreme, expires: expires)]
        #expect(player.decide(at: Self.start, alerts: alerts).kind == .alert)
        #expect(player.decide(at: Self.start.addingTimeInterval(60), alerts: alerts).kind == .default)
    }

    @Test func alertBannersUseTheSeverityColour() {
        let player = Player(display: Self.display, schedule: nil)
        for (severity, color) in [(AlertSeverity.extreme, RGB.red), (.severe, .red), (.moderate, .amber), (.minor, .yellow), (.unknown, .white)] {
            var frame = Frame(width: 64, height: 32)
            let notice = Self.alert("x", severity)
            // The border is on during the first half of each flash period.
            player.draw(PlayKey(kind: .alert, alertId: "x"), at: Self.start, alerts: [notice], data: [:], into: &frame)
            #expect(frame.pixel(x: 0, y: 0) == color, "\(severity)")
        }
    }

    @Test func unreadableLayoutsAreReportedAndDrawNothing() {
        var schedule = Self.schedule([])
        schedule.layouts = [.init(id: "lay", document: "{not json")]
        let player = Player(display: Self.display, schedule: schedule)
        #expect(player.unreadableLayouts["lay"] != nil)
        var frame = Frame(width: 64, height: 32)
        player.draw(PlayKey(kind: .default, layoutId: "lay"), at: Self.start, alerts: [], data: [:], into: &frame)
        #expect(frame.bytes.allSatisfy { $0 == 0 })
    }
}

@Suite struct AgentCacheTests {
    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("tentacle-agent-cache-\(UUID().uuidString)")
    }

    @Test func everythingSurvivesARestartAndSequenceNumbersNeverRepeat() throws {
        let dir = Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = try AgentCache(directory: dir)
        try cache.store(display: PlayerTests.display)
        try cache.store(schedule: PlayerTests.schedule([PlayerTests.campaign("c", priority: 1)]))
        try cache.store(alerts: [PlayerTests.alert("a", .severe)])
        let sha = String(repeating: "ab", count: 32)
        try cache.store(asset: sha, bytes: [1, 2, 3])
        let first = try cache.enqueue { .pong(.init(t: $0)) }
        let second = try cache.enqueue { .pong(.init(t: $0)) }
        #expect((first.seq, second.seq) == (0, 1))
        cache.settle(first.seq)

        let reopened = try AgentCache(directory: dir)
        #expect(reopened.damaged.isEmpty)
        #expect(reopened.display == PlayerTests.display)
        #expect(reopened.schedule?.campaigns.map(\.id) == ["c"])
        #expect(reopened.alerts.map(\.id) == ["a"])
        #expect(reopened.assets[sha] == [1, 2, 3])
        #expect(reopened.pending.map(\.seq) == [1])
        reopened.settle(1)
        // Even with an empty outbox the counter goes on from where it was.
        #expect(try AgentCache(directory: dir).enqueue { .pong(.init(t: $0)) }.seq == 2)
    }

    @Test func theEpochIsKeptWithTheCounterAndChosenAfreshWithout() throws {
        let dir = Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = try AgentCache(directory: dir)
        _ = try cache.enqueue { .pong(.init(t: $0)) }
        #expect(try AgentCache(directory: dir).epoch == cache.epoch)
        #expect(cache.epoch > 0 && cache.epoch < 1 << 53)
        // Two fresh caches, in memory or on disk, count in different epochs.
        #expect(try AgentCache(directory: nil).epoch != AgentCache(directory: nil).epoch)
        try FileManager.default.removeItem(at: dir)
        #expect(try AgentCache(directory: dir).epoch != cache.epoch)

        // The counter file of an older agent, without an epoch, counts in epoch 0 and goes on from its number.
        try Data("7\n".utf8).write(to: dir.appendingPathComponent("sequence"))
        let old = try AgentCache(directory: dir)
        #expect(old.epoch == 0)
        #expect(try old.enqueue { .pong(.init(t: $0)) }.seq == 7)
        #expect(try String(contentsOf: dir.appendingPathComponent("sequence"), encoding: .utf8) == "8 0\n")

        // The server's last stored number moves a counter that is behind it, never one ahead.
        try old.continueAfter(20)
        #expect(try old.enqueue { .pong(.init(t: $0)) }.seq == 21)
        try old.continueAfter(3)
        #expect(try AgentCache(directory: dir).enqueue { .pong(.init(t: $0)) }.seq == 22)
    }

    @Test func damagedFilesAreIgnoredAndNamed() throws {
        let dir = Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try AgentCache(directory: dir)
        try Data("{half".utf8).write(to: dir.appendingPathComponent("schedule.json"))
        try Data("nonsense".utf8).write(to: dir.appendingPathComponent("outbox/00000000000000000007.json"))
        let cache = try AgentCache(directory: dir)
        #expect(cache.schedule == nil)
        #expect(Set(cache.damaged) == ["schedule.json", "outbox/00000000000000000007.json"])
        #expect(cache.pending.isEmpty)
    }

    @Test func aMemoryCacheWritesNothing() throws {
        let cache = try AgentCache(directory: nil)
        try cache.store(display: PlayerTests.display)
        #expect(cache.display?.id == "d-1")
        #expect(try cache.enqueue { .pong(.init(t: $0)) }.seq == 0)
    }
}

@Suite struct AgentConfigurationTests {
    @Test func everyServerToFailOverToIsCheckedAndKeptInOrder() throws {
        var c = AgentConfiguration(server: "http://a.example:8080", token: "t")
        c.fallbackServers = ["https://b.example", "ws://c.example:9000/"]
        #expect(try c.channelURLs() == ["ws://a.example:8080/v1/devices/channel", "wss://b.example/v1/devices/channel", "ws://c.example:9000/v1/devices/channel"])
        c.fallbackServers = ["https://b.example", "ftp://c.example"]
        #expect(throws: AgentError.self) { try c.channelURLs() }
    }

    @Test(arguments: [
        ("http://h:8080", "ws://h:8080/v1/devices/channel"), ("https://city.example/", "wss://city.example/v1/devices/channel"),
        ("ws://10.0.0.1:80", "ws://10.0.0.1:80/v1/devices/channel"), (" HTTP://h ", "ws://h/v1/devices/channel"),
    ])
    func channelURLs(_ server: String, _ expected: String) throws {
        #expect(try AgentConfiguration(server: server, token: "t").channelURL() == expected)
    }

    @Test(arguments: ["", "h:8080", "ftp://h", "http://", "http://a b"])
    func badServersAreRefused(_ server: String) {
        #expect(throws: AgentError.self) { try AgentConfiguration(server: server, token: "t").channelURL() }
    }
}
