import Foundation
import Synchronization

/// Sequence numbers for requests that bring none: microseconds of arrival, kept strictly
/// increasing so no two requests of this process share one, and still increasing after a
/// restart as long as the clock does.
final class ArrivalSequencer: Sendable {
    private let last = Mutex<Int64>(0)

    func next(now: Date) -> Int64 {
        let micros = Int64(now.timeIntervalSince1970 * 1_000_000)
        return last.withLock { last in
            last = max(last + 1, micros)
            return last
        }
    }
}
