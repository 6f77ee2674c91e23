public import Foundation
public import TentacleRender
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Frames as E1.31 (sACN) data packets, multicast to each universe's group or unicast to one
/// receiver, with one sequence counter per universe and, when asked, a synchronization packet
/// after each frame so that every universe changes at once.
public final class E131Sink: FrameSink {
    /// Where the packets go.
    public enum Destination: Hashable, Sendable {
        /// Each universe to its own group, 239.255.hi.lo, on port 5568.
        case multicast
        /// Every universe to one receiver.
        case unicast(host: String, port: UInt16 = E131.port)
    }

    /// The sACN settings apart from the pixel mapping, checked when made.
    public struct Settings: Hashable, Sendable {
        public static let multicastTTLRange = 1...255

        public let destination: Destination
        public let priority: Int
        /// Shown by consoles and receivers; at most 63 bytes of UTF-8.
        public let sourceName: String
        /// Names this source to receivers, which tell sources apart by it.
        public let cid: UUID
        /// 0 shows each universe as it arrives; otherwise receivers hold the data until the
        /// synchronization packet sent on this universe after each frame.
        public let syncUniverse: Int
        /// How many routers multicast packets may cross; 1 keeps them on the local network.
        public let multicastTTL: Int
        /// The IPv4 address of the network interface multicast leaves by, for a player with one
        /// network for the panels and another for the server; nil lets the routing table choose.
        public let multicastInterface: String?

        /// Errors name the sink option at fault. Without a `cid` the source gets one derived
        /// from this machine's host name and `sourceName`, the same on every start, as E1.31
        /// asks of a source that is the same device. The TTL (1 unless given) and the interface
        /// apply to multicast only.
        public init(
            destination: Destination = .multicast,
            priority: Int = E131.defaultPriority,
            sourceName: String = "Tentacle",
            cid: UUID? = nil,
            syncUniverse: Int = 0,
            multicastTTL: Int? = nil,
            multicastInterface: String? = nil
        ) throws(SinkConfigurationError) {
            try SinkConfigurationError.check("priority", priority, in: E131.priorityRange)
            if syncUniverse != 0 { try SinkConfigurationError.check("sync", syncUniverse, in: E131.universeRange) }
            guard !sourceName.isEmpty, sourceName.utf8.count <= 63 else {
                throw SinkConfigurationError("name", "must be 1 to 63 bytes of UTF-8, not \(sourceName.utf8.count)")
            }
            switch destination {
            case .multicast:
                if let multicastTTL { try SinkConfigurationError.check("ttl", multicastTTL, in: Settings.multicastTTLRange) }
                if let multicastInterface, UDPAddress.ipv4(multicastInterface) == nil {
                    throw SinkConfigurationError("interface", "write the interface's IPv4 address, e.g. 192.168.50.2, not \"\(multicastInterface)\"")
                }
            case .unicast(let host, let port):
                guard !host.isEmpty else { throw SinkConfigurationError("host", "is empty") }
                guard port != 0 else { throw SinkConfigurationError("port", "must be 1...65535, not 0") }
                if multicastTTL != nil || multicastInterface != nil {
                    let part = multicastTTL != nil ? "ttl" : "interface"
                    throw SinkConfigurationError(part, "applies to multicast only, and this sink sends to \(host)")
                }
            }
            self.destination = destination
            self.priority = priority
            self.sourceName = sourceName
            self.cid = cid ?? E131Sink.stableCID(for: "\(E131Sink.hostName()) \(sourceName)")
            self.syncUniverse = syncUniverse
            self.multicastTTL = multicastTTL ?? 1
            self.multicastInterface = multicastInterface
        }
    }

    public let mapping: PixelMapping
    public let settings: Settings
    /// Where each of the mapping's universes goes, in universe order.
    let targets: [UDPAddress]
    private let syncTarget: UDPAddress?
    private let state: Mutex<State>

    private struct State {
        var socket: UDPSocket?
        /// The next sequence number of each universe, in universe order.
        var sequences: [UInt8]
        var syncSequence: UInt8 = 0
        var hasSent = false
    }

