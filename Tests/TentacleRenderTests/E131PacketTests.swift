import Foundation
import Testing
@testable import TentacleRender

/// E1.31 packets checked field by field at the octet offsets of ANSI E1.31-2018 tables 4-1 and 4-2.
@Suite struct E131PacketTests {
    static let cid = UUID(uuidString: "6A7B8C9D-0E1F-4203-9415-263748596A7B")!
    static let cidBytes: [UInt8] = [0x6A, 0x7B, 0x8C, 0x9D, 0x0E, 0x1F, 0x42, 0x03, 0x94, 0x15, 0x26, 0x37, 0x48, 0x59, 0x6A, 0x7B]

    private func be16(_ packet: [UInt8], _ offset: Int) -> Int {
        Int(packet[offset]) << 8 | Int(packet[offset + 1])
    }

    private func data(
        universe: Int = 1, sequence: UInt8 = 0, priority: Int = 100, sourceName: String = "Tentacle",
        syncUniverse: Int = 0, options: E131.Options = [], slots: [UInt8] = [1, 2, 3]
    ) throws -> [UInt8] {
        try E131Packet.data(
            universe: universe, sequence: sequence, priority: priority, sourceName: sourceName,
            cid: Self.cid, syncUniverse: syncUniverse, options: options, slots: slots)
    }

    @Test func dataPacketFieldsSitAtTheirOffsets() throws {
        let slots = (0..<510).map { UInt8($0 % 251) }
        let packet = try data(
            universe: 0x1234, sequence: 0x9A, priority: 150, sourceName: "Bus stop 12",
            syncUniverse: 7962, slots: slots)
        #expect(packet.count == 126 + 510)
        // Root layer.
        #expect(Array(packet[0..<4]) == [0x00, 0x10, 0x00, 0x00])
        #expect(Array(packet[4..<16]) == [0x41, 0x53, 0x43, 0x2D, 0x45, 0x31, 0x2E, 0x31, 0x37, 0x00, 0x00, 0x00])
        #expect(be16(packet, 16) == 0x7000 | (packet.count - 16))
        #expect(Array(packet[18..<22]) == [0, 0, 0, 0x04])
        #expect(Array(packet[22..<38]) == Self.cidBytes)
        // Framing layer.
        #expect(be16(packet, 38) == 0x7000 | (packet.count - 38))
        #expect(Array(packet[40..<44]) == [0, 0, 0, 0x02])
        #expect(Array(packet[44..<55]) == Array("Bus stop 12".utf8))
        #expect(packet[55..<108].allSatisfy { $0 == 0 })
        #expect(packet[108] == 150)
        #expect(be16(packet, 109) == 7962)
        #expect(packet[111] == 0x9A)
        #expect(packet[112] == 0)
        #expect(be16(packet, 113) == 0x1234)
        // DMP layer.
        #expect(be16(packet, 115) == 0x7000 | (packet.count - 115))
        #expect(packet[117] == 0x02)
        #expect(packet[118] == 0xA1)
        #expect(be16(packet, 119) == 0)
        #expect(be16(packet, 121) == 1)
        #expect(be16(packet, 123) == 511)
        #expect(packet[125] == 0)
        #expect(Array(packet[126...]) == slots)
    }

    @Test func aFullUniverseIs638BytesWith513Properties() throws {
        let packet = try data(slots: [UInt8](repeating: 0xFF, count: 512))
        #expect(packet.count == 638)
        #expect(Array(packet[16..<18]) == [0x72, 0x6E])
        #expect(Array(packet[38..<40]) == [0x72, 0x58])
        #expect(Array(packet[115..<117]) == [0x72, 0x0B])
        #expect(Array(packet[123..<125]) == [0x02, 0x01])
    }

    @Test func noSlotsLeavesTheStartCodeAlone() throws {
        let packet = try data(slots: [])
        #expect(packet.count == 126)
        #expect(be16(packet, 123) == 1)
        #expect(packet.last == 0)
    }

    static let optionBytes: [(E131.Options, UInt8)] = [
        (.preview, 0x80), (.streamTerminated, 0x40), (.forceSynchronization, 0x20),
        ([.preview, .streamTerminated, .forceSynchronization], 0xE0),
    ]

    @Test(arguments: optionBytes)
    func optionBits(options: E131.Options, byte: UInt8) throws {
        #expect(try data(options: options)[112] == byte)
    }

