import Foundation
import NIOCore
import NIOWebSocket
import Synchronization
import TentacleCore
import TentacleStore

/// One display's open channel: where to write, and what the server knows of the agent.
///
/// Writes go straight to the NIO channel from any thread; a message shared by many displays
/// (a schedule, an alert, a ping) is one buffer that every channel writes without copying.
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
        /// The presence last queued for the store: its status and when.
        var written: (status: DisplayStatus, at: ContinuousClock.Instant)?
        /// Alerts the agent has shown (acknowledged) or was told to drop.
        var settledAlerts: Set<String> = []
        /// The server sent its close frame and waits for the agent's.
        var closing = false
    }

    /// How long a display may leave the server's writes unread before its channel is closed.
    static let slowReaderTimeout: TimeAmount = .seconds(30)
    /// Most messages of one display read and waiting for a worker; past it the display is not
    /// read from until a worker catches up, so one chatty display cannot fill the workers' queues.
    static let maxQueuedMessages = 64
    /// How long the server waits for the agent to answer its close frame.
    static let closeTimeout: TimeAmount = .seconds(5)

    let id: Int
    let displayId: String
    let channel: any NIOCore.Channel
    let state: Mutex<State>
    private let queued = Atomic<Int>(0)

    init(id: Int, display: Display, channel: any NIOCore.Channel) {
        self.id = id
        self.displayId = display.id
        self.channel = channel
        self.state = Mutex(State(display: display, lastHeard: .now))
    }

    var display: Display { state.withLock { $0.display } }

    /// A message as the frames carry it, to post to many sessions without encoding it again.
    static func payload(_ message: ServerMessage) -> ByteBuffer {
        ByteBuffer(bytes: message.encoded())
    }

    static func payload(_ text: String) -> ByteBuffer {
        ByteBuffer(string: text)
    }

    /// Queues one text message and returns at once; for messages that go to many displays.
    /// A message longer than a frame goes out as fragments, written together so that no other
    /// message can come between them.
    func post(_ payload: ByteBuffer) {
        guard payload.readableBytes > DeviceChannel.maxFrameBytes else {
            channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: payload), promise: nil)
            return
        }
        var rest = payload
        var frames: [WebSocketFrame] = []
        var opcode = WebSocketOpcode.text
        while let slice = rest.readSlice(length: min(DeviceChannel.maxFrameBytes, rest.readableBytes)), slice.readableBytes > 0 {
            frames.append(WebSocketFrame(fin: rest.readableBytes == 0, opcode: opcode, data: slice))
            opcode = .continuation
        }
        let channel = self.channel
        channel.eventLoop.execute { [frames] in
            for frame in frames { channel.write(frame, promise: nil) }
            channel.flush()
        }
    }

    /// Queues one message for many displays: one task per event loop writes it to all of that
    /// loop's channels, rather than one hop per display.
    static func post(_ payload: ByteBuffer, to sessions: [DeviceSession]) {
        guard payload.readableBytes <= DeviceChannel.maxFrameBytes else {
            for session in sessions { session.post(payload) }
            return
        }
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, channels: [any NIOCore.Channel])] = [:]
        for session in sessions {
            let loop = session.channel.eventLoop
            byLoop[ObjectIdentifier(loop), default: (loop, [])].channels.append(session.channel)
        }
        let frame = WebSocketFrame(fin: true, opcode: .text, data: payload)
        for (loop, channels) in byLoop.values {
            loop.execute {
                for channel in channels { channel.writeAndFlush(frame, promise: nil) }
            }
        }
    }

    /// Queues one message for this display and returns at once. A shared worker never waits for
    /// one display: a display that stops reading is closed by its channel handler after
    /// `slowReaderTimeout`, and is not read from meanwhile, so what it is sent stays bounded.
    func send(_ message: ServerMessage) {
        post(Self.payload(message))
    }

    /// Counts a message read from the display and handed to a worker; with `maxQueuedMessages`
    /// waiting, its channel handler stops reading from it.
    func queuedMessage() {
        queued.add(1, ordering: .relaxed)
    }

    /// A worker finished a message of this display; reading resumes when its queue was full.
    func handledMessage() {
        let before = queued.subtract(1, ordering: .relaxed).oldValue
        guard before >= Self.maxQueuedMessages else { return }
        let channel = self.channel
        channel.eventLoop.execute { channel.read() }
    }

    /// Whether the channel handler holds reads: the display's queue is full, or it does not read what it is sent.
    var holdsReads: Bool {
        queued.load(ordering: .relaxed) >= Self.maxQueuedMessages || !channel.isWritable
    }

    /// Sends a close frame with `code` and `reason`; the channel closes when the agent answers, or
    /// after `closeTimeout`.
    func close(_ code: WebSocketErrorCode, reason: String) {
        let first = state.withLock { s in
            defer { s.closing = true }
            return !s.closing
        }
        guard first, channel.isActive else { return }
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: Self.closePayload(code, reason: reason)), promise: nil)
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }

    /// A close frame's body: the code and as much of the reason as fits in a control frame (125 bytes).
    static func closePayload(_ code: WebSocketErrorCode, reason: String) -> ByteBuffer {
        var reason = Substring(reason)
        while reason.utf8.count > 123 { reason = reason.dropLast() }
        var buffer = ByteBuffer()
        buffer.write(webSocketErrorCode: code)
        buffer.writeString(String(reason))
        return buffer
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
    /// "sent", "done" or "failed" (also when no answer came within `ChannelHub.commandTimeout`).
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
    /// The other nodes, which may hold the channel of a display this node is asked about.
    let relay: NodeRelay

    init(heartbeat: Duration, badMessageLimit: Int = 10, relay: NodeRelay = .alone, clock: @escaping @Sendable () -> Date) {
        self.heartbeat = heartbeat
        self.badMessageLimit = badMessageLimit
        self.relay = relay
        self.clock = clock
    }

    /// Registers a new session for the display; returns the one it replaces, if any.
    func open(display: Display, channel: any NIOCore.Channel) -> (DeviceSession, replaced: DeviceSession?) {
        state.withLock { s in
            s.nextId += 1
            let session = DeviceSession(id: s.nextId, display: display, channel: channel)
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

    /// The `welcome` for `display`: its record as the registry holds it, the server's time, the
    /// heartbeat and, answering `hello`, the last batch number stored in the agent's epoch.
    func welcome(_ display: Display, lastSeq: Int64? = nil) -> ServerMessage {
        .welcome(.init(
            display: display, serverTime: Reading.milliseconds(clock()), heartbeatSeconds: Int(heartbeat.components.seconds), lastSeq: lastSeq))
    }

    /// Closes the display's channel because the token it opened with is no longer valid (rotated,
    /// revoked, or the display deleted); the agent has to come back with a valid token. Unless
    /// `tellOthers` is false, the other nodes close it too, wherever the display is connected.
    func disconnect(_ displayId: String, reason: String, tellOthers: Bool = true) {
        if tellOthers { relay.send(.disconnect(display: displayId, reason: reason)) }
        guard let session = session(displayId) else { return }
        session.close(.policyViolation, reason: reason)
    }

    func session(_ displayId: String) -> DeviceSession? {
        state.withLock { $0.sessions[displayId] }
    }

    /// The open sessions of the displays in `displayIds`, under one lock.
    func sessions(_ displayIds: [String]) -> [DeviceSession] {
        state.withLock { s in displayIds.compactMap { s.sessions[$0] } }
    }

    var sessions: [DeviceSession] {
        state.withLock { Array($0.sessions.values) }
    }

    func isConnected(_ displayId: String) -> Bool {
        state.withLock { $0.sessions[displayId] != nil }
    }

    /// Notes that the display was heard from. A new status is written with the next flush; the
    /// last-seen time alone at most once a heartbeat, which keeps it well inside the three
    /// heartbeats after which a display counts as gone, and spares the store a write per display
    /// when the whole city answers at once (an alert's acknowledgements).
    func heard(_ session: DeviceSession) {
        let now = clock()
        let instant = ContinuousClock.now
        let status: DisplayStatus? = session.state.withLock { s in
            s.lastHeard = instant
            if let written = s.written, written.status == s.status, instant - written.at < heartbeat { return nil }
            s.written = (s.status, instant)
            return s.status
        }
        guard let status else { return }
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
    /// A command no display answered within this long is failed: its display looked online but
    /// was gone, or no node held its channel. An answer that still comes counts.
    static let commandTimeout: Duration = .seconds(60)

    func recordCommand(_ record: CommandRecord, for displayId: String) {
        state.withLock { s in
            var list = s.commands[displayId] ?? []
            list.append(record)
            if list.count > Self.commandsKept { list.removeFirst(list.count - Self.commandsKept) }
            s.commands[displayId] = list
        }
    }

    /// What became of a command; unless `tellOthers` is false, the other nodes' histories learn it too.
    func finishCommand(_ id: String, displayId: String, ok: Bool, message: String?, tellOthers: Bool = true) {
        if tellOthers { relay.send(.commandFinished(display: displayId, command: id, ok: ok, message: message)) }
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
        let now = clock()
        let timeout = Double(Self.commandTimeout.components.seconds)
        return state.withLock { s in
            guard var list = s.commands[displayId] else { return [] }
            for i in list.indices where list[i].state == "sent" && now.timeIntervalSince(list[i].issuedAt) >= timeout {
                list[i].state = "failed"
                list[i].message = "no answer from the display within \(Int(timeout)) s"
                list[i].finishedAt = list[i].issuedAt.addingTimeInterval(timeout)
            }
            s.commands[displayId] = list
            return Array(list.reversed())
        }
    }
}
