import Foundation
import Testing
@testable import TentacleAgent
@testable import TentacleRender

/// E1.31 packets as a sink sends them, caught on a socket of the test's own and read byte by byte.
@Suite struct E131SinkTests {
    /// What a test reads from an E1.31 data packet, at the offsets E1.31-2018 gives.
    struct DataPacket: Equatable {
        var universe: Int
        var sequence: UInt8
        var syncUniverse: Int
        var options: UInt8
        var slots: [UInt8]

        init?(_ bytes: [UInt8]) {
            guard bytes.count >= E131Packet.headerLength, bytes[18..<22] == [0, 0, 0, 4], bytes[40..<44] == [0, 0, 0, 2] else { return nil }
            universe = Int(bytes[113]) << 8 | Int(bytes[114])
            sequence = bytes[111]
            syncUniverse = Int(bytes[109]) << 8 | Int(bytes[110])
            options = bytes[112]
            slots = Array(bytes[E131Packet.headerLength...])
        }
    }

    /// The (sync universe, sequence) of a universe synchronization packet.
    private func synchronization(_ bytes: [UInt8]) -> (universe: Int, sequence: UInt8)? {
        guard bytes.count == E131Packet.synchronizationLength, bytes[18..<22] == [0, 0, 0, 8], bytes[40..<44] == [0, 0, 0, 1] else { return nil }
        return (Int(bytes[45]) << 8 | Int(bytes[46]), bytes[44])
    }

    private func unicastSink(to receiver: LoopbackReceiver, mapping: PixelMapping, syncUniverse: Int = 0) throws -> E131Sink {
        try E131Sink(mapping: mapping, settings: .init(
            destination: .unicast(host: "127.0.0.1", port: receiver.port), priority: 120, sourceName: "Stop 12",
            cid: UUID(uuidString: "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"), syncUniverse: syncUniverse))
    }

    @Test func framesAreHeldForASyncPacketAndTheStreamEndsThreeTimesOnClose() throws {
        let receiver = try LoopbackReceiver()
        // 400 pixels: universes 7 and 8 full (170 pixels each), 9 with 60.
        let mapping = try PixelMapping(width: 20, height: 20, startUniverse: 7)
        let sink = try unicastSink(to: receiver, mapping: mapping, syncUniverse: 500)
        #expect(sink.description == "sacn unicast 127.0.0.1:\(receiver.port) universes 7-9, sync 500")
        let frames = [TestFrames.pattern(width: 20, height: 20), TestFrames.pattern(width: 20, height: 20, seed: 9)]

        for (round, frame) in frames.enumerated() {
            try sink.send(frame)
            let packets = receiver.receive(count: 4)
            try #require(packets.count == 4)
            let data = packets.prefix(3).compactMap(DataPacket.init)
            #expect(data.map(\.universe) == [7, 8, 9])
            #expect(data.allSatisfy { $0.sequence == UInt8(round) && $0.syncUniverse == 500 && $0.options == 0 })
            #expect(data.flatMap(\.slots) == frame.bytes)
            let sync = try #require(synchronization(packets[3]), "the fourth packet of a frame is not a sync packet")
            #expect(sync.universe == 500 && sync.sequence == UInt8(round))
            #expect(packets.allSatisfy { $0[22..<38].elementsEqual(withUnsafeBytes(of: sink.settings.cid.uuid) { Array($0) }) })
        }

        sink.close()
        let terminated = receiver.receive(count: 9).compactMap(DataPacket.init)
        #expect(terminated.map(\.universe) == [7, 8, 9, 7, 8, 9, 7, 8, 9])
        #expect(terminated.map(\.sequence) == [2, 2, 2, 3, 3, 3, 4, 4, 4], "terminated packets go on counting each universe")
        #expect(terminated.allSatisfy { $0.options == E131.Options.streamTerminated.rawValue && $0.slots.isEmpty })

        try sink.send(frames[0])
        sink.close()
        #expect(receiver.receive(timeout: .milliseconds(100)) == nil, "a closed sink still sent")
    }

    @Test func withoutSyncEachUniverseShowsAtOnce() throws {
        let receiver = try LoopbackReceiver()
        let sink = try unicastSink(to: receiver, mapping: try PixelMapping(width: 10, height: 10))
        try sink.send(TestFrames.pattern(width: 10, height: 10))
        let packet = try #require(receiver.receive().flatMap(DataPacket.init))
        #expect(packet.universe == 1 && packet.syncUniverse == 0)
        #expect(receiver.receive(timeout: .milliseconds(100)) == nil, "a sync packet was sent with no sync universe")
    }

    @Test func sequenceNumbersWrapPerUniverse() throws {
        let receiver = try LoopbackReceiver()
        let sink = try unicastSink(to: receiver, mapping: try PixelMapping(width: 2, height: 1))
        let frame = TestFrames.pattern(width: 2, height: 1)
        var sequences: [UInt8] = []
        for _ in 0..<258 {
            try sink.send(frame)
            sequences += receiver.receive(count: 1).compactMap { DataPacket($0)?.sequence }
        }
        #expect(sequences == (0..<258).map { UInt8(truncatingIfNeeded: $0) })
    }

