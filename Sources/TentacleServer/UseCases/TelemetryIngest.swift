import Foundation
import TentacleCore
import TentacleStore

/// Readings into the store, whoever sends them: HTTP ingest (JSON, NDJSON, CSV, line protocol) and
/// the display channel's `readings` and `health` take this one path — the metric catalogue, the
/// same validation and limits, the caller's districts, the group commit, then live subscribers.
struct TelemetryIngest: Sendable {
    let repository: any TelemetryRepository & DisplayRepository & SensorRepository
    let catalogue: TelemetryCache
    let writes: GroupCommit<[ReadingBatch], [BatchOutcome]>
    let live: LiveReadings
    /// The other nodes' live streams, which hear what this node stored.
    let relay: NodeRelay
    /// Judges what was stored against the city rules.
    let rules: RuleService
    let retention: RetentionPolicy
    let clock: @Sendable () -> Date

    /// What a request's batches became, and what was refused of them.
    struct Result: Sendable {
        var outcomes: [BatchOutcome]
        var issues: [FieldIssue]
        var storedAny: Bool { outcomes.contains { if case .stored = $0.result { true } else { false } } }
    }

    /// What one display's batch became: stored or known before, and how many readings were refused.
    struct DeviceResult: Sendable {
        var duplicate: Bool
        var refused: Int
        /// Why readings were refused, when some were.
        var reason: String?
    }

    var limits: ReadingLimits { ReadingLimits(retention: retention) }

    /// Checks everything a caller sent and stores what may be stored; once this returns it has
    /// committed and live subscribers have heard it. Refuses (`invalid`) when nothing may be stored.
    func ingest(_ parsed: ParsedReadings, mode: BatchMode, as caller: Principal) async throws -> Result {
        var check = BatchValidation.check(parsed, catalogue: try await catalogue.metrics(repository), now: clock(), mode: mode, limits: limits)
        if case .only = caller.scope {
            var refused: [String] = []
            for source in Set(parsed.batches.map(\.batch.source)).sorted() where try await !visible(source, to: caller) {
                refused.append(source)
            }
            if !refused.isEmpty {
                check.accepted = mode == .allOrNothing ? [] : check.accepted.filter { !refused.contains($0.source) }
                check.issues = refused.map { FieldIssue(field: "source", message: "display '\($0.prefix(80))' not found in your districts") } + check.issues
            }
        }
        if check.accepted.isEmpty {
            if check.issues.isEmpty { throw DomainError(.invalid, "the request holds no readings", field: "readings") }
            throw DomainError(
                .invalid, "readings refused, nothing stored: \(ValidationError(check.issues).summary)",
                field: check.issues.first?.field, issues: check.issues)
        }
        let outcomes = try await writes.write(check.accepted)
        let stored = zip(check.accepted, outcomes).compactMap { batch, outcome in
            if case .stored = outcome.result { batch } else { nil }
        }
        live.publish(stored)
        relay.stored(stored)
        rules.observe(stored)
        return Result(outcomes: outcomes, issues: check.issues)
    }

    /// One display's batch, of its own readings, kept where it can be (partial mode). Does not wait
    /// for the commit, so a channel worker goes on at once: `settled` is called once the batch's
    /// transaction is over (or at once, when nothing in it can ever be stored).
    func submit(_ batch: ReadingBatch, settled: @escaping @Sendable (Swift.Result<DeviceResult, any Error>) -> Void) async throws {
        let check = BatchValidation.check(batch, catalogue: try await catalogue.metrics(repository), now: clock(), mode: .partial, limits: limits)
        let refused = batch.readings.count - (check.accepted?.readings.count ?? 0)
        let reason = check.issues.isEmpty ? nil : ValidationError(check.issues).summary
        guard let accepted = check.accepted, !accepted.readings.isEmpty else {
            return settled(.success(DeviceResult(duplicate: false, refused: refused, reason: reason ?? "no readings")))
        }
        let live = self.live, rules = self.rules, relay = self.relay
        writes.submit([accepted]) { result in
            settled(result.map { outcomes in
                let duplicate = if case .duplicate = outcomes.first?.result { true } else { false }
                if !duplicate {
                    live.publish([accepted])
                    relay.stored([accepted])
                    rules.observe([accepted])
                }
                return DeviceResult(duplicate: duplicate, refused: refused, reason: reason)
            })
        }
    }

    /// Whether the caller may see or write a source: unscoped users every source, scoped users
    /// only displays and registered sensors in their districts.
    func visible(_ source: String, to caller: Principal) async throws -> Bool {
        guard case .only = caller.scope else { return true }
        if let display = try await repository.display(id: source) { return caller.scope.contains(display.district) }
        if let sensor = try await repository.sensor(id: source) { return caller.scope.contains(sensor.district) }
        return false
    }
}
