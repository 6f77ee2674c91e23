import Foundation
import Testing
import TentacleCore

private let t = Fixture.t
private let window = Fixture.window
private let noon = t("2026-06-01T12:00:00+08:00")

private func playing(_ resolution: Resolution) -> PlayingCampaign? {
    if case .campaign(let p) = resolution.playing { return p }
    return nil
}

private func outcomes(_ resolution: Resolution) -> [String: CandidateOutcome] {
    Dictionary(uniqueKeysWithValues: resolution.candidates.map { ($0.campaignId, $0.outcome) })
}

@Suite struct ResolutionTests {
    // MARK: priorities and the tie-break

    @Test func higherPriorityWins() {
        let resolution = resolve(display: Fixture.display(), campaigns: [Fixture.live("low", priority: 1), Fixture.live("high", priority: 5)], at: noon)
        #expect(playing(resolution)?.campaignId == "high")
        #expect(resolution.candidates.map(\.campaignId) == ["high", "low"])
        #expect(outcomes(resolution) == ["high": .won, "low": .lostToHigherPriority(by: "high")])
    }

    @Test func tieGoesToTheMostRecentlyApproved() {
        let older = Fixture.live("a", priority: 3, approvedAt: t("2026-05-01T00:00:00Z"))
        let newer = Fixture.live("b", priority: 3, approvedAt: t("2026-05-02T00:00:00Z"))
        for campaigns in [[older, newer], [newer, older]] {
            let resolution = resolve(display: Fixture.display(), campaigns: campaigns, at: noon)
            #expect(playing(resolution)?.campaignId == "b")
            #expect(outcomes(resolution)["a"] == .lostTieBreak(to: "b"))
        }
    }

    @Test func equalApprovalTimeGoesToTheSmallerId() {
        let campaigns = [Fixture.live("zeta", priority: 3), Fixture.live("alpha", priority: 3), Fixture.live("mid", priority: 3)]
        let resolution = resolve(display: Fixture.display(), campaigns: campaigns, at: noon)
        #expect(playing(resolution)?.campaignId == "alpha")
        #expect(resolution.candidates.map(\.outcome) == [.won, .lostTieBreak(to: "alpha"), .lostTieBreak(to: "alpha")])
    }

    @Test func aHigherPriorityOutsideItsScheduleDoesNotBlock() {
        let evening = Schedule(windows: [window("18:00", "22:00")])
        let campaigns = [Fixture.live("evening", priority: 9, schedule: evening), Fixture.live("always", priority: 1)]
        let resolution = resolve(display: Fixture.display(), campaigns: campaigns, at: noon)
        #expect(playing(resolution)?.campaignId == "always")
        #expect(outcomes(resolution)["evening"] == .outsideSchedule(.outsideTimeWindows))
        let later = resolve(display: Fixture.display(), campaigns: campaigns, at: t("2026-06-01T19:00:00+08:00"))
        #expect(playing(later)?.campaignId == "evening")
    }

    @Test func inactiveReasons() {
        let schedules: [(Schedule, InactiveReason)] = [
            (Schedule(startDate: Fixture.date("2026-06-02")), .beforeStartDate),
            (Schedule(endDate: Fixture.date("2026-05-31")), .afterEndDate),
            (Schedule(daysOfWeek: [2, 3]), .excludedDay),
            (Schedule(windows: [window("13:00", "14:00")]), .outsideTimeWindows),
        ]
        for (schedule, reason) in schedules {
            let resolution = resolve(display: Fixture.display(), campaigns: [Fixture.live("c", schedule: schedule)], at: noon)
            #expect(resolution.candidates.map(\.outcome) == [.outsideSchedule(reason)])
            #expect(resolution.playing == .nothing)
        }
    }

    @Test func untargetedCampaignsAreListedOnlyWhenAsked() {
        let campaigns = [Fixture.live("here"), Fixture.live("there", target: Target(districts: ["south"]))]
        let short = resolve(display: Fixture.display(), campaigns: campaigns, at: noon)
        #expect(short.candidates.map(\.campaignId) == ["here"])
        let full = resolve(display: Fixture.display(), campaigns: campaigns, at: noon, explainUntargeted: true)
        #expect(outcomes(full) == ["here": .won, "there": .notTargeted])
    }

