#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One IPv4 datagram socket, closed when the last reference to it goes.
final class UDPSocket: Sendable {
    #if canImport(Glibc)
    static let datagram = Int32(SOCK_DGRAM.rawValue)
    #else
    static let datagram = SOCK_DGRAM
    #endif

    private let descriptor: Int32
    /// What the socket sends to, for error messages: "multicast" or "host:port".
    private let purpose: String

    /// A socket for sending to `purpose`. `broadcast` allows broadcast addresses (SO_BROADCAST).
    /// `multicast` sets how many routers multicast may cross and the interface it leaves by
    /// (nil: the routing table's choice), and loops it back to this host so that a receiver
    /// running beside the player hears it too.
    init(
        for purpose: String, broadcast: Bool = false, multicast: (ttl: UInt8, interface: UDPAddress?)? = nil
    ) throws(UDPSocketError) {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, UDPSocket.datagram | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, UDPSocket.datagram, 0)
        #endif
        guard descriptor >= 0 else { throw .open(purpose, UDPSocket.lastError()) }
        self.descriptor = descriptor
        self.purpose = purpose
        if broadcast {
            try setOption(SOL_SOCKET, SO_BROADCAST, Int32(1), name: "SO_BROADCAST")
        }
        if let multicast {
            try setOption(Int32(IPPROTO_IP), IP_MULTICAST_TTL, multicast.ttl, name: "IP_MULTICAST_TTL")
            try setOption(Int32(IPPROTO_IP), IP_MULTICAST_LOOP, UInt8(1), name: "IP_MULTICAST_LOOP")
            if let interface = multicast.interface {
                try setOption(Int32(IPPROTO_IP), IP_MULTICAST_IF, in_addr(s_addr: interface.address), name: "IP_MULTICAST_IF")
            }
        }
    }

    deinit {
        close(descriptor)
    }

    /// Sends one datagram; UDP sends it whole or not at all.
    func send(_ bytes: [UInt8], to destination: UDPAddress) throws(UDPSocketError) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = destination.port.bigEndian
        address.sin_addr = in_addr(s_addr: destination.address)
        while true {
            let sent = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                    sendto(descriptor, bytes, bytes.count, 0, target, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if sent >= 0 { return }
            if errno != EINTR { throw .send(destination.description, UDPSocket.lastError()) }
        }
    }

    private func setOption(_ level: Int32, _ option: Int32, _ value: some BitwiseCopyable, name: String) throws(UDPSocketError) {
        let status = withUnsafeBytes(of: value) { setsockopt(descriptor, level, option, $0.baseAddress, socklen_t($0.count)) }
        guard status == 0 else {
            throw .open(purpose, "setting \(name): \(UDPSocket.lastError())")
        }
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
