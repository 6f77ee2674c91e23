import Foundation
import Synchronization
import TentacleCore

/// The latest value of every series, in memory, and the subscribers who want each change.
///
/// Ingest publishes every stored batch here after it commits; Server-Sent Events subscribers
/// get a snapshot first and then one event per source and batch.
final class LiveReadings: Sendable {
    /// One source's new latest values.
    struct Change: Sendable, Encodable {
        var source: String
        var values: [Value]
    }

    struct Value: Sendable, Encodable {
        var metric: String
        var time: String
        var value: Double
    }

    private struct State {
        var latest: [String: [String: (time: Int64, value: Double)]] = [:]
        var subscribers: [UUID: AsyncStream<Change>.Continuation] = [:]
    }

    private let state = Mutex(State())
    /// Changes waiting per subscriber before the oldest are dropped: a slow client must not hold memory.
    static let bufferPerSubscriber = 1024

    /// Records the stored batches' readings and tells every subscriber what changed.
    func publish(_ batches: [ReadingBatch]) {
        var changes: [Change] = []
        let subscribers: [AsyncStream<Change>.Continuation] = state.withLock { state in
            for batch in batches {
                var series = state.latest[batch.source] ?? [:]
                var changed: [String: (time: Int64, value: Double)] = [:]
                for r in batch.readings where (series[r.metric]?.time ?? .min) <= r.time {
                    series[r.metric] = (r.time, r.value)
                    changed[r.metric] = (r.time, r.value)
                }
                state.latest[batch.source] = series
                if !changed.isEmpty { changes.append(Self.change(batch.source, changed)) }
            }
            return Array(state.subscribers.values)
        }
        for change in changes {
            for subscriber in subscribers { subscriber.yield(change) }
        }
    }

    /// The current latest values and a stream of every later change, until `cancel` is called.
    func subscribe() -> (snapshot: [Change], changes: AsyncStream<Change>, cancel: @Sendable () -> Void) {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: Change.self, bufferingPolicy: .bufferingNewest(Self.bufferPerSubscriber))
        let snapshot = state.withLock { state in
            state.subscribers[id] = continuation
            return state.latest.keys.sorted().map { Self.change($0, state.latest[$0]!) }
        }
        let cancel: @Sendable () -> Void = { [weak self] in
            let removed = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
            removed?.finish()
        }
        continuation.onTermination = { _ in cancel() }
        return (snapshot, stream, cancel)
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    private static func change(_ source: String, _ values: [String: (time: Int64, value: Double)]) -> Change {
        Change(
            source: source,
            values: values.keys.sorted().map { metric in
                let v = values[metric]!
                return Value(metric: metric, time: ReadingTime.format(v.time) ?? "", value: v.value)
            })
    }
}
