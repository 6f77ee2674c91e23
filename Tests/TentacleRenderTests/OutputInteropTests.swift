import Foundation
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
        let report = try PeerReceiver.run(script: Self.sacnScript, universes: universes.map(\.universe)) { round in
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
        let report = try PeerReceiver.run(script: Self.artNetScript, arguments: wanted, universes: addresses.map(\.value)) { round in
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

    /// Listens with `stupidArtnet`'s server on an ephemeral port, one listener per
    /// net:sub-net:universe; prints "ready PORT", then one JSON line keyed by 15-bit port-address.
    static let artNetScript = """
        import json, os, sys, threading, time
        try:
            from stupidArtnet import StupidArtnetServer
        except ImportError:
            sys.exit("the stupidArtnet package is not installed: pip install stupidArtnet==1.6.0")
        timeout, wanted = float(sys.argv[1]), sys.argv[3:]
        received, lock, complete = {}, threading.Lock(), threading.Event()
        server = StupidArtnetServer(port=0)
        def listener():
            def on_data(data, address):
                with lock:
                    received[str(address)] = bytes(data).hex()
                    if len(received) == len(wanted):
                        complete.set()
            return on_data
        for key in wanted:
            net, sub, universe = (int(part) for part in key.split(":"))
            server.register_listener(universe=universe, sub=sub, net=net, is_simplified=False,
                                     callback_function=listener())
        # The server binds on its own thread; wait until it holds a port.
        deadline = time.monotonic() + timeout
        while server.socket_server is None or server.socket_server.getsockname()[1] == 0:
            if time.monotonic() > deadline:
                sys.exit("stupidArtnet never bound its socket")
            time.sleep(0.01)
        print("ready", server.socket_server.getsockname()[1], flush=True)
        complete.wait(timeout)
        with lock:
            print(json.dumps({"universes": received}), flush=True)
        # Its receive thread blocks in recvfrom for good; leave without waiting for it.
        os._exit(0)
        """
}

/// A receiver script run by python3, fed our packets over loopback UDP until it reports.
private struct PeerReceiver {
    /// The longest a whole exchange may take, from launch to report.
    static let deadline = Duration.seconds(10)

    /// Starts `script`, waits for "ready PORT", then sends `packets(round)` to that port every
    /// 50 ms (round 0, 1, ...; UDP may drop any of them) until the script prints its JSON report.
    /// The script gets the seconds it may wait, the universes joined by commas, then `arguments`.
    static func run(
        script: String, arguments: [String] = [], universes: [Int],
        packets: (Int) throws -> [[UInt8]]
    ) throws -> [String: Any] {
        let end = ContinuousClock.now + deadline
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, "8", universes.map(String.init).joined(separator: ",")] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            Issue.record("python3 could not be started (\(error)); install python3, sacn and stupidArtnet to run this test")
            throw error
        }
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        var lines = LineReader(fd: output.fileHandleForReading.fileDescriptor)
        func failure(_ what: String) -> any Error {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            Issue.record("\(what) (receiver exit \(process.terminationStatus)): \(stderr)")
            return CancellationError()
        }

        guard let ready = lines.next(until: end), ready.hasPrefix("ready "),
              let port = UInt16(ready.dropFirst("ready ".count)) else {
            throw failure("the receiver never said it was ready")
        }
        let sender = try UDPSender()
        var round = 0
        while ContinuousClock.now < end {
            for packet in try packets(round) { try sender.send(packet, toLoopbackPort: port) }
            round += 1
            if let report = lines.next(until: min(end, .now + .milliseconds(50))) {
                guard let json = try? JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any] else {
                    throw failure("the receiver's report is not JSON: \(report.prefix(200))")
                }
                return json
            }
            if lines.isClosed { break }
        }
        throw failure("no report from the receiver within \(deadline)")
    }

    static func bytes(hex: Any?) -> [UInt8]? {
        guard let hex = hex as? String, hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// Lines from a pipe, waiting with poll(2) so a silent child never hangs the test.
private struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var closed = false

    init(fd: Int32) {
        self.fd = fd
    }

    /// Whether the writer has gone; lines already read may still be waiting.
    var isClosed: Bool { closed }

    /// The next whole line, or nil once `deadline` passes or the pipe closes without one.
    mutating func next(until deadline: ContinuousClock.Instant) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let left = ContinuousClock.now.duration(to: deadline)
            guard !closed, left > .zero else { return nil }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&descriptor, 1, milliseconds) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 {
                closed = true
            } else {
                buffer += chunk.prefix(count)
            }
        }
    }
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
