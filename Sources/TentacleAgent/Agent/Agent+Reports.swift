import Logging
import Foundation
import TentacleCore

/// The reporter job: health, proof of play and readings, each a numbered batch the cache keeps
/// until the server has settled it.
extension Agent {
    func reportLoop() async {
        var schedule = ReportSchedule(configuration: configuration, start: .now)
        _ = screen.measuredFPS(at: clock())
        while !Task.isCancelled {
            let wake = schedule.wake(now: .now, alsoAt: link.silenceDeadline)
            try? await Task.sleep(until: wake, clock: .continuous)
            let now = ContinuousClock.now
            await dropIfSilent(at: now)
            let due = schedule.take(now: now)
            if due.health { await reportHealth() }
            if due.plays { await flushPlays() }
            if due.readings { await reportReadings() }
        }
    }

    private func enqueue(_ make: (Int64) -> AgentMessage) async {
        do {
            let (_, text) = try cache.enqueue(make)
            if link.welcomed { await send(text: text) }
        } catch {
            logger.error("cannot keep a report for the server", metadata: ["error": "\(error)"])
        }
    }

    func reportHealth() async {
        let now = clock()
        let fps = screen.measuredFPS(at: now)
        let panel = screen.sensorReadings(at: now).last { $0.metric == "panel_temp_c" }?.value
        let mode = if case .auto = screen.brightnessMode { "auto" } else { "manual" }
        let light = screen.lux(at: now)
        let at = Reading.milliseconds(now)
        let level = screen.brightness
        let epoch = cache.epoch
        let target = configuration.fps
        await enqueue { seq in
            .health(.init(
                seq: seq, epoch: epoch, at: at, fps: (fps * 10).rounded() / 10, brightness: level, brightnessMode: mode,
                panelTempC: panel.map { ($0 * 10).rounded() / 10 }, lux: light?.rounded(), targetFps: target))
        }
    }

    /// Closes the play on air at `now` and sends every finished play as one batch.
    func flushPlays(closingCurrentAt now: Date? = nil) async {
        if let now, let cleared = plays.split(at: now, liveAlerts: cache.alerts) { events(.alertCleared(cleared)) }
        let finished = plays.takeFinished()
        guard !finished.isEmpty else { return }
        let epoch = cache.epoch
        await enqueue { seq in .playLog(.init(seq: seq, epoch: epoch, plays: finished)) }
    }

    /// Sends the city readings; light and panel temperature go with health.
    private func reportReadings() async {
        let now = clock()
        let readings = screen.sensorReadings(at: now)
            .filter { $0.metric != "lux" && $0.metric != "panel_temp_c" }
            .map { AgentMessage.ReadingsBatch.Value(metric: $0.metric, time: $0.time, value: $0.value) }
        guard !readings.isEmpty else { return }
        let epoch = cache.epoch
        await enqueue { seq in .readings(.init(seq: seq, epoch: epoch, readings: readings)) }
    }
}