    /// Looks up the receiver (unicast) and opens the socket.
    public init(mapping: PixelMapping, settings: Settings) throws {
        try SinkConfigurationError.check("universe", mapping.startUniverse, in: E131.universeRange)
        let universes = mapping.startUniverse...mapping.lastUniverse
        let socket: UDPSocket
        switch settings.destination {
        case .multicast:
            targets = try universes.map { universe in
                try UDPAddress.resolve(host: E131.multicastAddress(universe: universe), port: E131.port)
            }
            syncTarget = try settings.syncUniverse == 0 ? nil
                : UDPAddress.resolve(host: E131.multicastAddress(universe: settings.syncUniverse), port: E131.port)
            let interface = settings.multicastInterface.flatMap(UDPAddress.ipv4)
            socket = try UDPSocket(for: "multicast", multicast: (ttl: UInt8(settings.multicastTTL), interface: interface))
        case .unicast(let host, let port):
            let receiver = try UDPAddress.resolve(host: host, port: port)
            targets = Array(repeating: receiver, count: universes.count)
            syncTarget = settings.syncUniverse == 0 ? nil : receiver
            socket = try UDPSocket(for: receiver.description)
        }
        self.mapping = mapping
        self.settings = settings
        state = Mutex(State(socket: socket, sequences: Array(repeating: 0, count: universes.count)))
    }

    public var description: String {
        var text = "sacn \(Self.describe(settings.destination)) universes \(mapping.startUniverse)-\(mapping.lastUniverse)"
        if settings.syncUniverse != 0 { text += ", sync \(settings.syncUniverse)" }
        return text
    }

    public func send(_ frame: Frame) throws {
        let universes = try mapping.universes(for: frame)
        try state.withLock { state throws in
            guard let socket = state.socket else { return }
            state.hasSent = true
            for (index, universe) in universes.enumerated() {
                let packet = try dataPacket(universe, sequence: &state.sequences[index])
                try socket.send(packet, to: targets[index])
            }
            if let syncTarget {
                let packet = try E131Packet.synchronization(
                    syncUniverse: settings.syncUniverse, sequence: state.syncSequence, cid: settings.cid)
                state.syncSequence = E131.sequence(after: state.syncSequence)
                try socket.send(packet, to: syncTarget)
            }
        }
    }

    /// Sends every universe a stream-terminated packet three times, as E1.31 asks, so receivers
    /// let go of this source at once instead of holding its last frame until they time out.
    public func close() {
        state.withLock { state in
            defer { state.socket = nil }
            guard let socket = state.socket, state.hasSent else { return }
            for _ in 0..<3 {
                for index in targets.indices {
                    let universe = UniverseData(universe: mapping.startUniverse + index, slots: [])
                    // A lost packet costs nothing: receivers drop a silent source after 2.5 s anyway.
                    if let packet = try? dataPacket(universe, sequence: &state.sequences[index], options: .streamTerminated) {
                        try? socket.send(packet, to: targets[index])
                    }
                }
            }
        }
    }

    /// A data packet for `universe` that takes the universe's next sequence number.
    private func dataPacket(
        _ universe: UniverseData, sequence: inout UInt8, options: E131.Options = []
    ) throws(OutputError) -> [UInt8] {
        defer { sequence = E131.sequence(after: sequence) }
        return try E131Packet.data(
            universe: universe.universe, sequence: sequence, priority: settings.priority,
            sourceName: settings.sourceName, cid: settings.cid, syncUniverse: settings.syncUniverse,
            options: options, slots: universe.slots)
    }

    private static func describe(_ destination: Destination) -> String {
        switch destination {
        case .multicast: "multicast"
        case .unicast(let host, let port): "unicast \(host):\(port)"
        }
    }

    /// This machine's name as it calls itself, without asking a name server.
    private static func hostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A UUID that is a pure function of `name` (FNV-1a, 128 bits, marked as version 8), so a
    /// player keeps its CID across restarts without storing it.
    static func stableCID(for name: String) -> UUID {
        var hash: (high: UInt64, low: UInt64) = (0x6C62_272E_07BB_0142, 0x62B8_2175_6295_C58D)
        for byte in name.utf8 {
            hash.low ^= UInt64(byte)
            // Multiply the 128-bit value by the FNV prime 2^88 + 2^8 + 0x3B, modulo 2^128.
            let (carry, low) = hash.low.multipliedFullWidth(by: 0x13B)
            hash.high = hash.high &* 0x13B &+ carry &+ (hash.low << 24)
            hash.low = low
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: hash.high >> (56 - 8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: hash.low >> (56 - 8 * i))
        }
        bytes[6] = bytes[6] & 0x0F | 0x80
        bytes[8] = bytes[8] & 0x3F | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
