#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 host and UDP port, looked up once so that sending a frame asks no name server.
struct UDPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The host as configured, a name or a dotted quad.
    let host: String
    let port: UInt16
    /// The IPv4 address in network byte order.
    let address: UInt32

    var description: String { "\(host):\(port)" }

    /// The address of a dotted quad such as "192.168.50.2"; nil for anything else.
    static func ipv4(_ text: String) -> UDPAddress? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return UDPAddress(host: text, port: 0, address: address.s_addr)
    }

    /// Looks `host` up with getaddrinfo; a dotted quad comes back without asking DNS.
    static func resolve(host: String, port: UInt16) throws(UDPSocketError) -> UDPAddress {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = UDPSocket.datagram
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        defer { if let list { freeaddrinfo(list) } }
        guard status == 0, let first = list, let address = first.pointee.ai_addr else {
            let reason = status == 0 ? "no IPv4 address" : String(cString: gai_strerror(status))
            throw .resolve("\(host):\(port)", reason)
        }
        let ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
        return UDPAddress(host: host, port: port, address: ipv4)
    }
}