    // MARK: default layouts

    @Test func defaultLayoutPrecedence() {
        let d = Fixture.display("pole-1", groups: ["bus-stops", "outdoor"])
        let all = DefaultLayouts(byDisplay: ["pole-1": "own"], byGroup: ["outdoor": "outdoor-layout", "bus-stops": "bus-layout"], global: "city")
        #expect(resolve(display: d, campaigns: [], defaults: all, at: noon).playing == .defaultLayout(layoutId: "own", source: .display))
        let groups = DefaultLayouts(byGroup: ["outdoor": "outdoor-layout", "bus-stops": "bus-layout"], global: "city")
        #expect(resolve(display: d, campaigns: [], defaults: groups, at: noon).playing == .defaultLayout(layoutId: "bus-layout", source: .group("bus-stops")))
        let second = DefaultLayouts(byGroup: ["outdoor": "outdoor-layout"], global: "city")
        #expect(resolve(display: d, campaigns: [], defaults: second, at: noon).playing == .defaultLayout(layoutId: "outdoor-layout", source: .group("outdoor")))
        let global = DefaultLayouts(byDisplay: ["pole-2": "other"], global: "city")
        #expect(resolve(display: d, campaigns: [], defaults: global, at: noon).playing == .defaultLayout(layoutId: "city", source: .global))
        #expect(resolve(display: d, campaigns: [], defaults: DefaultLayouts(), at: noon).playing == .nothing)
    }

    @Test func aCampaignBeatsTheDefault() {
        let resolution = resolve(display: Fixture.display(), campaigns: [Fixture.live("c")], defaults: DefaultLayouts(global: "city"), at: noon)
        #expect(playing(resolution)?.campaignId == "c")
    }

    // MARK: alerts

    @Test func activeAlertPreemptsCampaigns() {
        let alert = AlertCandidate(id: "flood", severity: .severe, sent: t("2026-06-01T11:00:00+08:00"), target: Target(districts: ["north"]))
        let resolution = resolve(display: Fixture.display(), campaigns: [Fixture.live("c", priority: 1000)], alerts: [alert], at: noon)
        #expect(resolution.playing == .alert(id: "flood"))
        #expect(resolution.candidates.map(\.outcome) == [.preemptedByAlert("flood")])
    }

    @Test func expiredNotYetSentOrElsewhereAlertsDoNotShow() {
        let north = Target(districts: ["north"])
        let alerts = [
            AlertCandidate(id: "old", severity: .extreme, sent: t("2026-06-01T08:00:00+08:00"), expires: t("2026-06-01T12:00:00+08:00"), target: north),
            AlertCandidate(id: "future", severity: .extreme, sent: t("2026-06-01T12:00:01+08:00"), target: north),
            AlertCandidate(id: "south", severity: .extreme, sent: t("2026-06-01T08:00:00+08:00"), target: Target(districts: ["south"])),
        ]
        let resolution = resolve(display: Fixture.display(), campaigns: [Fixture.live("c")], alerts: alerts, at: noon)
        #expect(playing(resolution)?.campaignId == "c")
        let justBefore = resolve(display: Fixture.display(), campaigns: [Fixture.live("c")], alerts: alerts, at: noon.addingTimeInterval(-1))
        #expect(justBefore.playing == .alert(id: "old"))
    }

    @Test func mostSevereThenNewestThenSmallestId() {
        let north = Target(districts: ["north"])
        func alert(_ id: String, _ severity: AlertSeverity, _ sent: String) -> AlertCandidate {
            AlertCandidate(id: id, severity: severity, sent: t(sent), expires: t("2026-06-02T00:00:00Z"), target: north)
        }
        let d = Fixture.display()
        let severe = [alert("minor-new", .minor, "2026-06-01T03:00:00Z"), alert("extreme-old", .extreme, "2026-06-01T01:00:00Z")]
        #expect(resolve(display: d, campaigns: [], alerts: severe, at: noon).playing == .alert(id: "extreme-old"))
        let newest = [alert("a", .severe, "2026-06-01T01:00:00Z"), alert("b", .severe, "2026-06-01T02:00:00Z")]
        #expect(resolve(display: d, campaigns: [], alerts: newest, at: noon).playing == .alert(id: "b"))
        let same = [alert("y", .moderate, "2026-06-01T01:00:00Z"), alert("x", .moderate, "2026-06-01T01:00:00Z")]
        #expect(resolve(display: d, campaigns: [], alerts: same, at: noon).playing == .alert(id: "x"))
        #expect(AlertSeverity.allCases.sorted(by: >) == [.extreme, .severe, .moderate, .minor, .unknown])
    }

