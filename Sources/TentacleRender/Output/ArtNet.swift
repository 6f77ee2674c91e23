/// Art-Net 4 ArtDmx packets built byte for byte; sending them is the caller's job.
public enum ArtNet {
    /// The UDP port every node listens on.
    public static let port: UInt16 = 6454
    public static let opDmx: UInt16 = 0x5000
    public static let protocolVersion: UInt16 = 14
    /// Bytes of an ArtDmx packet before the first slot.
    public static let headerLength = 18
    public static let maxSlots = 512

    /// Where a universe lives: 7-bit net, 4-bit sub-net and 4-bit universe, together 15 bits.
    public struct PortAddress: Hashable, Sendable {
        public static let range = 0...0x7FFF

        /// Net in bits 14...8, sub-net in 7...4, universe in 3...0.
        public let value: Int

        public init(net: Int, subNet: Int, universe: Int) throws(OutputError) {
            try OutputError.check("net", net, in: 0...127)
            try OutputError.check("subNet", subNet, in: 0...15)
            try OutputError.check("universe", universe, in: 0...15)
            value = net << 8 | subNet << 4 | universe
        }

        /// The address as one 15-bit number, as pixel mappings count universes.
        public init(_ value: Int) throws(OutputError) {
            try OutputError.check("portAddress", value, in: PortAddress.range)
            self.value = value
        }

        public var net: Int { value >> 8 }
        public var subNet: Int { value >> 4 & 0xF }
        public var universe: Int { value & 0xF }
    }

    /// An ArtDmx packet carrying `slots` (1...512 values) to `portAddress`. An odd count gets one
    /// zero slot appended, because the Length field must be even. `sequence` 0 tells nodes not
    /// to reorder; otherwise count 1...255 (see `sequence(after:)`). `physical` names our
    /// output port and is informational only.
    public static func dmx(
        portAddress: PortAddress,
        sequence: UInt8,
        physical: UInt8 = 0,
        slots: some Collection<UInt8>
    ) throws(OutputError) -> [UInt8] {
        try OutputError.check("slots.count", slots.count, in: 1...maxSlots)
        let length = slots.count + slots.count % 2
        var packet: [UInt8] = []
        packet.reserveCapacity(headerLength + length)
        packet.append(contentsOf: id)
        packet.append(UInt8(opDmx & 0xFF))
        packet.append(UInt8(opDmx >> 8))
        packet.append(UInt8(protocolVersion >> 8))
        packet.append(UInt8(protocolVersion & 0xFF))
        packet.append(sequence)
        packet.append(physical)
        packet.append(UInt8(portAddress.value & 0xFF))
        packet.append(UInt8(portAddress.value >> 8))
        packet.append(UInt8(length >> 8))
        packet.append(UInt8(length & 0xFF))
        packet.append(contentsOf: slots)
        if length > slots.count { packet.append(0) }
        return packet
    }

    /// The sequence number to send after `sequence`: 1...255, wrapping past 0, which means "off".
    public static func sequence(after sequence: UInt8) -> UInt8 {
        sequence == 255 ? 1 : sequence + 1
    }

    static let id: [UInt8] = Array("Art-Net".utf8) + [0]
}
