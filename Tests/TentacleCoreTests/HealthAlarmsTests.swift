import Foundation
import TentacleCore
import Testing

/// Recorded observation streams replayed through the health alarms, with the raise, escalate and
/// clear times each must give: every kind, flapping around every threshold, late reports, absent
/// displays, a seeded random stream, a restart and the limits.
@Suite struct HealthAlarmsTests {
    /// 2026-01-01T00:00:00Z, on a minute.
    static let t0: Int64 = 1_767_225_600_000
    static let minute: Int64 = 60_000

    static func at(_ minutes: Int) -> Int64 { t0 + Int64(minutes) * minute }

    static func health(
        _ minutes: Int, display: String = "d1", fps: Double = 60, target: Double? = 60, brightness: Int = 50,
        mode: HealthObservation.BrightnessMode = .auto, temp: Double? = 40, lux: Double? = nil
    ) -> HealthObservation {
        .health(display: display, at: at(minutes), fps: fps, targetFps: target, brightness: brightness, brightnessMode: mode, panelTempC: temp, lux: lux)
    }

    static func volts(_ minutes: Int, _ value: Double, display: String = "d1") -> HealthObservation {
        .reading(display: display, metric: "supply_v", at: at(minutes), value: value)
    }

    static func replay(_ observations: [HealthObservation], into alarms: inout HealthAlarms) -> [HealthAlarmEvent] {
        observations.flatMap { alarms.observe($0) }
    }

    static func replay(_ observations: [HealthObservation]) -> [HealthAlarmEvent] {
        var alarms = HealthAlarms()
        return replay(observations, into: &alarms)
    }

    static func key(_ kind: HealthAlarmKind, display: String = "d1") -> HealthAlarmKey { HealthAlarmKey(display: display, kind: kind) }

    // MARK: - Panel temperature

    @Test func panelTemperatureEscalatesAndDeEscalatesAsOneAlarm() {
        let temps = [50, 60, 60.1, 75, 75.1, 71, 70, 69.9, 74, 56, 55, 54.9]
        var alarms = HealthAlarms()
        var events: [HealthAlarmEvent] = []
        for (i, temp) in temps.enumerated() {
            events += alarms.observe(Self.health(i, temp: temp))
            if i == 4 { #expect(alarms.active[Self.key(.panelTemperature)]?.severity == .critical) }
        }
        // Above 60 raises, above 75 escalates; back below 70 (not at it) drops, below 55 clears.
        #expect(events.map(\.change) == [.raised, .severityChanged, .severityChanged, .cleared])
        #expect(events.map(\.severity) == [.warning, .critical, .warning, .warning])
        #expect(events.map(\.time) == [Self.at(2), Self.at(4), Self.at(7), Self.at(11)])
        #expect(events.map(\.value) == [60.1, 75.1, 69.9, 54.9])
        #expect(
            events.map(\.message) == [
                "panel at 60.1 °C, above 60 °C", "panel at 75.1 °C, above 75 °C", "panel at 69.9 °C, below 70 °C", "panel at 54.9 °C, below 55 °C",
            ])
        #expect(Set(events.map(\.kind)) == [.panelTemperature] && Set(events.map(\.display)) == ["d1"])
        #expect(alarms.active.isEmpty)
    }

    @Test func aHotPanelGoesStraightToCriticalAndStraightBack() {
        let events = Self.replay([76.2, 65, 76, 54].enumerated().map { Self.health($0.offset, temp: $0.element) })
        #expect(events.map(\.change) == [.raised, .severityChanged, .severityChanged, .cleared])
        // Cleared from critical in one step: the event keeps the severity the alarm had.
        #expect(events.map(\.severity) == [.critical, .warning, .critical, .critical])
        #expect(events.first?.message == "panel at 76.2 °C, above 75 °C")
        #expect(events.last?.message == "panel at 54 °C, below 55 °C")
    }