    @Test func sequenceNumbersWrapFrom255To0() throws {
        #expect(E131.sequence(after: 0) == 1)
        #expect(E131.sequence(after: 254) == 255)
        #expect(E131.sequence(after: 255) == 0)
        var sequence: UInt8 = 250
        var written: [UInt8] = []
        for _ in 0..<8 {
            written.append(try data(sequence: sequence)[111])
            sequence = E131.sequence(after: sequence)
        }
        #expect(written == [250, 251, 252, 253, 254, 255, 0, 1])
    }

    @Test(arguments: [(1, [0x00, 0x01]), (256, [0x01, 0x00]), (63999, [0xF9, 0xFF])])
    func universeLimitsAreEncoded(universe: Int, bytes: [UInt8]) throws {
        #expect(Array(try data(universe: universe)[113..<115]) == bytes)
    }

    @Test(arguments: [0, -1, 64000, 65535])
    func universesOutsideTheStandardAreRefused(universe: Int) {
        #expect(throws: OutputError.self) { try data(universe: universe) }
        #expect(throws: OutputError.self) { try E131.multicastAddress(universe: universe) }
        #expect(throws: OutputError.self) { try E131Packet.synchronization(syncUniverse: universe, sequence: 0, cid: Self.cid) }
    }

    @Test func badFieldsNameThemselves() {
        #expect(outputErrorField { try data(universe: 64000) } == "universe")
        #expect(outputErrorField { try data(priority: 201) } == "priority")
        #expect(outputErrorField { try data(priority: -1) } == "priority")
        #expect(outputErrorField { try data(syncUniverse: 64000) } == "syncUniverse")
        #expect(outputErrorField { try data(slots: [UInt8](repeating: 0, count: 513)) } == "slots.count")
        #expect(throws: Never.self) { try data(priority: 0, syncUniverse: 63999, slots: [UInt8](repeating: 0, count: 512)) }
        let error = OutputError.outOfRange("priority", 201, E131.priorityRange)
        #expect(error.description == "priority must be 0...200, not 201")
    }

    @Test func sourceNamesStayNullTerminatedAndValidUTF8() throws {
        let long = try data(sourceName: String(repeating: "a", count: 70))
        #expect(Array(long[44..<107]) == [UInt8](repeating: 0x61, count: 63))
        #expect(long[107] == 0)
        // 40 two-byte characters: 31 fit in 63 bytes, and half a character is never sent.
        let accented = try data(sourceName: String(repeating: "é", count: 40))
        #expect(String(decoding: accented[44..<106], as: UTF8.self) == String(repeating: "é", count: 31))
        #expect(accented[106..<108].allSatisfy { $0 == 0 })
        let exact = E131Packet.sourceNameField(String(repeating: "b", count: 63))
        #expect(exact.count == 64 && exact[62] == 0x62 && exact[63] == 0)
        #expect(E131Packet.sourceNameField("").allSatisfy { $0 == 0 })
    }

    @Test func synchronizationPacketFieldsSitAtTheirOffsets() throws {
        let packet = try E131Packet.synchronization(syncUniverse: 7962, sequence: 0xFE, cid: Self.cid)
        #expect(packet.count == 49)
        #expect(Array(packet[0..<4]) == [0x00, 0x10, 0x00, 0x00])
        #expect(Array(packet[4..<16]) == Array("ASC-E1.17".utf8) + [0, 0, 0])
        #expect(Array(packet[16..<18]) == [0x70, 0x21])
        #expect(Array(packet[18..<22]) == [0, 0, 0, 0x08])
        #expect(Array(packet[22..<38]) == Self.cidBytes)
        #expect(Array(packet[38..<40]) == [0x70, 0x0B])
        #expect(Array(packet[40..<44]) == [0, 0, 0, 0x01])
        #expect(packet[44] == 0xFE)
        #expect(be16(packet, 45) == 7962)
        #expect(Array(packet[47..<49]) == [0, 0])
    }

    @Test(arguments: [(1, "239.255.0.1"), (255, "239.255.0.255"), (256, "239.255.1.0"), (63999, "239.255.249.255")])
    func multicastAddresses(universe: Int, address: String) throws {
        #expect(try E131.multicastAddress(universe: universe) == address)
    }

    @Test func slotsMayBeAnyCollection() throws {
        let slots: ArraySlice<UInt8> = [9, 8, 7, 6, 5][1..<4]
        let packet = try E131Packet.data(universe: 3, sequence: 0, sourceName: "", cid: Self.cid, slots: slots)
        #expect(Array(packet[125...]) == [0, 8, 7, 6])
        #expect(packet[108] == 100)
        #expect(be16(packet, 109) == 0)
    }
}
