import Foundation
import HummingbirdWebSocket
import NIOWebSocket
import Synchronization
import TentacleCore
import TentacleStore

/// One display's open channel: where to write, and what the server knows of the agent.
final class DeviceSession: Sendable {
    struct State {
        var display: Display
        /// The schedule version the agent holds, as far as the server knows.
        var scheduleVersion: String?
        var greeted = false
        var badMessages = 0
        var lastHeard: ContinuousClock.Instant
        /// Online, or degraded when the last health report said so.
        var status: DisplayStatus = .online
        /// Alerts the agent has shown (acknowledged) or was told to drop.
        var settledAlerts: Set<String> = []
    }

    let id: Int
    let displayId: String
    private let outbound: WebSocketOutboundWriter
    let state: Mutex<State>

    init(id: Int, display: Display, outbound: WebSocketOutboundWriter) {
        self.id = id
        self.displayId = display.id
        self.outbound = outbound
        self.state = Mutex(State(display: display, lastHeard: .now))
    }

    var display: Display { state.withLock { $0.display } }

    /// Writes one text message; a connection that is going away just drops it.
    func send(_ text: String) async {
        try? await outbound.writeTextMessage(text)
    }

    func send(_ message: ServerMessage) async {
        await send(String(decoding: message.encoded(), as: UTF8.self))
    }

    func close(_ code: WebSocketErrorCode, reason: String) async {
        try? await outbound.close(code, reason: reason)
    }
}

/// An operator's command to a display and what became of it.
struct CommandRecord: Codable, Sendable, Hashable {
    var id: String
    var command: String
    var level: Int?
    var auto: Bool?
    var seconds: Int?
    var issuedBy: String
    var issuedAt: Date
    /// "sent", "done" or "failed".
    var state: String
    var message: String?
    var finishedAt: Date?
}

/// The open channels by display, presence waiting to be written, and recent commands.
///
/// A display has at most one session: a new connection replaces the old one, which is closed.
final class ChannelHub: Sendable {
    private struct State {
        var sessions: [String: DeviceSession] = [:]
        var nextId = 0
        var presence: [String: PresenceUpdate] = [:]
        var commands: [String: [CommandRecord]] = [:]
    }

    private let state = Mutex(State())
    let heartbeat: Duration
    let clock: @Sendable () -> Date
    /// Most bad messages a device may send on one connection before it is closed with 1008.
    let badMessageLimit: Int

    init(heartbeat: Duration, badMessageLimit: Int = 10, clock: @escaping @Sendable () -> Date) {
        self.heartbeat = heartbeat
        self.badMessageLimit = badMessageLimit
        self.clock = clock
    }

    /// Registers a new session for the display; returns the one it replaces, if any.
    func open(display: Display, outbound: WebSocketOutboundWriter) -> (DeviceSession, replaced: DeviceSession?) {
        state.withLock { s in
            s.nextId += 1
            let session = DeviceSession(id: s.nextId, display: display, outbound: outbound)
            let old = s.sessions.updateValue(session, forKey: display.id)
            return (session, old)
        }
    }

    /// Forgets the session unless a newer one took its place; the display goes offline.
    func close(_ session: DeviceSession) {
        let now = clock()
        state.withLock { s in
            guard s.sessions[session.displayId]?.id == session.id else { return }
            s.sessions[session.displayId] = nil
            s.presence[session.displayId] = PresenceUpdate(displayId: session.displayId, status: .offline, lastSeen: now)
        }
    }

    /// The `welcome` for `display`: its record as the registry holds it, the server's time and the heartbeat.
    func welcome(_ display: Display) -> ServerMessage {
        .welcome(.init(display: display, serverTime: Reading.milliseconds(clock()), heartbeatSeconds: Int(heartbeat.components.seconds)))
    }

    /// Closes the display's channel because the token it opened with is no longer valid (rotated,
    /// revoked, or the display deleted); the agent has to come back with a valid token.
    func disconnect(_ displayId: String, reason: String) async {
        guard let session = session(displayId) else { return }
        await session.close(.policyViolation, reason: reason)
    }

    func session(_ displayId: String) -> DeviceSession? {
        state.withLock { $0.sessions[displayId] }
    }

    var sessions: [DeviceSession] {
        state.withLock { Array($0.sessions.values) }
    }

    func isConnected(_ displayId: String) -> Bool {
        state.withLock { $0.sessions[displayId] != nil }
    }

    /// Notes that the display was heard from.
    func heard(_ session: DeviceSession) {
        let now = clock()
        let status = session.state.withLock { s in
            s.lastHeard = .now
            return s.status
        }
        state.withLock { s in
            guard s.sessions[session.displayId]?.id == session.id else { return }
            s.presence[session.displayId] = PresenceUpdate(displayId: session.displayId, status: status, lastSeen: now)
        }
    }

    /// Presence changes since the last call, to be written in one transaction.
    func takePresence() -> [PresenceUpdate] {
        state.withLock { s in
            defer { s.presence = [:] }
            return s.presence.values.sorted { $0.displayId < $1.displayId }
        }
    }

    /// Counts a bad message on the session; true when it crossed the limit.
    func countBadMessage(_ session: DeviceSession) -> Bool {
        session.state.withLock { s in
            s.badMessages += 1
            return s.badMessages > badMessageLimit
        }
    }

    // MARK: Commands

    static let commandsKept = 20

    func recordCommand(_ record: CommandRecord, for displayId: String) {
        state.withLock { s in
            var list = s.commands[displayId] ?? []
            list.append(record)
            if list.count > Self.commandsKept { list.removeFirst(list.count - Self.commandsKept) }
            s.commands[displayId] = list
        }
    }

    func finishCommand(_ id: String, displayId: String, ok: Bool, message: String?) {
        let now = clock()
        state.withLock { s in
            guard var list = s.commands[displayId], let i = list.firstIndex(where: { $0.id == id }) else { return }
            list[i].state = ok ? "done" : "failed"
            list[i].message = message
            list[i].finishedAt = now
            s.commands[displayId] = list
        }
    }

    func commands(of displayId: String) -> [CommandRecord] {
        state.withLock { Array(($0.commands[displayId] ?? []).reversed()) }
    }
}
