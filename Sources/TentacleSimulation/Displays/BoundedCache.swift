import Synchronization

/// A small shared memo for simulated displays: a value per key, computed once; when full it starts
/// over rather than tracking use, since the entries that matter are the few of the moment.
final class BoundedCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func value(_ key: String, make: () -> Value) -> Value {
        if let value = entries.withLock({ $0[key] }) { return value }
        let value = make()
        entries.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = value
        }
        return value
    }
}
