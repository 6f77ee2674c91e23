import Synchronization

/// Writes that arrive one by one from many displays, committed together.
///
/// While one transaction is being written and synced, the writes that arrive wait; the next
/// transaction takes all of them (up to `maxBatch`). Nothing waits on a timer: a lone write
/// goes out at once, and under load each sync carries many writes instead of one. Each write's
/// `then` runs after the transaction that holds it committed (or failed), so a display is told
/// `received` only for what is durable. When a shared transaction fails, its writes are tried
/// one by one, so one bad write does not fail the others.
final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    typealias Completion = @Sendable (Result<Outcome, any Error>) -> Void

    private struct State {
        var pending: [(item: Item, then: Completion)] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let maxBatch: Int
    private let commit: @Sendable ([Item]) async throws -> [Outcome]

    /// `commit` writes the items in one transaction and returns one outcome per item, in order.
    init(maxBatch: Int = 1000, commit: @escaping @Sendable ([Item]) async throws -> [Outcome]) {
        self.maxBatch = max(1, maxBatch)
        self.commit = commit
    }

    /// Queues `item`; `then` is called once its transaction has committed or failed.
    func submit(_ item: Item, then: @escaping Completion) {
        let start = state.withLock { s in
            s.pending.append((item, then))
            guard !s.draining else { return false }
            s.draining = true
            return true
        }
        if start { Task { await drain() } }
    }

    /// Queues `item` and waits for its transaction.
    func write(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            submit(item) { continuation.resume(with: $0) }
        }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { s -> [(item: Item, then: Completion)] in
                guard !s.pending.isEmpty else {
                    s.draining = false
                    return []
                }
                let taken = Array(s.pending.prefix(maxBatch))
                s.pending.removeFirst(taken.count)
                return taken
            }
            if batch.isEmpty { return }
            do {
                let outcomes = try await commit(batch.map(\.item))
                precondition(outcomes.count == batch.count, "a group commit must answer every item")
                for (entry, outcome) in zip(batch, outcomes) { entry.then(.success(outcome)) }
            } catch where batch.count > 1 {
                // One bad write must not fail the others: commit them one by one.
                for entry in batch {
                    do {
                        let outcomes = try await commit([entry.item])
                        precondition(outcomes.count == 1, "a group commit must answer every item")
                        entry.then(.success(outcomes[0]))
                    } catch {
                        entry.then(.failure(error))
                    }
                }
            } catch {
                for entry in batch { entry.then(.failure(error)) }
            }
        }
    }
}