    @Test func aSinkThatNeverSentSendsNothingOnClose() throws {
        let receiver = try LoopbackReceiver()
        let sink = try unicastSink(to: receiver, mapping: try PixelMapping(width: 10, height: 10))
        sink.close()
        #expect(receiver.receive(timeout: .milliseconds(100)) == nil)
    }

    @Test func aFrameOfAnotherSizeIsAnErrorAndTheNextFrameStillGoes() throws {
        let receiver = try LoopbackReceiver()
        let sink = try unicastSink(to: receiver, mapping: try PixelMapping(width: 10, height: 10))
        #expect(throws: OutputError.self) { try sink.send(Frame(width: 11, height: 10)) }
        try sink.send(TestFrames.pattern(width: 10, height: 10))
        #expect(receiver.receive().flatMap(DataPacket.init)?.sequence == 0)
    }

    /// Multicast leaves by the loopback interface when told to, so a receiver on this host that
    /// joined the universes' groups hears them; port 5568 is shared as multicast receivers share it.
    @Test func multicastGoesToEachUniversesGroup() throws {
        let universes = 40_001...40_003
        let groups = universes.map { "239.255.\($0 >> 8).\($0 & 0xFF)" }
        let receiver = try LoopbackReceiver(address: "0.0.0.0", port: E131.port, multicastGroups: groups)
        let mapping = try PixelMapping(width: 20, height: 20, startUniverse: universes.lowerBound)
        let cid = UUID()
        let sink = try E131Sink(mapping: mapping, settings: .init(cid: cid, multicastTTL: 1, multicastInterface: "127.0.0.1"))
        #expect(sink.description == "sacn multicast universes 40001-40003")
        #expect(sink.targets.map(\.description) == groups.map { "\($0):5568" })

        let frame = TestFrames.pattern(width: 20, height: 20)
        try sink.send(frame)
        // Other sACN on this host may reach the shared port too; only this sink's CID counts.
        var heard: [DataPacket] = []
        while heard.count < 3, let bytes = receiver.receive() {
            if bytes.count > 38, bytes[22..<38].elementsEqual(withUnsafeBytes(of: cid.uuid) { Array($0) }), let packet = DataPacket(bytes) {
                heard.append(packet)
            }
        }
        #expect(heard.map(\.universe) == Array(universes))
        #expect(heard.flatMap(\.slots) == frame.bytes)
        sink.close()
    }

    @Test func theDefaultCIDIsTheSameOnEveryStartAndDiffersByName() throws {
        let first = try E131Sink.Settings(sourceName: "Stop 12").cid
        #expect(try E131Sink.Settings(sourceName: "Stop 12").cid == first)
        #expect(try E131Sink.Settings(sourceName: "Stop 13").cid != first)
        #expect(E131Sink.stableCID(for: "a") != E131Sink.stableCID(for: "b"))
        // A version 8 (custom) UUID of the RFC 9562 variant.
        #expect(first.uuid.6 >> 4 == 8 && first.uuid.8 >> 6 == 0b10)
    }

    @Test func settingsAreChecked() {
        func part(_ make: () throws -> E131Sink.Settings) -> String? {
            do {
                _ = try make()
                return nil
            } catch let error as SinkConfigurationError {
                return error.part
            } catch {
                return "\(error)"
            }
        }
        #expect(part { try .init(priority: 201) } == "priority")
        #expect(part { try .init(syncUniverse: 64_000) } == "sync")
        #expect(part { try .init(sourceName: "") } == "name")
        #expect(part { try .init(sourceName: String(repeating: "é", count: 32)) } == "name")
        #expect(part { try .init(multicastTTL: 0) } == "ttl")
        #expect(part { try .init(multicastInterface: "eth0") } == "interface")
        #expect(part { try .init(destination: .unicast(host: "10.0.0.5"), multicastTTL: 4) } == "ttl")
        #expect(part { try .init(destination: .unicast(host: "10.0.0.5"), multicastInterface: "10.0.0.1") } == "interface")
        #expect(part { try .init(destination: .unicast(host: "", port: 5568)) } == "host")
        #expect(part { try .init(destination: .unicast(host: "10.0.0.5", port: 0)) } == "port")
        #expect(part { try .init(destination: .unicast(host: "10.0.0.5"), priority: 0, sourceName: String(repeating: "a", count: 63), syncUniverse: 63_999) } == nil)
    }

    @Test func universeZeroIsRefused() throws {
        let mapping = try PixelMapping(width: 10, height: 10, startUniverse: 0)
        #expect(throws: SinkConfigurationError.self) { try E131Sink(mapping: mapping, settings: .init()) }
    }

    @Test func anUnknownHostIsAnErrorNamingIt() throws {
        let mapping = try PixelMapping(width: 10, height: 10)
        let error = try #require(throws: UDPSocketError.self) {
            try E131Sink(mapping: mapping, settings: .init(destination: .unicast(host: "no-such-host.invalid", port: 5568)))
        }
        #expect(error.destination == "no-such-host.invalid:5568")
        #expect(error.description.hasPrefix("cannot resolve no-such-host.invalid:5568: "))
    }
}
