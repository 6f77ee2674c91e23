import Foundation
import TentacleCore
import TentacleRender

/// Server messages that many simulated displays in one process receive byte for byte alike (a
/// schedule pushed to a whole district, an alert), decoded once. Real players decode their own.
public final class SharedMessages: Sendable {
    private let decoded: BoundedCache<Result<ServerMessage, ChannelError>>
    private let layouts: BoundedCache<Result<Layout, LayoutError>>
    static let sharedTypes = [#""type":"schedule""#, #""type":"alert""#, #""type":"alertCancel""#]

    public init(capacity: Int = 32) {
        decoded = BoundedCache(capacity: capacity)
        layouts = BoundedCache(capacity: capacity)
    }

    /// A layout document decoded once for every display that plays it.
    func layout(_ document: String) throws(LayoutError) -> Layout {
        try layouts.value(document) {
            do throws(LayoutError) {
                return .success(try Layout(json: Data(document.utf8)))
            } catch {
                return .failure(error)
            }
        }.get()
    }

    func decode(_ text: String) throws(ChannelError) -> ServerMessage {
        // Only what goes to many displays alike; a welcome, say, carries each display's own record.
        // Keys are sorted and nested JSON sits inside strings, so the top-level type appears unescaped once.
        guard Self.sharedTypes.contains(where: { text.contains($0) }) else { return try ServerMessage.decode(Array(text.utf8)) }
        return try decoded.value(text) {
            do throws(ChannelError) {
                return .success(try ServerMessage.decode(Array(text.utf8)))
            } catch {
                return .failure(error)
            }
        }.get()
    }
}
