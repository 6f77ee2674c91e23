import Hummingbird
import HummingbirdWebSocket

extension HTTP1WebSocketUpgradeChannel.Configuration {
    /// The display channel's WebSocket settings. The server pings at the protocol level (it
    /// needs the answer for presence anyway), so the framework's own ping task per connection
    /// is off; frames up to 64 KiB, larger messages are split into continuation frames.
    static var channel: Self {
        .init(ws: WebSocketServerConfiguration(maxFrameSize: 1 << 16, autoPing: .disabled, closeTimeout: .seconds(5)))
    }
}