    @Test func temperatureFlappingAroundEveryThresholdHoldsItsHysteresis() {
        // Each phase alternates two values, one each minute, for 20 minutes.
        let phases: [(Double, Double)] = [(59.9, 60.5), (55, 60.5), (74.9, 75.5), (70, 75.5), (69.9, 74.9), (54.9, 59.9)]
        let observations = phases.enumerated().flatMap { p, pair in
            (0..<20).map { i in Self.health(p * 20 + i, temp: i % 2 == 0 ? pair.0 : pair.1) }
        }
        let events = Self.replay(observations)
        // Raised at the first 60.5, held at 55; escalated at the first 75.5, held at 70; dropped at
        // the first 69.9, held at 74.9; cleared at the first 54.9, not raised again at 59.9.
        #expect(events.map(\.change) == [.raised, .severityChanged, .severityChanged, .cleared])
        #expect(events.map(\.time) == [Self.at(1), Self.at(41), Self.at(80), Self.at(100)])
    }

    @Test func panelTemperatureReadingsCountLikeHealthReports() {
        let events = Self.replay([
            .reading(display: "d1", metric: "panel_temp_c", at: Self.at(0), value: 77),
            Self.health(1, temp: nil),
            .reading(display: "d1", metric: "panel_temp_c", at: Self.at(2), value: .nan),
            .reading(display: "d1", metric: "pm25", at: Self.at(3), value: 10),
            Self.health(4, temp: .infinity),
            Self.health(5, temp: 40),
        ])
        #expect(events.map(\.change) == [.raised, .cleared])
        #expect(events.map(\.time) == [Self.at(0), Self.at(5)])
    }

    // MARK: - Supply voltage

