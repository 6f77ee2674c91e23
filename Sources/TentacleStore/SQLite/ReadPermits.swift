import Synchronization

/// At most `limit` reads of one store in flight; the others wait as suspended tasks.
///
/// GRDB's async read takes a Dispatch thread and blocks it until one of the pool's reader
/// connections is free. With more reads in flight than readers, every waiting read holds a
/// thread; past the process's Dispatch thread limit the readers' own work finds no thread to run
/// on and every store in the process stops for good (seen as a hung test run: 255 threads in
/// `Pool.get`). Keeping reads to the number of readers means a read never waits on a thread.
final class ReadPermits: Sendable {
    private struct State {
        var available: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(available: limit))
    }

    func acquire() async {
        let granted = state.withLock { s -> Bool in
            guard s.available > 0 else { return false }
            s.available -= 1
            return true
        }
        if granted { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                // A permit may have come back meanwhile.
                if s.available > 0 {
                    s.available -= 1
                    return true
                }
                s.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.head < s.waiting.count {
                let c = s.waiting[s.head]
                s.head += 1
                if s.head > 64 && s.head * 2 > s.waiting.count {
                    s.waiting.removeFirst(s.head)
                    s.head = 0
                }
                return c
            }
            s.available += 1
            return nil
        }
        next?.resume()
    }

    /// Runs `body` holding a permit.
    func with<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }
}
