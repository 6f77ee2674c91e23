import Testing
@testable import TentacleRender

/// ArtDmx packets checked field by field at the offsets of the Art-Net 4 specification.
@Suite struct ArtNetPacketTests {
    @Test func artDmxFieldsSitAtTheirOffsets() throws {
        let slots = (0..<510).map { UInt8($0 % 253) }
        let address = try ArtNet.PortAddress(net: 0x12, subNet: 0x3, universe: 0x4)
        let packet = try ArtNet.dmx(portAddress: address, sequence: 0x77, physical: 2, slots: slots)
        #expect(packet.count == 18 + 510)
        #expect(Array(packet[0..<8]) == [0x41, 0x72, 0x74, 0x2D, 0x4E, 0x65, 0x74, 0x00])
        #expect(Array(packet[8..<10]) == [0x00, 0x50])
        #expect(Array(packet[10..<12]) == [0, 14])
        #expect(packet[12] == 0x77)
        #expect(packet[13] == 2)
        #expect(packet[14] == 0x34)
        #expect(packet[15] == 0x12)
        #expect(Array(packet[16..<18]) == [0x01, 0xFE])
        #expect(Array(packet[18...]) == slots)
    }

    @Test(arguments: [(0, 0, 0, 0x0000, 0x00, 0x00), (0, 0, 15, 0x000F, 0x0F, 0x00), (0, 15, 0, 0x00F0, 0xF0, 0x00),
                      (3, 2, 1, 0x0321, 0x21, 0x03), (127, 15, 15, 0x7FFF, 0xFF, 0x7F)])
    func portAddressesPackNetSubNetAndUniverse(net: Int, subNet: Int, universe: Int, value: Int, subUni: Int, netByte: Int) throws {
        let address = try ArtNet.PortAddress(net: net, subNet: subNet, universe: universe)
        #expect(address.value == value)
        #expect(try ArtNet.PortAddress(value) == address)
        #expect(address.net == net && address.subNet == subNet && address.universe == universe)
        let packet = try ArtNet.dmx(portAddress: address, sequence: 0, slots: [1, 2])
        #expect(packet[14] == UInt8(subUni) && packet[15] == UInt8(netByte))
    }

    @Test func portAddressesOutOfRangeNameTheirField() {
        #expect(outputErrorField { try ArtNet.PortAddress(net: 128, subNet: 0, universe: 0) } == "net")
        #expect(outputErrorField { try ArtNet.PortAddress(net: 0, subNet: 16, universe: 0) } == "subNet")
        #expect(outputErrorField { try ArtNet.PortAddress(net: 0, subNet: 0, universe: 16) } == "universe")
        #expect(outputErrorField { try ArtNet.PortAddress(net: -1, subNet: 0, universe: 0) } == "net")
        #expect(outputErrorField { try ArtNet.PortAddress(0x8000) } == "portAddress")
        #expect(outputErrorField { try ArtNet.PortAddress(-1) } == "portAddress")
    }

    @Test(arguments: [(1, 2), (2, 2), (3, 4), (509, 510), (510, 510), (511, 512), (512, 512)])
    func lengthIsEvenAndPaddedWithZero(count: Int, length: Int) throws {
        let slots = [UInt8](repeating: 0xAB, count: count)
        let packet = try ArtNet.dmx(portAddress: ArtNet.PortAddress(1), sequence: 1, slots: slots)
        #expect(packet.count == 18 + length)
        #expect(Int(packet[16]) << 8 | Int(packet[17]) == length)
        #expect(Array(packet[18..<(18 + count)]) == slots)
        #expect(packet[(18 + count)...].allSatisfy { $0 == 0 })
    }

    @Test(arguments: [0, 513])
    func slotCountsOutsideTheStandardAreRefused(count: Int) {
        #expect(throws: OutputError.self) {
            try ArtNet.dmx(portAddress: ArtNet.PortAddress(0), sequence: 0, slots: [UInt8](repeating: 0, count: count))
        }
    }

    @Test func sequenceNumbersSkipZeroWhenTheyWrap() throws {
        #expect(ArtNet.sequence(after: 0) == 1)
        #expect(ArtNet.sequence(after: 1) == 2)
        #expect(ArtNet.sequence(after: 254) == 255)
        #expect(ArtNet.sequence(after: 255) == 1)
        var sequence: UInt8 = 253
        var written: [UInt8] = []
        for _ in 0..<5 {
            written.append(try ArtNet.dmx(portAddress: ArtNet.PortAddress(0), sequence: sequence, slots: [0, 0])[12])
            sequence = ArtNet.sequence(after: sequence)
        }
        #expect(written == [253, 254, 255, 1, 2])
    }
}
