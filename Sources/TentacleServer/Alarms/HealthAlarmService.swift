import Foundation
import Logging
import ServiceLifecycle
import TentacleCore
import TentacleStore

/// Display health alarms at work: what display channels report (health, supply voltage, coming
/// and going) goes through the `HealthAlarms` evaluator in order, and every raise, change of
/// severity and clear is stored, where operators acknowledge it. Open alarms are read back at
/// start, so a restart raises nothing twice; every display starts as away, so one that does not
/// come back is offline `offlineMinutes` after the start.
actor HealthAlarmService: Service {
    private let store: any Storage
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let inbox: AsyncStream<HealthObservation>
    private let input: AsyncStream<HealthObservation>.Continuation
    private var alarms = HealthAlarms()

    init(store: any Storage, clock: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
        (inbox, input) = AsyncStream.makeStream(of: HealthObservation.self, bufferingPolicy: .bufferingOldest(100_000))
    }

    /// Something a display channel learnt; never waits.
    nonisolated func observe(_ observation: HealthObservation) {
        input.yield(observation)
    }

    func run() async throws {
        try await start()
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await observation in self.inbox { await self.take(observation) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    await self.take(.advance(to: Reading.milliseconds(self.clock())))
                }
            }
            try? await gracefulShutdown()
            input.finish()
            group.cancelAll()
        }
    }

    /// Reads the open alarms back and counts every display away from now.
    private func start() async throws {
        alarms.restore(try await store.openAlarms().map(\.event))
        let now = Reading.milliseconds(clock())
        for display in try await store.everyDisplay() {
            _ = alarms.observe(.disconnected(display: display.id, at: now))
        }
    }

    private func take(_ observation: HealthObservation) async {
        for event in alarms.observe(observation) {
            do {
                try await store.applyAlarmEvent(event)
                logger.info("alarm \(event.change.rawValue)", metadata: ["display": "\(event.display)", "kind": "\(event.kind.rawValue)", "message": "\(event.message)"])
            } catch {
                logger.failure("an alarm could not be stored", error, metadata: ["display": "\(event.display)"])
            }
        }
    }
}