    @Test func supplyVoltageRaisesOutsideItsRangeAndClearsInsideTheMargin() {
        let values = [5.0, 5.5, 5.51, 5.45, 5.41, 5.4, 4.5, 4.49, 5.6, 4.59, 4.6]
        var alarms = HealthAlarms()
        let events = Self.replay(values.enumerated().map { Self.volts($0.offset, $0.element) }, into: &alarms)
        // 5.6 while raised for 4.49 is the same alarm: no event.
        #expect(events.map(\.change) == [.raised, .cleared, .raised, .cleared])
        #expect(events.map(\.time) == [Self.at(2), Self.at(5), Self.at(7), Self.at(10)])
        #expect(Set(events.map(\.severity)) == [.warning])
        #expect(
            events.map(\.message) == [
                "supply at 5.51 V, above 5.5 V", "supply at 5.4 V, back within 4.6–5.4 V", "supply at 4.49 V, below 4.5 V",
                "supply at 4.6 V, back within 4.6–5.4 V",
            ])
        #expect(alarms.active.isEmpty)
    }

    @Test func supplyVoltageFlappingAroundItsLimitsRaisesOnceAndClearsOnce() {
        var observations = (0..<20).map { Self.volts($0, $0 % 2 == 0 ? 5.45 : 5.56) }
        observations += (20..<40).map { Self.volts($0, $0 % 2 == 0 ? 5.41 : 5.56) }
        observations += (40..<60).map { Self.volts($0, $0 % 2 == 0 ? 5.39 : 5.5) }
        observations += [.reading(display: "d1", metric: "supply_v", at: Self.at(60), value: .nan)]
        let events = Self.replay(observations)
        #expect(events.map(\.change) == [.raised, .cleared])
        #expect(events.map(\.time) == [Self.at(1), Self.at(40)])
    }

    // MARK: - Frame rate

    @Test func lowFrameRateNeedsTwoLowReportsInARowAndTwoRecoveredOnes() {
        // Target 60: below 48 counts towards raising, 54 or more towards clearing.
        let fps = [47.9, 48, 47, 40, 53.9, 54, 53, 54, 60]
        let events = Self.replay(fps.enumerated().map { Self.health($0.offset, fps: $0.element) })
        #expect(events.map(\.change) == [.raised, .cleared])
        #expect(events.map(\.time) == [Self.at(3), Self.at(8)])
        #expect(events.map(\.message) == ["40 fps, below 80% of 60 fps", "60 fps, at or above 90% of 60 fps"])
        #expect(events.map(\.value) == [40, 60] && Set(events.map(\.severity)) == [.warning])
    }

    @Test func lowFrameRateFlappingNeverRaisesAndHysteresisHolds() {
        var observations = (0..<20).map { Self.health($0, fps: $0 % 2 == 0 ? 47 : 49) }
        observations += [Self.health(20, fps: 40), Self.health(21, fps: 40)]
        // Recovered and not, one report each, then between the limits: stays raised.
        observations += (22..<40).map { Self.health($0, fps: $0 % 2 == 0 ? 54 : 50) }
        observations += (40..<50).map { Self.health($0, fps: 51) }
        observations += [Self.health(50, fps: 55), Self.health(51, fps: 55)]
        let events = Self.replay(observations)
        #expect(events.map(\.change) == [.raised, .cleared])
        #expect(events.map(\.time) == [Self.at(21), Self.at(51)])
    }

    @Test func lowFrameRateCountsOnlyAgainstAPositiveTarget() {
        var observations = (0..<5).map { Self.health($0, fps: 1, target: nil) }
        observations += (5..<10).map { Self.health($0, fps: 1, target: 0) }
        observations += [Self.health(10, fps: 10, target: 30), Self.health(11, fps: 10, target: 30)]
        // A report without a target clears the alarm and starts the count over.
        observations += [Self.health(12, fps: 10, target: 0), Self.health(13, fps: 10, target: 30), Self.health(14, fps: 10, target: 30)]
        observations += [Self.health(15, fps: .nan, target: 30), Self.health(16, fps: 10, target: .infinity)]
        let events = Self.replay(observations)
        #expect(events.map(\.change) == [.raised, .cleared, .raised, .cleared])
        #expect(events.map(\.time) == [Self.at(11), Self.at(12), Self.at(14), Self.at(16)])
        #expect(events[1].message == "10 fps, no target frame rate")
    }

    // MARK: - Brightness

    @Test func brightnessStuckInAutoWhileTheLightChangesRaisesAfterSixHours() {
        // A report every half hour at level 40; daylight 2000 lux, dusk 150, night 3.
        var observations = stride(from: 0, through: 360, by: 30).map { m in
            Self.health(m, brightness: 40, lux: m < 120 ? 2000 : m < 240 ? 150 : 3)
        }
        observations += [Self.health(390, brightness: 40, lux: 3), Self.health(420, brightness: 41, lux: 3)]
        var alarms = HealthAlarms()
        let events = Self.replay(observations, into: &alarms)
        #expect(events.map(\.change) == [.raised, .cleared])
        #expect(events.map(\.time) == [Self.at(360), Self.at(420)])
        #expect(events.map(\.message) == ["brightness stuck at 40 for 6 h while light ranged 3–2000 lux", "brightness now 41"])
        #expect(events.map(\.value) == [40, 41] && Set(events.map(\.severity)) == [.warning])
        #expect(alarms.active.isEmpty)
    }

    @Test func brightnessStuckRaisesWhenTheLightChangesLateInTheRun() {
        var observations = stride(from: 0, through: 420, by: 30).map { Self.health($0, brightness: 70, lux: 100) }
        observations += [Self.health(450, brightness: 70, lux: 1200)]
        let events = Self.replay(observations)
        #expect(events.map(\.time) == [Self.at(450)])
        #expect(events.first?.message == "brightness stuck at 70 for 7.5 h while light ranged 100–1200 lux")
    }

    @Test func brightnessThatFollowsTheLightOrSeesLittleChangeRaisesNothing() {
        let reports = stride(from: 0, through: 720, by: 30)
        var observations: [HealthObservation] = []
        for (i, m) in reports.enumerated() {
            // Exactly a factor of 10 is not more than it.
            observations.append(Self.health(m, display: "tenfold", brightness: 40, lux: i % 2 == 0 ? 100 : 1000))
            // Follows the light: a new level every 3 hours.
            observations.append(Self.health(m, display: "follows", brightness: 20 + m / 180, lux: i % 2 == 0 ? 3 : 5000))
            observations.append(Self.health(m, display: "manual", brightness: 40, mode: .manual, lux: i % 2 == 0 ? 3 : 5000))
            observations.append(Self.health(m, display: "no-sensor", brightness: 40, lux: nil))
            // Below 1 lux counts as 1: 0 to 9 is a factor of 9.
            observations.append(Self.health(m, display: "dark", brightness: 40, lux: i % 2 == 0 ? 0 : 9))
            observations.append(Self.health(m, display: "bad-sensor", brightness: 40, lux: i % 2 == 0 ? -50 : .nan))
        }
        #expect(Self.replay(observations).isEmpty)
    }

    @Test func switchingToManualClearsAStuckBrightnessAndStartsOver() {
        var observations = stride(from: 0, through: 360, by: 60).map { Self.health($0, brightness: 40, lux: $0 < 180 ? 5000 : 5) }
        observations += [Self.health(400, brightness: 40, mode: .manual, lux: 5)]
        // Back in auto at the same level: a new run, six more hours.
        observations += stride(from: 420, through: 780, by: 60).map { Self.health($0, brightness: 40, lux: $0 < 600 ? 5000 : 5) }
        let events = Self.replay(observations)
        #expect(events.map(\.change) == [.raised, .cleared, .raised])
        #expect(events.map(\.time) == [Self.at(360), Self.at(400), Self.at(780)])
        #expect(events[1].message == "brightness set to manual, at 40")
    }

    // MARK: - Offline

    @Test func anAbsentDisplayIsRaisedExactlyAtDisconnectPlusTheLimitAndClearedAtReconnect() {
        var alarms = HealthAlarms()
        let away = Self.at(3) + 1_234
        #expect(alarms.observe(.disconnected(display: "d1", at: away)).isEmpty)
        #expect(alarms.observe(.advance(to: away + 600_000 - 1)).isEmpty)
        let raised = alarms.observe(.advance(to: away + 600_000))
        #expect(raised.map(\.change) == [.raised] && raised.map(\.time) == [away + 600_000])
        #expect(raised.first?.severity == .critical && raised.first?.message == "not connected for 10 min")
        #expect(alarms.active[Self.key(.offline)] == raised.first)
        #expect(alarms.observe(.advance(to: Self.at(25))).isEmpty)
        #expect(alarms.observe(.disconnected(display: "d1", at: Self.at(26))).isEmpty)
        let cleared = alarms.observe(.connected(display: "d1", at: Self.at(30)))
        #expect(cleared.map(\.change) == [.cleared] && cleared.map(\.time) == [Self.at(30)])
        #expect(cleared.first?.message == "connected again after 27 min")
        #expect(alarms.active.isEmpty)
    }

    @Test func aDisplayBackWithinTheLimitRaisesNothing() {
        var alarms = HealthAlarms()
        let back: [HealthObservation] = [
            .disconnected(display: "d1", at: Self.at(0)), .connected(display: "d1", at: Self.at(10) - 1), .advance(to: Self.at(60)),
        ]
        var events = Self.replay(back, into: &alarms)
        #expect(events.isEmpty)
        // Away and back, never ten minutes at a time; then away from 76 for good. Going away again
        // at 78 does not move the start.
        let flapping: [HealthObservation] = [
            .disconnected(display: "d1", at: Self.at(61)), .connected(display: "d1", at: Self.at(65)), .disconnected(display: "d1", at: Self.at(66)),
            .connected(display: "d1", at: Self.at(75)), .disconnected(display: "d1", at: Self.at(76)), .disconnected(display: "d1", at: Self.at(78)),
            .advance(to: Self.at(86) - 1),
        ]
        events = Self.replay(flapping, into: &alarms)
        #expect(events.isEmpty)
        events = alarms.observe(.advance(to: Self.at(86)))
        #expect(events.map(\.time) == [Self.at(86)])
    }

    @Test func offlineIsTheSameWhetherOrNotTimeWasAdvanced() {
        // Back after 25 minutes with no advance meanwhile: raised at 10 and cleared at 25, in one call.
        var alarms = HealthAlarms()
        _ = alarms.observe(.disconnected(display: "d1", at: Self.at(0)))
        let back = alarms.observe(.connected(display: "d1", at: Self.at(25)))
        #expect(back.map(\.change) == [.raised, .cleared] && back.map(\.time) == [Self.at(10), Self.at(25)])
        // The news of going away arrives after time has passed: raised at once, at its deadline.
        let late = alarms.observe(.advance(to: Self.at(60))) + alarms.observe(.disconnected(display: "d1", at: Self.at(30)))
        #expect(late.map(\.change) == [.raised] && late.map(\.time) == [Self.at(40)])
        // Back exactly at the limit counts as away for it, whether or not time was advanced first.
        let exact: [HealthObservation] = [.disconnected(display: "d1", at: Self.at(0)), .connected(display: "d1", at: Self.at(10))]
        let plain = Self.replay(exact)
        let advanced = Self.replay([exact[0], .advance(to: Self.at(10)), exact[1]])
        #expect(plain.map(\.change) == [.raised, .cleared] && plain.map(\.time) == [Self.at(10), Self.at(10)])
        #expect(advanced == plain)
    }

    @Test func deadlinesOfManyDisplaysComeInTimeThenDisplayOrder() {
        var alarms = HealthAlarms()
        let observations: [HealthObservation] = [
            .disconnected(display: "d3", at: Self.at(0)), .disconnected(display: "d1", at: Self.at(2)), .disconnected(display: "d2", at: Self.at(0)),
            .disconnected(display: "d4", at: Self.at(0)), .connected(display: "d4", at: Self.at(5)),
        ]
        #expect(Self.replay(observations, into: &alarms).isEmpty)
        let events = alarms.observe(.advance(to: Self.at(30)))
        #expect(events.map(\.display) == ["d2", "d3", "d1"])
        #expect(events.map(\.time) == [Self.at(10), Self.at(10), Self.at(12)])
        #expect(Set(alarms.active.keys) == [Self.key(.offline, display: "d1"), Self.key(.offline, display: "d2"), Self.key(.offline, display: "d3")])
    }

    @Test func eventsOfOneReportComeInKindOrder() {
        var alarms = HealthAlarms()
        let stuck = stride(from: 0, through: 360, by: 60).map { Self.health($0, fps: 10, brightness: 40, lux: $0 < 180 ? 5000 : 5) }
        _ = Self.replay(stuck, into: &alarms)
        #expect(Set(alarms.active.keys) == [Self.key(.lowFrameRate), Self.key(.brightnessStuck)])
        let events = alarms.observe(Self.health(361, fps: 60, brightness: 41, temp: 90))
        #expect(events.map(\.kind) == [.panelTemperature, .brightnessStuck])
        let next = alarms.observe(Self.health(362, fps: 60, mode: .manual, temp: 90))
        #expect(next.map(\.kind) == [.lowFrameRate])
    }

    // MARK: - Late and odd observations

    @Test func lateObservationsAreIgnoredPerDisplayAndKind() {
        var alarms = HealthAlarms()
        func events(_ observation: HealthObservation) -> [HealthAlarmEvent.Change] { alarms.observe(observation).map(\.change) }
        #expect(events(Self.health(10, temp: 62)) == [.raised])
        // Older than the newest report of d1: ignored. Other displays have their own.
        #expect(events(Self.health(5, temp: 40)).isEmpty)
        #expect(alarms.active[Self.key(.panelTemperature)] != nil)
        #expect(events(Self.health(5, display: "d2", temp: 70)) == [.raised])
        // A temperature reading is newer for the temperature, not for the frame rate: the report
        // at 11 is late for the one and counts for the other.
        #expect(events(.reading(display: "d1", metric: "panel_temp_c", at: Self.at(12), value: 50)) == [.cleared])
        #expect(events(Self.health(11, fps: 10, temp: 70)).isEmpty)
        #expect(events(Self.health(13, fps: 10, temp: 40)) == [.raised])
        #expect(alarms.active[Self.key(.panelTemperature)] == nil && alarms.active[Self.key(.lowFrameRate)] != nil)
        // A report at the same instant as the newest is taken.
        #expect(events(Self.health(13, fps: 10, temp: 61)) == [.raised])
        // Voltage and connection keep their own newest too.
        #expect(events(Self.volts(20, 5.6)) == [.raised])
        #expect(events(Self.volts(19, 5.0)).isEmpty)
        #expect(events(.disconnected(display: "d1", at: Self.at(30))).isEmpty)
        #expect(events(.connected(display: "d1", at: Self.at(25))).isEmpty)
        #expect(alarms.observe(.advance(to: Self.at(40))).map(\.time) == [Self.at(40)])
        // Advancing backwards changes nothing.
        #expect(events(.advance(to: Self.at(0))).isEmpty)
    }

    @Test func extremeTimesDoNotTrap() {
        var alarms = HealthAlarms()
        #expect(alarms.observe(.disconnected(display: "d1", at: .max - 1)).isEmpty)
        #expect(alarms.observe(.advance(to: .max)).map(\.time) == [.max])
        #expect(alarms.observe(.connected(display: "d1", at: .max)).map(\.change) == [.cleared])
        let far = [Int64.min, Int64.max].map {
            HealthObservation.health(
                display: "d2", at: $0, fps: 60, targetFps: 60, brightness: 40, brightnessMode: .auto, panelTempC: 40, lux: $0 == .min ? 1 : 1000)
        }
        #expect(Self.replay(far, into: &alarms).map(\.kind) == [.brightnessStuck])
    }

    // MARK: - Determinism

    @Test func theSameStreamAlwaysGivesTheSameEventsInOrder() {
        var random = SplitMix64(seed: 7)
        let displays = ["d1", "d2", "d3", "d4"]
        var temp = [Double](repeating: 50, count: 4), supply = [Double](repeating: 5, count: 4), lux = [Double](repeating: 100, count: 4)
        var level = [40, 40, 40, 40], away = [false, false, false, false], slow = [false, false, false, false]
        var observations: [HealthObservation] = []
        var time = Self.t0
        for _ in 0..<12_000 {
            // Time mostly moves on, sometimes an observation arrives late.
            time += Int64(random.int(below: 40_000)) - 5_000
            let d = random.int(below: 4), display = displays[d]
            switch random.int(below: 100) {
            case 0..<55:
                temp[d] = min(90, max(30, temp[d] + random.double(in: -2...2.1)))
                lux[d] = min(100_000, max(0, lux[d] * random.double(in: 0.8...1.25)))
                if random.int(below: 1500) == 0 { level[d] = random.int(below: 100) }
                if random.int(below: 40) == 0 { slow[d].toggle() }
                let fps = slow[d] ? random.double(in: 30...50) : random.double(in: 45...61)
                let mode: HealthObservation.BrightnessMode = random.int(below: 300) == 0 ? .manual : .auto
                let target: Double? = random.int(below: 200) == 0 ? nil : 60
                observations.append(
                    .health(
                        display: display, at: time, fps: fps, targetFps: target, brightness: level[d], brightnessMode: mode, panelTempC: temp[d],
                        lux: lux[d]))
            case 55..<80:
                supply[d] = min(5.8, max(4.2, supply[d] + random.double(in: -0.05...0.05)))
                observations.append(.reading(display: display, metric: "supply_v", at: time, value: supply[d]))
            case 80..<83:
                away[d].toggle()
                observations.append(away[d] ? .disconnected(display: display, at: time) : .connected(display: display, at: time))
            default:
                observations.append(.advance(to: time - Int64(random.int(below: 60_000))))
            }
        }
        observations.append(.advance(to: time + 3_600_000))
        func run() -> [[HealthAlarmEvent]] {
            var alarms = HealthAlarms()
            return observations.map { alarms.observe($0) }
        }
        let first = run()
        #expect(first == run())
        // Per alarm, raised, changed and cleared follow each other as they should; each call's
        // events are in time, display, kind order; what is left raised is `active`.
        var alarms = HealthAlarms()
        var model: [HealthAlarmKey: AlarmSeverity] = [:]
        var changes: [HealthAlarmKind: Set<HealthAlarmEvent.Change>] = [:]
        for observation in observations {
            let events = alarms.observe(observation)
            let order = events.map { ($0.time, $0.display, $0.kind) }
            #expect(zip(order, order.dropFirst()).allSatisfy { $0 <= $1 })
            for event in events {
                changes[event.kind, default: []].insert(event.change)
                switch event.change {
                case .raised: #expect(model[event.key] == nil)
                case .severityChanged: #expect(model[event.key] != nil && model[event.key] != event.severity && event.kind == .panelTemperature)
                case .cleared: #expect(model[event.key] == event.severity)
                }
                model[event.key] = event.change == .cleared ? nil : event.severity
            }
        }
        #expect(model == alarms.active.mapValues(\.severity))
        for kind in HealthAlarmKind.allCases {
            #expect(changes[kind, default: []].isSuperset(of: [.raised, .cleared]), "\(kind): \(changes[kind] ?? [])")
        }
        #expect(changes[.panelTemperature, default: []].contains(.severityChanged))
    }

    // MARK: - Restart

    @Test func restoredAlarmsAreNotRaisedAgain() {
        var before: [HealthObservation] = [
            Self.health(0, fps: 10, temp: 66), Self.health(1, fps: 10, temp: 66), Self.volts(1, 4.2),
            .disconnected(display: "d2", at: Self.at(0)), .advance(to: Self.at(10)),
        ]
        before += stride(from: 0, through: 360, by: 30).map { Self.health($0, display: "d3", brightness: 40, lux: $0 < 180 ? 2000 : 3) }
        var running = HealthAlarms()
        #expect(Self.replay(before, into: &running).filter { $0.change == .raised }.count == 5)
        var restarted = HealthAlarms()
        restarted.restore(running.active.values)
        #expect(restarted.active == running.active)
        // After the restart: the server seeds the absent display, reports go on as before, then
        // everything recovers. Both give the same events, none of them raised.
        let after: [HealthObservation] = [
            .disconnected(display: "d2", at: Self.at(0)), Self.health(400, fps: 10, temp: 66), Self.volts(400, 4.2),
            Self.health(390, display: "d3", brightness: 40, lux: 50), Self.health(401, fps: 60, temp: 50), Self.health(402, fps: 60, temp: 50),
            Self.volts(401, 5.0), .connected(display: "d2", at: Self.at(420)), Self.health(420, display: "d3", brightness: 41, lux: 50),
        ]
        let resumed = Self.replay(after, into: &restarted)
        #expect(resumed == Self.replay(after, into: &running))
        #expect(resumed.map(\.change) == [.cleared, .cleared, .cleared, .cleared, .cleared])
        #expect(resumed.map(\.kind) == [.panelTemperature, .lowFrameRate, .supplyVoltage, .offline, .brightnessStuck])
        #expect(resumed.first { $0.kind == .offline }?.message == "connected again after 420 min")
        #expect(restarted.active.isEmpty)
        // A cleared event restores nothing.
        var other = HealthAlarms()
        other.restore(resumed)
        #expect(other.active.isEmpty)
    }

    @Test func aForgottenDisplayLosesItsAlarmsAndDeadlines() {
        var alarms = HealthAlarms()
        _ = Self.replay([Self.health(0, temp: 80), .disconnected(display: "d1", at: Self.at(0)), .disconnected(display: "d2", at: Self.at(1))], into: &alarms)
        alarms.forget(display: "d1")
        #expect(alarms.active.isEmpty)
        #expect(alarms.observe(.advance(to: Self.at(60))).map(\.display) == ["d2"])
        #expect(alarms.observe(Self.health(1, temp: 40)).isEmpty)
    }

    // MARK: - Input and limits

    @Test func anAgentsHealthReportBecomesAnObservation() {
        let report = AgentMessage.HealthReport(seq: 1, at: 5, fps: 29.5, brightness: 40, brightnessMode: "auto", panelTempC: 41, lux: 100, targetFps: 30)
        #expect(
            HealthObservation(display: "d1", report: report)
                == .health(display: "d1", at: 5, fps: 29.5, targetFps: 30, brightness: 40, brightnessMode: .auto, panelTempC: 41, lux: 100))
        var fixed = report
        fixed.brightnessMode = "fixed"
        fixed.targetFps = nil
        #expect(
            HealthObservation(display: "d1", report: fixed)
                == .health(display: "d1", at: 5, fps: 29.5, targetFps: nil, brightness: 40, brightnessMode: .manual, panelTempC: 41, lux: 100))
    }

    @Test func limitsAreValidatedFieldByField() throws {
        #expect(HealthAlarmLimits().issues().isEmpty)
        var bad = HealthAlarmLimits()
        bad.offlineMinutes = 0
        bad.panelWarningC = 80
        bad.panelHysteresisC = -1
        bad.supplyVolts = 5.0...5.0
        bad.lowFpsShare = 0
        bad.recoveredFpsShare = 1.2
        bad.lowFpsReports = 0
        bad.recoveredFpsReports = 101
        bad.brightnessStuckHours = 0
        bad.luxChangeFactor = 1
        #expect(
            Set(bad.issues().map(\.field)) == [
                "offlineMinutes", "panelCriticalC", "panelHysteresisC", "supplyVolts", "supplyMarginV", "lowFpsShare", "recoveredFpsShare",
                "lowFpsReports", "recoveredFpsReports", "brightnessStuckHours", "luxChangeFactor",
            ])
        #expect(throws: ValidationError.self) { try HealthAlarms(limits: bad) }
        var odd = HealthAlarmLimits()
        odd.panelWarningC = .nan
        odd.supplyVolts = 4.5...Double.infinity
        odd.luxChangeFactor = .infinity
        #expect(Set(odd.issues().map(\.field)) == ["panelWarningC", "supplyVolts", "luxChangeFactor"])
        let json = try JSONEncoder().encode(HealthAlarmLimits())
        #expect(try JSONDecoder().decode(HealthAlarmLimits.self, from: json) == HealthAlarmLimits())
    }

    @Test func otherLimitsMoveEveryThreshold() throws {
        let limits = HealthAlarmLimits(
            offlineMinutes: 1, panelWarningC: 50, panelCriticalC: 65, panelHysteresisC: 2, supplyVolts: 11...13, supplyMarginV: 0.5,
            lowFpsShare: 0.5, lowFpsReports: 1, recoveredFpsShare: 0.6, recoveredFpsReports: 3, brightnessStuckHours: 1, luxChangeFactor: 2)
        var alarms = try HealthAlarms(limits: limits)
        #expect(alarms.limits == limits)
        var observations: [HealthObservation] = [.disconnected(display: "d1", at: Self.at(0)), .advance(to: Self.at(1))]
        observations += [50.5, 65.5, 63.1, 62.9, 47.9].enumerated().map { Self.health($0.offset, temp: $0.element) }
        observations += [10.9, 12.6, 12.4].enumerated().map { Self.volts($0.offset, $0.element) }
        observations += [29.9, 36, 36, 35.9, 36, 36, 36].enumerated().map { Self.health(10 + $0.offset, fps: $0.element, brightness: 10, lux: 10) }
        observations += [Self.health(70, brightness: 10, lux: 21)]
        let events = Self.replay(observations, into: &alarms)
        let summary = events.map { "\($0.kind.rawValue) \($0.change.rawValue) \($0.severity.rawValue) \(($0.time - Self.t0) / Self.minute)" }
        #expect(
            summary == [
                "offline raised critical 1",
                "panelTemperature raised warning 0", "panelTemperature severityChanged critical 1", "panelTemperature severityChanged warning 3",
                "panelTemperature cleared warning 4",
                "supplyVoltage raised warning 0", "supplyVoltage cleared warning 2",
                "lowFrameRate raised warning 10", "lowFrameRate cleared warning 16",
                "brightnessStuck raised warning 70",
            ])
    }
}
