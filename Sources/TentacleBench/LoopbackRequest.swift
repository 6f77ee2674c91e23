import Foundation

/// One HTTP/1.1 request to a loopback port, for benchmarks and tests that drive a server over a
/// real socket. The blocking socket calls run on a Dispatch thread, never on the cooperative
/// pool that the server and the simulated displays share.
public enum LoopbackRequest {
    public static func send(
        port: Int, _ method: String, _ path: String, token: String?, json: String? = nil, body: [UInt8]? = nil, contentType: String? = nil,
        headers extra: [String: String] = [:]
    ) async throws -> (status: Int, body: [UInt8]) {
        var headers = extra
        if let token { headers["Authorization"] = "Bearer \(token)" }
        if json != nil { headers["Content-Type"] = "application/json" }
        if let contentType { headers["Content-Type"] = contentType }
        let request = headers
        let payload = body ?? Array((json ?? "").utf8)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let reply = try LoopbackHTTPClient(port: port).request(method, path, headers: request, body: payload)
                    return (reply.status, reply.body)
                })
            }
        }
    }
}
