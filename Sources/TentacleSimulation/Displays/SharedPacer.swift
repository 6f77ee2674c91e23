public import TentacleAgent
import Synchronization

/// One timer for the frame loops of every simulated display in the process. Waiting loops are
/// kept by the `granularity` slot their deadline falls in, and one ticker wakes each slot's
/// loops together, no earlier than their deadlines and at most a slot late. Five thousand
/// displays deciding once a second are then fifty-odd timer wake-ups a second instead of five
/// thousand, each with its own timer to arm and its own system calls.
public final class SharedPacer: FramePacing {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var slots: [Int64: [Waiter]] = [:]
        var nextId: UInt64 = 0
        var ticking = false
    }

    public let granularity: Duration
    private let origin = ContinuousClock.now
    private let state = Mutex(State())

    public init(granularity: Duration = .milliseconds(5)) {
        precondition(granularity > .zero, "a pacer needs a positive granularity")
        self.granularity = granularity
    }

    /// Loops waiting now, for tests.
    var waiting: Int { state.withLock { $0.slots.values.reduce(0) { $0 + $1.count } } }

    public func wait(until deadline: ContinuousClock.Instant) async {
        guard deadline > .now, !Task.isCancelled else { return }
        let slot = self.slot(of: deadline)
        let id = state.withLock { s in
            defer { s.nextId += 1 }
            return s.nextId
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // A loop cancelled before it waits goes on at once; one cancelled while it
                // waits is taken out of its slot by the handler below.
                guard !Task.isCancelled else { return continuation.resume() }
                let start = state.withLock { s -> Bool in
                    s.slots[slot, default: []].append(Waiter(id: id, continuation: continuation))
                    defer { s.ticking = true }
                    return !s.ticking
                }
                if start { Task { await self.tick() } }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> Waiter? in
                guard let index = s.slots[slot]?.firstIndex(where: { $0.id == id }) else { return nil }
                return s.slots[slot]?.remove(at: index)
            }
            cancelled?.continuation.resume()
        }
    }

    private var nanoseconds: Int64 {
        let (seconds, attoseconds) = granularity.components
        return max(1, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// The first slot that starts at or after `instant`.
    func slot(of instant: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (instant - origin).components
        let since = seconds * 1_000_000_000 + attoseconds / 1_000_000_000 + (attoseconds % 1_000_000_000 > 0 ? 1 : 0)
        let size = nanoseconds
        return since <= 0 ? 0 : (since + size - 1) / size
    }

    func start(of slot: Int64) -> ContinuousClock.Instant { origin + .nanoseconds(slot * nanoseconds) }

    /// Wakes slot after slot, each at its start, until no loop waits. It wakes every slot while
    /// any loop waits, so a loop that comes in with an earlier deadline than the others is not late.
    private func tick() async {
        var slot = self.slot(of: .now)
        while true {
            let at = start(of: slot)
            if at > .now { try? await Task.sleep(until: at, clock: .continuous) }
            let due = state.withLock { s -> [Waiter]? in
                guard !s.slots.isEmpty else {
                    s.ticking = false
                    return nil
                }
                return s.slots.keys.filter { $0 <= slot }.flatMap { s.slots.removeValue(forKey: $0) ?? [] }
            }
            guard let due else { return }
            for waiter in due { waiter.continuation.resume() }
            slot = max(slot + 1, self.slot(of: .now))
        }
    }
}
