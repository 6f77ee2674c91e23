import Foundation
public import TentacleAgent
public import TentacleCore
public import TentacleRender

/// Server messages that many simulated displays in one process receive byte for byte alike (a
/// schedule pushed to a whole district, an alert), decoded once. Real players decode their own.
public final class SharedMessages: MessageSharing {
    private let decoded: BoundedCache<Result<ServerMessage, ChannelError>>
    private let layouts: BoundedCache<Result<Layout, LayoutError>>
    static let sharedTypes: Set<String> = ["schedule", "alert", "alertCancel"]

    public init(capacity: Int = 32) {
        decoded = BoundedCache(capacity: capacity)
        layouts = BoundedCache(capacity: capacity)
    }

    /// A layout document decoded once for every display that plays it.
    public func layout(_ document: String) throws(LayoutError) -> Layout {
        try layouts.value(document) {
            do throws(LayoutError) {
                return .success(try Layout(json: Data(document.utf8)))
            } catch {
                return .failure(error)
            }
        }.get()
    }

    /// The value of the first `"type":"…"` in `text`, found on its bytes. Nested JSON sits inside
    /// strings with its quotes escaped, so the first unescaped match is the message's own type.
    static func topLevelType(_ text: String) -> String? {
        let pattern = Array(#""type":""#.utf8)
        var text = text
        return text.withUTF8 { bytes -> String? in
            guard bytes.count > pattern.count else { return nil }
            var i = 0
            while i + pattern.count <= bytes.count {
                if bytes[i] == pattern[0] && bytes[i..<(i + pattern.count)].elementsEqual(pattern) {
                    let start = i + pattern.count
                    var end = start
                    while end < bytes.count && bytes[end] != UInt8(ascii: "\"") && end - start < 32 { end += 1 }
                    guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                }
                i += 1
            }
            return nil
        }
    }

    public func decode(_ text: String) throws(ChannelError) -> ServerMessage {
        // Only what goes to many displays alike; a welcome, say, carries each display's own record.
        // Keys are sorted and nested JSON sits inside strings, so the top-level type appears unescaped once.
        guard let type = Self.topLevelType(text), Self.sharedTypes.contains(type) else { return try ServerMessage.decode(Array(text.utf8)) }
        return try decoded.value(text) {
            do throws(ChannelError) {
                return .success(try ServerMessage.decode(Array(text.utf8)))
            } catch {
                return .failure(error)
            }
        }.get()
    }
}