    // MARK: playlist timing

    @Test func playlistStartsWhenTheWindowOpens() {
        let playlist = [
            PlaylistEntry(layoutId: "first", durationSeconds: 10), PlaylistEntry(layoutId: "second", durationSeconds: 20),
            PlaylistEntry(layoutId: "third", durationSeconds: 30),
        ]
        let c = Fixture.live("c", schedule: Schedule(windows: [window("08:00", "20:00")]), playlist: playlist)
        let open = t("2026-06-01T08:00:00+08:00")
        let expected: [(Double, String, Int, Double)] = [
            (0, "first", 0, 0), (9.5, "first", 0, 9.5), (10, "second", 1, 0), (29, "second", 1, 19), (30, "third", 2, 0),
            (59, "third", 2, 29), (60, "first", 0, 0), (3600 + 45, "third", 2, 15),
        ]
        for (offset, layout, index, into) in expected {
            let p = playing(resolve(display: Fixture.display(), campaigns: [c], at: open.addingTimeInterval(offset)))
            #expect(p?.layoutId == layout, "\(offset)")
            #expect(p?.playlistIndex == index, "\(offset)")
            #expect(p?.secondsIntoItem == into, "\(offset)")
        }
    }

    @Test func allDayPlaylistRestartsAtLocalMidnight() {
        let playlist = [PlaylistEntry(layoutId: "a", durationSeconds: 7), PlaylistEntry(layoutId: "b", durationSeconds: 7)]
        let c = Fixture.live("c", playlist: playlist)
        let p = playing(resolve(display: Fixture.display(), campaigns: [c], at: t("2026-06-02T00:00:08+08:00")))
        #expect(p?.playlistIndex == 1)
        #expect(p?.secondsIntoItem == 1)
    }

    @Test func crossingWindowAnchorsAtItsStartTheDayBefore() {
        let playlist = [PlaylistEntry(layoutId: "a", durationSeconds: 60), PlaylistEntry(layoutId: "b", durationSeconds: 3540)]
        let c = Fixture.live("c", schedule: Schedule(windows: [window("22:00", "02:00")]), playlist: playlist)
        let p = playing(resolve(display: Fixture.display(), campaigns: [c], at: t("2026-06-02T01:00:30+08:00")))
        #expect(p?.playlistIndex == 0)
        #expect(p?.secondsIntoItem == 30)
    }

    @Test func windowStartingInTheGapAnchorsAtTheGapEnd() {
        let d = Fixture.display(timezone: "Europe/Berlin")
        let c = Fixture.live("c", schedule: Schedule(windows: [window("02:30", "05:00")]), playlist: [
            PlaylistEntry(layoutId: "a", durationSeconds: 600), PlaylistEntry(layoutId: "b", durationSeconds: 600),
        ])
        let p = playing(resolve(display: d, campaigns: [c], at: t("2026-03-29T01:12:00Z")))
        #expect(p?.playlistIndex == 1)
        #expect(p?.secondsIntoItem == 120)
        // In the repeated autumn hour, elapsed time is real time since the first 02:30.
        let autumn = playing(resolve(display: d, campaigns: [c], at: t("2026-10-25T01:35:00Z")))
        #expect(autumn?.playlistIndex == 0)
        #expect(autumn?.secondsIntoItem == 300)
    }

    @Test func resolutionEncodesToJSON() throws {
        let resolution = resolve(display: Fixture.display(), campaigns: [Fixture.live("c")], at: noon)
        let data = try JSONEncoder().encode(resolution)
        #expect(try JSONDecoder().decode(Resolution.self, from: data) == resolution)
    }
}
