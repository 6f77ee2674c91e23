public import TentacleRender
import Synchronization

/// Frames as Art-Net ArtDmx packets to one node or a broadcast address, the mapping's
/// universes on consecutive port-addresses, each with its own sequence counter.
public final class ArtNetSink: FrameSink {
    public let mapping: PixelMapping
    /// The port-address of each of the mapping's universes, in order.
    public let portAddresses: [ArtNet.PortAddress]
    private let target: UDPAddress
    private let state: Mutex<State>

    private struct State {
        var socket: UDPSocket?
        /// The next sequence number of each universe: 1...255, since 0 tells nodes not to reorder.
        var sequences: [UInt8]
    }

    /// Looks up `host` and opens a socket that may broadcast. The mapping's universes are
    /// 15-bit port-addresses and must all stay below 32768.
    public init(mapping: PixelMapping, host: String, port: UInt16 = ArtNet.port) throws {
        guard !host.isEmpty else { throw SinkConfigurationError("host", "is empty") }
        guard port != 0 else { throw SinkConfigurationError("port", "must be 1...65535, not 0") }
        var portAddresses: [ArtNet.PortAddress] = []
        for universe in mapping.startUniverse...mapping.lastUniverse {
            do {
                portAddresses.append(try ArtNet.PortAddress(universe))
            } catch {
                throw SinkConfigurationError(error, width: mapping.width, height: mapping.height)
            }
        }
        self.portAddresses = portAddresses
        self.mapping = mapping
        target = try UDPAddress.resolve(host: host, port: port)
        let socket = try UDPSocket(for: target.description, broadcast: true)
        state = Mutex(State(socket: socket, sequences: Array(repeating: 1, count: portAddresses.count)))
    }

    public var description: String {
        "artnet \(target) port-addresses \(Self.describe(portAddresses[0]))-\(Self.describe(portAddresses[portAddresses.count - 1]))"
    }

    public func send(_ frame: Frame) throws {
        let universes = try mapping.universes(for: frame)
        try state.withLock { state throws in
            guard let socket = state.socket else { return }
            for (index, universe) in universes.enumerated() {
                let packet = try ArtNet.dmx(portAddress: portAddresses[index], sequence: state.sequences[index], slots: universe.slots)
                state.sequences[index] = ArtNet.sequence(after: state.sequences[index])
                try socket.send(packet, to: target)
            }
        }
    }

    public func close() {
        state.withLock { $0.socket = nil }
    }

    /// "net:sub-net:universe", as Art-Net consoles show a port-address.
    private static func describe(_ address: ArtNet.PortAddress) -> String {
        "\(address.net):\(address.subNet):\(address.universe)"
    }
}
