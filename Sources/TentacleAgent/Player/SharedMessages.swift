import Foundation
import Synchronization
public import TentacleCore
import TentacleRender

/// Server messages that many simulated displays in one process receive byte for byte alike (a
/// schedule pushed to a whole district, an alert), decoded once. Real players decode their own.
public final class SharedMessages: Sendable {
    private let decoded = Mutex<[String: ServerMessage]>([:])
    private let layouts = Mutex<[String: Result<Layout, LayoutError>]>([:])
    private let capacity: Int
    static let sharedTypes = [#""type":"schedule""#, #""type":"alert""#, #""type":"alertCancel""#]

    public init(capacity: Int = 32) {
        self.capacity = capacity
    }

    /// A layout document decoded once for every display that plays it.
    func layout(_ document: String) throws(LayoutError) -> Layout {
        if let known = layouts.withLock({ $0[document] }) { return try known.get() }
        let result: Result<Layout, LayoutError>
        do {
            result = .success(try Layout(json: Data(document.utf8)))
        } catch {
            result = .failure(error)
        }
        layouts.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[document] = result
        }
        return try result.get()
    }

    func decode(_ text: String) throws(ChannelError) -> ServerMessage {
        // Only what goes to many displays alike; a welcome, say, carries each display's own record.
        // Keys are sorted and nested JSON sits inside strings, so the top-level type appears unescaped once.
        guard Self.sharedTypes.contains(where: { text.contains($0) }) else { return try ServerMessage.decode(Array(text.utf8)) }
        if let message = decoded.withLock({ $0[text] }) { return message }
        let message = try ServerMessage.decode(Array(text.utf8))
        decoded.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[text] = message
        }
        return message
    }
}
