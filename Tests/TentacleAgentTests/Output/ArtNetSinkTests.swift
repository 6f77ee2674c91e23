import Testing
@testable import TentacleAgent
@testable import TentacleRender

/// ArtDmx packets as a sink sends them, caught on a socket of the test's own.
@Suite struct ArtNetSinkTests {
    /// (port-address, sequence, slots) of an ArtDmx packet.
    private func dmx(_ bytes: [UInt8]) -> (portAddress: Int, sequence: UInt8, slots: [UInt8])? {
        guard bytes.count >= ArtNet.headerLength, bytes.starts(with: Array("Art-Net".utf8) + [0, 0x00, 0x50]) else { return nil }
        let length = Int(bytes[16]) << 8 | Int(bytes[17])
        return (Int(bytes[15]) << 8 | Int(bytes[14]), bytes[12], Array(bytes[18..<18 + length]))
    }

    @Test func universesGoToConsecutivePortAddressesWithSequenceNumbers() throws {
        let receiver = try LoopbackReceiver()
        // 400 pixels in three universes from net 0, sub-net 0, universe 15, so the next sub-net follows.
        let mapping = try PixelMapping(width: 20, height: 20, startUniverse: 15)
        let sink = try ArtNetSink(mapping: mapping, host: "127.0.0.1", port: receiver.port)
        #expect(sink.description == "artnet 127.0.0.1:\(receiver.port) port-addresses 0:0:15-0:1:1")
        let frame = TestFrames.pattern(width: 20, height: 20)
        for round in 0..<2 {
            try sink.send(frame)
            let packets = receiver.receive(count: 3).compactMap(dmx)
            #expect(packets.map(\.portAddress) == [15, 16, 17])
            #expect(packets.allSatisfy { $0.sequence == UInt8(round + 1) })
            #expect(packets.flatMap(\.slots) == frame.bytes)
        }
        sink.close()
        try sink.send(frame)
        #expect(receiver.receive(timeout: .milliseconds(100)) == nil, "a closed sink still sent")
    }

    @Test func sequenceNumbersSkipZeroWhenTheyWrap() throws {
        let receiver = try LoopbackReceiver()
        let sink = try ArtNetSink(mapping: try PixelMapping(width: 2, height: 1), host: "127.0.0.1", port: receiver.port)
        var sequences: [UInt8] = []
        for _ in 0..<256 {
            try sink.send(TestFrames.pattern(width: 2, height: 1))
            sequences += receiver.receive(count: 1).compactMap { dmx($0)?.sequence }
        }
        #expect(sequences == (1...255).map { UInt8($0) } + [1])
    }

    /// Linux routes 127.255.255.255 as the loopback network's broadcast address, which a socket
    /// may send to only with SO_BROADCAST.
    @Test func broadcastAddressesAreAllowed() throws {
        let receiver = try LoopbackReceiver(address: "0.0.0.0")
        let sink = try ArtNetSink(mapping: try PixelMapping(width: 4, height: 4), host: "127.255.255.255", port: receiver.port)
        let frame = TestFrames.pattern(width: 4, height: 4)
        try sink.send(frame)
        #expect(receiver.receive().flatMap(dmx)?.slots == frame.bytes)
    }

    @Test func portAddressesEndAt32767() throws {
        let fits = try PixelMapping(width: 20, height: 20, startUniverse: 0x7FFF - 2)
        #expect(try ArtNetSink(mapping: fits, host: "127.0.0.1").portAddresses.last?.value == 0x7FFF)
        let overflows = try PixelMapping(width: 20, height: 20, startUniverse: 0x7FFF - 1)
        let error = try #require(throws: SinkConfigurationError.self) { try ArtNetSink(mapping: overflows, host: "127.0.0.1") }
        #expect(error.part == "universe")
    }
}
