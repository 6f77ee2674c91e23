import InteropPeers
import Testing
@testable import TentacleAgent
@testable import TentacleRender

/// Sinks made from `--sink` strings, sending over real UDP on loopback to receivers others wrote
/// (PyPI `sacn` 1.11 and `stupidArtnet` 1.6), which must hand back exactly the frame.
@Suite("Sink interop")
struct SinkInteropTests {
    /// 96×48 is 4,608 pixels: 27 full universes and one of 18 pixels.
    static let width = 96, height = 48

    @Test func sacnReceiverGetsTheFrameThenHearsTheStreamEnd() throws {
        let frame = TestFrames.pattern(width: Self.width, height: Self.height)
        let universes = Array(5...32)
        let peer = try PeerReceiver(script: Self.sacnScript, universes: universes)
        let sink = try SinkConfiguration(
            parsing: "sacn://127.0.0.1:\(peer.port)?universe=5&priority=150&name=Tentacle%20interop&sync=7000"
        ).makeSink(for: Self.width, height: Self.height)
        #expect(sink.description == "sacn unicast 127.0.0.1:\(peer.port) universes 5-32, sync 7000")

        let report = try peer.report { _ in try sink.send(frame) }
        let received = try #require(report["universes"] as? [String: [String: Any]])
        #expect(received.count == universes.count)
        var bytes: [UInt8] = []
        for universe in universes {
            let entry = try #require(received[String(universe)], "universe \(universe) not received")
            #expect(entry["priority"] as? Int == 150)
            #expect(entry["sourceName"] as? String == "Tentacle interop")
            #expect(entry["syncUniverse"] as? Int == 7000)
            // The receiver always holds 512 slots; those past our data read as zero.
            let slots = try #require(PeerReceiver.bytes(hex: entry["data"]))
            let used = universe == universes.last ? 18 * 3 : 510
            #expect(slots[used...].allSatisfy { $0 == 0 })
            bytes += slots.prefix(used)
        }
        #expect(bytes == frame.bytes, "the pixels sACN delivered differ from the frame")

        sink.close()
        let ended = try peer.report()
        #expect(ended["terminated"] as? [Int] == universes, "the receiver did not see every universe's stream end")
    }

    @Test func artNetReceiverGetsTheFrame() throws {
        let frame = TestFrames.pattern(width: Self.width, height: Self.height, seed: 3)
        // From net 1, sub-net 2, universe 3 (port-address 0x123): the 28 universes cross into sub-net 3.
        let addresses = try (0x123..<0x123 + 28).map { try ArtNet.PortAddress($0) }
        let peer = try PeerReceiver(
            script: PeerReceiver.artNetScript, universes: addresses.map(\.value),
            arguments: addresses.map { "\($0.net):\($0.subNet):\($0.universe)" })
        let sink = try SinkConfiguration(
            parsing: "artnet://127.0.0.1:\(peer.port)?net=1&subnet=2&universe=3"
        ).makeSink(for: Self.width, height: Self.height)
        #expect(sink.description == "artnet 127.0.0.1:\(peer.port) port-addresses 1:2:3-1:3:14")

        let report = try peer.report { _ in try sink.send(frame) }
        sink.close()
        let received = try #require(report["universes"] as? [String: String])
        #expect(received.count == addresses.count)
        var bytes: [UInt8] = []
        for address in addresses {
            let slots = try #require(PeerReceiver.bytes(hex: received[String(address.value)]), "port-address \(address.value) not received")
            #expect(slots.count == (address == addresses.last ? 18 * 3 : 510))
            bytes += slots
        }
        #expect(bytes == frame.bytes, "the pixels Art-Net delivered differ from the frame")
    }

    /// Listens with the `sacn` package's receiver on an ephemeral port; prints "ready PORT", one
    /// JSON line with every universe it heard (data in hex) once it has them all, then one line
    /// listing the universes whose stream-terminated packet it saw.
    static let sacnScript = """
        import json, sys, threading
        try:
            import sacn
        except ImportError:
            sys.exit("the sacn package is not installed: pip install sacn==1.11.0")
        timeout, wanted = float(sys.argv[1]), {int(u) for u in sys.argv[2].split(",")}
        received, terminated, lock = {}, set(), threading.Lock()
        complete, ended = threading.Event(), threading.Event()
        receiver = sacn.sACNreceiver(bind_address="127.0.0.1", bind_port=0)
        def on_packet(packet):
            with lock:
                if packet.option_StreamTerminated:
                    terminated.add(packet.universe)
                    if wanted <= terminated:
                        ended.set()
                elif not complete.is_set():
                    received[packet.universe] = {"data": bytes(packet.dmxData).hex(), "priority": packet.priority,
                                                 "sourceName": packet.sourceName, "syncUniverse": packet.syncAddr}
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
        with lock:
            print(json.dumps({"universes": {str(u): v for u, v in received.items()}}), flush=True)
        ended.wait(timeout)
        receiver.stop()
        with lock:
            print(json.dumps({"terminated": sorted(terminated)}), flush=True)
        """

}
