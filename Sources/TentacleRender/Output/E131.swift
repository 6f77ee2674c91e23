public import Foundation

/// ANSI E1.31-2018 (Streaming ACN, "sACN"): the constants and addressing its packets share.
public enum E131 {
    /// The UDP port every receiver listens on (ACN_SDT_MULTICAST_PORT).
    public static let port: UInt16 = 5568
    /// Universes that may carry data; 0 and 64000... are reserved by the standard.
    public static let universeRange = 1...63999
    public static let priorityRange = 0...200
    public static let defaultPriority = 100
    /// DMX512 slots after the start code.
    public static let maxSlots = 512

    /// Bits of the framing layer's Options octet.
    public struct Options: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8

        public init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        /// For visualisers only; real fixtures ignore preview data.
        public static let preview = Options(rawValue: 0x80)
        /// The source is going away; receivers drop it at once instead of after a timeout.
        public static let streamTerminated = Options(rawValue: 0x40)
        /// Receivers keep acting on data even when the sync packets stop.
        public static let forceSynchronization = Options(rawValue: 0x20)
    }

    /// The multicast group a universe is sent to: 239.255.(universe / 256).(universe % 256).
    public static func multicastAddress(universe: Int) throws(OutputError) -> String {
        try OutputError.check("universe", universe, in: universeRange)
        return "239.255.\(universe >> 8).\(universe & 0xFF)"
    }

    /// The sequence number to send after `sequence`: one counter per universe, wrapping 255 to 0.
    public static func sequence(after sequence: UInt8) -> UInt8 {
        sequence &+ 1
    }
}

/// E1.31 packets built byte for byte; sending them is the caller's job.
public enum E131Packet {
    /// Bytes of a data packet before the first slot: root layer (38), framing layer (77),
    /// DMP layer up to and including the start code (11).
    public static let headerLength = 126
    /// Bytes of a universe synchronization packet.
    public static let synchronizationLength = 49

    /// A data packet carrying `slots` (0...512 values after a zero start code) for `universe`.
    /// `syncUniverse` 0 means the receiver acts on the data at once; otherwise it waits for a
    /// synchronization packet on that universe. `sourceName` is cut to 63 UTF-8 bytes at a
    /// character boundary, so it stays null-terminated and valid.
    public static func data(
        universe: Int,
        sequence: UInt8,
        priority: Int = E131.defaultPriority,
        sourceName: String,
        cid: UUID,
        syncUniverse: Int = 0,
        options: E131.Options = [],
        slots: some Collection<UInt8>
    ) throws(OutputError) -> [UInt8] {
        try OutputError.check("universe", universe, in: E131.universeRange)
        try OutputError.check("priority", priority, in: E131.priorityRange)
        if syncUniverse != 0 {
            try OutputError.check("syncUniverse", syncUniverse, in: E131.universeRange)
        }
        try OutputError.check("slots.count", slots.count, in: 0...E131.maxSlots)

        let length = headerLength + slots.count
        var packet = rootLayer(length: length, vector: vectorRootData, cid: cid)
        // Framing layer.
        packet.appendFlagsAndLength(length - 38)
        packet.appendBigEndian(vectorDataPacket)
        packet.append(contentsOf: sourceNameField(sourceName))
        packet.append(UInt8(priority))
        packet.appendBigEndian(UInt16(syncUniverse))
        packet.append(sequence)
        packet.append(options.rawValue)
        packet.appendBigEndian(UInt16(universe))
        // DMP layer: one SET PROPERTY message whose properties are the start code and the slots.
        packet.appendFlagsAndLength(length - 115)
        packet.append(vectorDMPSetProperty)
        packet.append(addressAndDataType)
        packet.appendBigEndian(UInt16(0))
        packet.appendBigEndian(UInt16(1))
        packet.appendBigEndian(UInt16(slots.count + 1))
        packet.append(0)
        packet.append(contentsOf: slots)
        return packet
    }

    /// A universe synchronization packet: receivers holding data tagged with `syncUniverse`
    /// show it now. Its sequence counter is separate from every data universe's counter.
    public static func synchronization(syncUniverse: Int, sequence: UInt8, cid: UUID) throws(OutputError) -> [UInt8] {
        try OutputError.check("syncUniverse", syncUniverse, in: E131.universeRange)
        var packet = rootLayer(length: synchronizationLength, vector: vectorRootExtended, cid: cid)
        packet.appendFlagsAndLength(synchronizationLength - 38)
        packet.appendBigEndian(vectorExtendedSynchronization)
        packet.append(sequence)
        packet.appendBigEndian(UInt16(syncUniverse))
        packet.appendBigEndian(UInt16(0))
        return packet
    }

    static let acnPacketIdentifier: [UInt8] = Array("ASC-E1.17".utf8) + [0, 0, 0]
    static let vectorRootData: UInt32 = 0x0000_0004
    static let vectorRootExtended: UInt32 = 0x0000_0008
    static let vectorDataPacket: UInt32 = 0x0000_0002
    static let vectorExtendedSynchronization: UInt32 = 0x0000_0001
    static let vectorDMPSetProperty: UInt8 = 0x02
    /// Relative addresses, one-octet data, in a range of equal-sized properties.
    static let addressAndDataType: UInt8 = 0xA1

    /// The 38-byte root layer of a packet `length` bytes long in total.
    private static func rootLayer(length: Int, vector: UInt32, cid: UUID) -> [UInt8] {
        var packet: [UInt8] = []
        packet.reserveCapacity(length)
        packet.appendBigEndian(UInt16(0x0010))
        packet.appendBigEndian(UInt16(0))
        packet.append(contentsOf: acnPacketIdentifier)
        packet.appendFlagsAndLength(length - 16)
        packet.appendBigEndian(vector)
        withUnsafeBytes(of: cid.uuid) { packet.append(contentsOf: $0) }
        return packet
    }

    /// The name as 64 bytes: at most 63 of UTF-8 ending on a character boundary, then zeros.
    static func sourceNameField(_ name: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for character in name {
            let utf8 = Array(character.utf8)
            guard bytes.count + utf8.count <= 63 else { break }
            bytes += utf8
        }
        return bytes + [UInt8](repeating: 0, count: 64 - bytes.count)
    }
}

extension [UInt8] {
    /// An ACN PDU's Flags and Length field: flags 0x7 in the top four bits, length below.
    fileprivate mutating func appendFlagsAndLength(_ length: Int) {
        appendBigEndian(0x7000 | UInt16(length))
    }

    fileprivate mutating func appendBigEndian(_ value: some FixedWidthInteger) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
