public import Foundation
public import TentacleRender

/// How an agent runs; the defaults suit a real panel.
public struct AgentConfiguration: Sendable {
    /// Manual brightness or following the light.
    public enum Brightness: Hashable, Sendable {
        case auto
        case fixed(Int)
    }

    /// The server's base URL, `http://host:port` (or `ws://`; https/wss for TLS).
    public var server: String
    /// Other nodes of the same city to fail over to, tried in turn after `server` when a
    /// connection cannot be made.
    public var fallbackServers: [String] = []
    /// The display's device token.
    public var token: String
    /// Frames per second; 0 decides what plays once a second but draws no frames (simulated displays).
    public var fps: Double = 25
    /// Where the cache lives; nil keeps it in memory (the simulator).
    public var cacheDirectory: URL?
    public var brightness: Brightness = .auto
    public var autoBrightness = AutoBrightness()
    public var gamma: OutputStage.Gamma = .power(2.2)
    public var healthInterval: Duration = .seconds(60)
    public var playLogInterval: Duration = .seconds(30)
    /// How often the sensors' city readings (PM2.5, noise, temperature) are reported; nil for none.
    public var readingsInterval: Duration?
    /// Where light, panel temperature and city readings come from; nil for a panel without sensors.
    public var sensors: (any SensorSource)?
    /// Seeds the reconnect jitter.
    public var seed: UInt64 = 1
    /// First reconnect delay; it doubles after each failure up to `maximumBackoff`, and each
    /// delay is drawn between half and all of that, so a city of displays does not return at once.
    public var initialBackoff: Duration = .milliseconds(500)
    public var maximumBackoff: Duration = .seconds(30)
    /// Panel size to announce before the server has sent the display record.
    public var width = 0
    public var height = 0

    public init(server: String, token: String) {
        self.server = server
        self.token = token
    }

    /// The channel URL of `server` and of each fallback, in the order they are tried.
    public func channelURLs() throws(AgentError) -> [String] {
        try ([server] + fallbackServers).map { server throws(AgentError) in try Self.channelURL(server) }
    }

    /// `ws(s)://host:port/v1/devices/channel` from the base URL, or why it is not usable.
    public func channelURL() throws(AgentError) -> String { try Self.channelURL(server) }

    static func channelURL(_ server: String) throws(AgentError) -> String {
        var base = server.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        let schemes = ["http://": "ws://", "https://": "wss://", "ws://": "ws://", "wss://": "wss://"]
        guard let (from, to) = schemes.first(where: { base.lowercased().hasPrefix($0.key) }) else {
            throw AgentError("server '\(server.prefix(100))' must start with http://, https://, ws:// or wss://")
        }
        let rest = base.dropFirst(from.count)
        guard !rest.isEmpty, !rest.contains(" ") else { throw AgentError("server '\(server.prefix(100))' has no host") }
        return to + rest + "/v1/devices/channel"
    }
}

/// A problem the agent cannot work around, said plainly.
public struct AgentError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
