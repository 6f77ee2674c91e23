import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ServiceLifecycle

/// JSON POSTs to endpoints outside Tentacle that may be down: what rule webhooks and NGSI-LD
/// notifications share. Each sender keeps its own queue and retry policy.
struct OutboundPost: Sendable {
    /// The outcome of one attempt: delivered on a 2xx answer.
    struct Attempt: Sendable {
        var delivered: Bool
        /// The answer's status, when there was an answer.
        var status: Int?
        var error: String?
    }

    private let session: URLSession

    init(userAgent: String, timeoutSeconds: Double) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        configuration.timeoutIntervalForResource = timeoutSeconds * 2
        configuration.httpAdditionalHeaders = ["User-Agent": userAgent]
        session = URLSession(configuration: configuration)
    }

    func invalidate() {
        session.invalidateAndCancel()
    }

    func post(_ urlText: String, body: String, headers: [String: String]) async -> Attempt {
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return Attempt(delivered: false, status: nil, error: "'\(urlText.prefix(200))' is not an http or https URL")
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = Data(body.utf8)
        do {
            let (_, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return Attempt(delivered: (200..<300).contains(status), status: status, error: (200..<300).contains(status) ? nil : "the endpoint answered \(status)")
        } catch {
            return Attempt(delivered: false, status: nil, error: String("\(error)".prefix(500)))
        }
    }

    /// Milliseconds to wait after `attempts` failed attempts: 1 s doubling, at most `longest`.
    static func backoff(attempts: Int, longest: Int64) -> Int64 {
        min(longest, 1000 << Int64(min(max(attempts - 1, 0), 30)))
    }

    /// Runs `body` every `interval` until graceful shutdown.
    static func poll(every interval: Duration, _ body: @escaping @Sendable () async -> Void) async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await body()
                try? await Task.sleep(for: interval)
            }
        }
    }
}
