#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UDP socket of the test's own, bound on this host, that collects what a sink sends.
final class LoopbackReceiver {
    private let fd: Int32
    let port: UInt16

    /// Binds `address` (a dotted quad) on `port`, 0 for any free one. `multicastGroups` are joined
    /// on the loopback interface; a fixed port is shared (SO_REUSEADDR) as multicast receivers do.
    init(address: String = "127.0.0.1", port: UInt16 = 0, multicastGroups: [String] = []) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { throw Self.failure("socket") }
        func fail(_ what: String) -> POSIXFailure {
            let failure = Self.failure(what)
            close(fd)
            return failure
        }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = port.bigEndian
        local.sin_addr.s_addr = inet_addr(address)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw fail("bind \(address):\(port)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        for group in multicastGroups {
            var request = ip_mreq(imr_multiaddr: in_addr(s_addr: inet_addr(group)), imr_interface: in_addr(s_addr: inet_addr("127.0.0.1")))
            guard setsockopt(fd, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &request, socklen_t(MemoryLayout<ip_mreq>.size)) == 0 else {
                throw fail("join \(group)")
            }
        }
        self.fd = fd
        self.port = UInt16(bigEndian: local.sin_port)
    }

    deinit {
        close(fd)
    }

    /// The next datagram, or nil when none comes within `timeout`.
    func receive(timeout: Duration = .seconds(2)) -> [UInt8]? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count < 0 ? nil : Array(buffer.prefix(count))
    }

    /// `count` datagrams in arrival order, fewer if they stop coming.
    func receive(count: Int) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        while packets.count < count, let packet = receive() { packets.append(packet) }
        return packets
    }

    private static func failure(_ what: String) -> POSIXFailure {
        POSIXFailure(description: "\(what): \(String(cString: strerror(errno)))")
    }
}

struct POSIXFailure: Error, CustomStringConvertible {
    let description: String
}
