import Foundation
import InteropPeers
import Testing
@testable import TentacleRender
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Our sACN and Art-Net packets sent over real UDP on loopback to receivers others wrote
/// (PyPI `sacn` 1.11 and `stupidArtnet` 1.6), which must hand back exactly the rendered frame.
@Suite("Output interop")
struct OutputInteropTests {
    /// A rendered 192×96 frame. Both tests map it row-major in RGB order, so the universes laid
    /// end to end must be exactly the frame's bytes.
    /// Starts the receiver, then sends it `packets(round)` every 50 ms (UDP may drop any of them)
    /// until it reports.
    private static func exchange(
        script: String, arguments: [String] = [], universes: [Int], packets: (Int) throws -> [[UInt8]]
    ) throws -> [String: Any] {
        let peer = try PeerReceiver(script: script, universes: universes, arguments: arguments)
        let sender = try UDPSender()
        return try peer.report { round in
            for packet in try packets(round) { try sender.send(packet, toLoopbackPort: peer.port) }
        }
    }

    private static func renderedFrame() throws -> Frame {
        let layout = try GoldenTests.example("bus-stop-192x96")
        return GoldenTests.renderer.render(layout, at: GoldenTests.newYearMorning, data: ["pm25": 37])
    }

    @Test(arguments: [1, 63_891])
    func sacnReceiverGetsTheFrame(startUniverse: Int) throws {
        let frame = try Self.renderedFrame()
        // 109 universes: from 1, or ending at 63999, the highest E1.31 allows.
        let mapping = try PixelMapping(width: frame.width, height: frame.height, startUniverse: startUniverse)
        let universes = try mapping.universes(for: frame)
        let cid = UUID()
        let report = try Self.exchange(script: Self.sacnScript, universes: universes.map(\.universe)) { round in
            try universes.map { universe in
                try E131Packet.data(
                    universe: universe.universe, sequence: UInt8(truncatingIfNeeded: round), priority: 150,
                    sourceName: "Tentacle interop", cid: cid, slots: universe.slots)
            }
        }
        let received = try #require(report["universes"] as? [String: [String: Any]])
        #expect(received.count == universes.count)
        var bytes: [UInt8] = []
        for universe in universes {
            let entry = try #require(received[String(universe.universe)], "universe \(universe.universe) not received")
            #expect(entry["priority"] as? Int == 150)
            #expect(entry["sourceName"] as? String == "Tentacle interop")
            #expect(entry["startCode"] as? Int == 0)
            // The receiver always holds 512 slots; those past our data read as zero.
            let slots = try #require(PeerReceiver.bytes(hex: entry["data"]))
            #expect(slots.count == E131.maxSlots)
            #expect(slots[universe.slots.count...].allSatisfy { $0 == 0 })
            bytes += slots.prefix(universe.slots.count)
        }
        #expect(bytes == frame.bytes, "the pixels sACN delivered differ from the rendered frame")
    }

    @Test func artNetReceiverGetsTheFrame() throws {
        let frame = try Self.renderedFrame()
        // From port-address 0x123, net 1, sub-net 2, universe 3, so the 109 universes cross sub-nets.
        let mapping = try PixelMapping(width: frame.width, height: frame.height, startUniverse: 0x123)
        let universes = try mapping.universes(for: frame)
        let addresses = try universes.map { try ArtNet.PortAddress($0.universe) }
        #expect(addresses.first.map { [$0.net, $0.subNet, $0.universe] } == [1, 2, 3])
        let wanted = addresses.map { "\($0.net):\($0.subNet):\($0.universe)" }
        let report = try Self.exchange(script: PeerReceiver.artNetScript, arguments: wanted, universes: addresses.map(\.value)) { round in
            // Art-Net reserves sequence 0 for "don't reorder", so the counter runs 1...255.
            try zip(addresses, universes).map { address, universe in
                try ArtNet.dmx(portAddress: address, sequence: UInt8(round % 255 + 1), slots: universe.slots)
            }
        }
        let received = try #require(report["universes"] as? [String: String])
        #expect(received.count == universes.count)
        var bytes: [UInt8] = []
        for (address, universe) in zip(addresses, universes) {
            let slots = try #require(PeerReceiver.bytes(hex: received[String(address.value)]), "port-address \(address.value) not received")
            #expect(slots.count == universe.slots.count)
            bytes += slots
        }
        #expect(bytes == frame.bytes, "the pixels Art-Net delivered differ from the rendered frame")
    }

    /// Listens with the `sacn` package's receiver on an ephemeral port; prints "ready PORT", then
    /// one JSON line with every universe it heard (data in hex) once it has them all.
    static let sacnScript = """
        import json, sys, threading
        try:
            import sacn
        except ImportError:
            sys.exit("the sacn package is not installed: pip install sacn==1.11.0")
        timeout, wanted = float(sys.argv[1]), {int(u) for u in sys.argv[2].split(",")}
        received, lock, complete = {}, threading.Lock(), threading.Event()
        receiver = sacn.sACNreceiver(bind_address="127.0.0.1", bind_port=0)
        def on_packet(packet):
            with lock:
                received[packet.universe] = {"data": bytes(packet.dmxData).hex(), "priority": packet.priority,
                                             "sourceName": packet.sourceName, "startCode": packet.dmxStartCode}
                if wanted <= received.keys():
                    complete.set()
        for universe in wanted:
            receiver.register_listener("universe", on_packet, universe=universe)
        try:
            # The library keeps its socket private; the bound port is the only thing read from it.
            port = receiver._handler.socket._socket.getsockname()[1]
        except AttributeError:
            sys.exit("this sacn version hides its socket differently: pip install sacn==1.11.0")
        receiver.start()
        print("ready", port, flush=True)
        complete.wait(timeout)
        receiver.stop()
        with lock:
            print(json.dumps({"universes": {str(u): v for u, v in received.items()}}), flush=True)
        """
}

/// The smallest UDP sender that will do: one IPv4 datagram socket, unicast to 127.0.0.1.
private final class UDPSender {
    private let fd: Int32

    init() throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    deinit {
        close(fd)
    }

    func send(_ packet: [UInt8], toLoopbackPort port: UInt16) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                sendto(fd, packet, packet.count, 0, target, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == packet.count else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
