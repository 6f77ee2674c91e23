import Foundation
import HummingbirdWSClient
import TentacleCore

/// The agent's end of the channel: the socket's writer while connected, whether the server has
/// welcomed this connection, when it was last heard from, and how long to wait before the next
/// attempt. Pure bookkeeping; the agent does the connecting and the sending.
struct ServerLink {
    /// Where to write while connected.
    private(set) var outbound: WebSocketOutboundWriter?
    /// The server sent `welcome` on this connection, so reports may go out at once.
    private(set) var welcomed = false
    /// The server asks for a ping answer at least this often; three missed ones end the link.
    private(set) var heartbeat: Duration = .seconds(20)
    private(set) var lastHeard = ContinuousClock.now
    /// Which of the configured servers the next attempt goes to.
    private(set) var server = 0
    /// The attempt under way was welcomed: a good connection starts the backoff over.
    private var welcomedThisAttempt = false
    private var failures = 0
    private var random: SplitMix64
    private let initialBackoff: Duration
    private let maximumBackoff: Duration

    init(configuration: AgentConfiguration) {
        random = SplitMix64(seed: configuration.seed)
        initialBackoff = configuration.initialBackoff
        maximumBackoff = configuration.maximumBackoff
    }

    mutating func attach(_ writer: WebSocketOutboundWriter) {
        outbound = writer
        lastHeard = .now
    }

    /// Something arrived from the server.
    mutating func heard() { lastHeard = .now }

    mutating func welcome(heartbeatSeconds: Int) {
        heartbeat = .seconds(max(1, heartbeatSeconds))
        welcomed = true
        welcomedThisAttempt = true
    }

    /// Forgets the connection; true if it had been welcomed, so the owner tells of the disconnect.
    mutating func detach() -> Bool {
        guard outbound != nil || welcomed else { return false }
        let was = welcomed
        outbound = nil
        welcomed = false
        return was
    }

    /// When the server will have been silent for three heartbeats, while connected.
    var silenceDeadline: ContinuousClock.Instant? { outbound == nil ? nil : lastHeard + heartbeat * 3 }

    /// The delay before the next attempt, once one has ended, and where it goes. An attempt that
    /// was not welcomed moves on to the next of `servers`; one that was tries the same server
    /// again. Exponential backoff with jitter, between half and all of initial × 2^(rounds−1),
    /// capped, where rounds counts the passes through every server since the last welcomed
    /// connection, so a node that is down costs its displays one short wait before the next.
    mutating func nextDelay(servers: Int = 1) -> Duration {
        if welcomedThisAttempt {
            failures = 0
        } else if servers > 1 {
            server = (server + 1) % servers
        }
        welcomedThisAttempt = false
        failures += 1
        let rounds = (failures - 1) / max(1, servers) + 1
        let initial = Self.seconds(initialBackoff), cap = Self.seconds(maximumBackoff)
        let full = min(cap, initial * pow(2, Double(min(rounds - 1, 30))))
        return .milliseconds(Int(full * random.double(in: 0.5...1.0) * 1000))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
