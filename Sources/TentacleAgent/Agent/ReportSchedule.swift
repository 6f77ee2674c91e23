/// When the reporter next sends health, the play log and readings, and when it wakes to look.
struct ReportSchedule {
    /// The reporter looks at least this often, so a changed heartbeat is noticed.
    static let longestSleep: Duration = .seconds(5)

    struct Due: Equatable {
        var health = false
        var plays = false
        var readings = false
    }

    private let health: Duration
    private let plays: Duration
    private let readings: Duration?
    private var lastHealth: ContinuousClock.Instant
    private var lastPlays: ContinuousClock.Instant
    private var lastReadings: ContinuousClock.Instant

    init(configuration: AgentConfiguration, start: ContinuousClock.Instant) {
        health = configuration.healthInterval
        plays = configuration.playLogInterval
        readings = configuration.readingsInterval
        lastHealth = start
        lastPlays = start
        lastReadings = start
    }

    /// The instant to wake at: the next report due or `alsoAt` (the server's silence deadline),
    /// at most `longestSleep` from `now` and at least 10 ms on. Sleeping until the next thing is
    /// due rather than polling matters: a simulator runs thousands of agents in one process.
    func wake(now: ContinuousClock.Instant, alsoAt: ContinuousClock.Instant?) -> ContinuousClock.Instant {
        var due = [lastHealth + health, lastPlays + plays]
        if let alsoAt { due.append(alsoAt) }
        if let readings { due.append(lastReadings + readings) }
        return max(min(due.min()!, now + Self.longestSleep), now + .milliseconds(10))
    }

    /// What is due at `now`; marks it sent.
    mutating func take(now: ContinuousClock.Instant) -> Due {
        var due = Due()
        if now - lastHealth >= health {
            lastHealth = now
            due.health = true
        }
        if now - lastPlays >= plays {
            lastPlays = now
            due.plays = true
        }
        if let readings, now - lastReadings >= readings {
            lastReadings = now
            due.readings = true
        }
        return due
    }
}
