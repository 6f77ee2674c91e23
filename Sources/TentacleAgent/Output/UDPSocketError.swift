/// A UDP destination that could not be looked up or reached: the host and port at fault and why.
public struct UDPSocketError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case resolve
        case open
        case send
    }

    private let code: Code
    /// "host:port" as configured.
    public let destination: String
    /// The system's words for what went wrong.
    public let reason: String

    private init(_ code: Code, _ destination: String, _ reason: String) {
        self.code = code
        self.destination = destination
        self.reason = reason
    }

    static func resolve(_ destination: String, _ reason: String) -> Self { .init(.resolve, destination, reason) }
    static func open(_ destination: String, _ reason: String) -> Self { .init(.open, destination, reason) }
    static func send(_ destination: String, _ reason: String) -> Self { .init(.send, destination, reason) }

    public var description: String {
        switch code {
        case .resolve: "cannot resolve \(destination): \(reason)"
        case .open: "cannot open a UDP socket for \(destination): \(reason)"
        case .send: "cannot send to \(destination): \(reason)"
        }
    }
}
