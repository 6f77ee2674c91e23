import Foundation
@testable import TentacleAgent
import TentacleCore
import Testing

/// The agent's jobs on their own: reconnect backoff, report timing, proof of play and alert receipts.
@Suite struct AgentJobsTests {
    static func configuration() -> AgentConfiguration {
        var c = AgentConfiguration(server: "http://127.0.0.1:1", token: "t")
        c.initialBackoff = .milliseconds(100)
        c.maximumBackoff = .seconds(1)
        c.healthInterval = .seconds(60)
        c.playLogInterval = .seconds(30)
        return c
    }

    @Test func backoffDoublesWithJitterUpToItsCapAndAWelcomedLinkStartsOver() {
        var link = ServerLink(configuration: Self.configuration())
        let delays = (0..<8).map { _ in link.nextDelay() }
        for (i, delay) in delays.enumerated() {
            let full = min(1000, 100 << i)
            #expect(delay >= .milliseconds(full / 2) && delay <= .milliseconds(full), "attempt \(i + 1): \(delay)")
        }
        link.welcome(heartbeatSeconds: 0)
        #expect(link.welcomed && link.heartbeat == .seconds(1))
        let afterWelcome = link.nextDelay(), afterFailure = link.nextDelay()
        #expect(afterWelcome <= .milliseconds(100))
        // Only a welcomed attempt starts over; an attempt that failed again does not.
        #expect(afterFailure >= .milliseconds(100))
    }

    /// With three servers, failed attempts go round them all before the backoff grows; a welcomed
    /// connection that ends tries the same server again first.
    @Test func failedAttemptsGoRoundTheServersAndTheBackoffGrowsPerRound() {
        var link = ServerLink(configuration: Self.configuration())
        #expect(link.server == 0)
        var order: [Int] = []
        var delays: [Duration] = []
        for _ in 0..<7 {
            delays.append(link.nextDelay(servers: 3))
            order.append(link.server)
        }
        #expect(order == [1, 2, 0, 1, 2, 0, 1])
        for (i, delay) in delays.enumerated() {
            let full = min(1000, 100 << (i / 3))
            #expect(delay >= .milliseconds(full / 2) && delay <= .milliseconds(full), "attempt \(i + 1): \(delay)")
        }
        link.welcome(heartbeatSeconds: 20)
        _ = link.nextDelay(servers: 3)
        #expect(link.server == 1, "a welcomed server is tried again after its connection ends")
        _ = link.nextDelay(servers: 3)
        #expect(link.server == 2)
        // One server: nothing to go round.
        var single = ServerLink(configuration: Self.configuration())
        _ = single.nextDelay(servers: 1)
        #expect(single.server == 0)
    }

    @Test func aDetachTellsWhetherTheLinkHadBeenWelcomed() {
        var link = ServerLink(configuration: Self.configuration())
        let never = link.detach()
        link.welcome(heartbeatSeconds: 20)
        let welcomed = link.detach(), again = link.detach()
        #expect(!never && welcomed && !again && !link.welcomed)
        #expect(link.silenceDeadline == nil)
    }

    @Test func reportsFallDueAtTheirIntervalsAndTheReporterWakesForTheEarliest() {
        var c = Self.configuration()
        c.readingsInterval = .seconds(10)
        let start = ContinuousClock.now
        var schedule = ReportSchedule(configuration: c, start: start)
        #expect(schedule.wake(now: start, alsoAt: nil) == start + ReportSchedule.longestSleep)
        #expect(schedule.wake(now: start, alsoAt: start + .seconds(1)) == start + .seconds(1))
        #expect(schedule.wake(now: start, alsoAt: start) == start + .milliseconds(10))
        let due = [9, 10, 30, 60, 60].map { schedule.take(now: start + .seconds($0)) }
        #expect(due == [.init(), .init(readings: true), .init(plays: true, readings: true), .init(health: true, plays: true, readings: true), .init()])
    }

    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)

    static func alert(_ id: String) -> ServerMessage.AlertNotice {
        .init(id: id, severity: .severe, sent: 0, expires: nil, texts: [.init(language: "en", headline: id, instruction: nil)],
              rotateSeconds: 5, replaces: [])
    }

    @Test func playsAreLoggedWhenTheyEndAndAReportSplitsThePlayOnAir() {
        var plays = PlayRecorder()
        let campaign = PlayKey(kind: .campaign, layoutId: "lay", campaignId: "c", revision: 2)
        let started = plays.record(campaign, at: Self.t0, liveAlerts: []), same = plays.record(campaign, at: Self.t0 + 5, liveAlerts: [])
        #expect(started == nil && same == nil)
        let none = plays.takeFinished()
        #expect(none.isEmpty)
        _ = plays.split(at: Self.t0 + 10, liveAlerts: [])
        let first = plays.takeFinished()
        #expect(first.map(\.kind) == ["campaign"])
        #expect(first.first?.start == Reading.milliseconds(Self.t0) && first.first?.end == Reading.milliseconds(Self.t0 + 10))
        #expect(plays.current?.key == campaign && plays.current?.start == Self.t0 + 10)

        let alert = PlayKey(kind: .alert, alertId: "a-1")
        _ = plays.record(alert, at: Self.t0 + 20, liveAlerts: [Self.alert("a-1")])
        // The alert left the panel while still live: not cleared. Identify and nothing are not logged.
        let stillLive = plays.record(PlayKey(kind: .identify), at: Self.t0 + 30, liveAlerts: [Self.alert("a-1")])
        _ = plays.record(alert, at: Self.t0 + 31, liveAlerts: [Self.alert("a-1")])
        let cleared = plays.record(.nothing, at: Self.t0 + 40, liveAlerts: [])
        #expect(stillLive == nil && cleared == "a-1")
        let logged = plays.takeFinished()
        #expect(logged.map(\.kind) == ["campaign", "alert", "alert"])
    }

    @Test func anAlertIsAcknowledgedOnceAndACancelForgetsIt() {
        var receipts = AlertReceipts()
        let b = receipts.shown("b", at: 2), a = receipts.shown("a", at: 1), again = receipts.shown("a", at: 5)
        #expect(a && b && !again)
        #expect(receipts.pending.map(\.id) == ["a", "b"] && receipts.pending.map(\.shownAt) == [1, 2])
        receipts.forget(["a"])
        #expect(receipts.pending.map(\.id) == ["b"])
        #expect(receipts.shown == ["a", "b"])
    }
}
