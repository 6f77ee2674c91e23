import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// One GET of a feed or of a CAP document it links to.
struct FeedRequest: Sendable {
    var url: URL
    var etag: String?
    var lastModified: String?
    /// Bytes the answer may have; a longer one is cut off and refused.
    var maxBytes: Int
}

/// What the feed's server answered.
struct FeedResponse: Sendable {
    var status: Int
    var body: [UInt8]
    var etag: String?
    var lastModified: String?
}

struct FeedFetchError: Error, CustomStringConvertible {
    var description: String
}

/// Fetches feed documents over http and https: a timeout per request, at most a few redirects
/// (never to another scheme than http or https), and a size limit enforced while reading.
protocol FeedFetching: Sendable {
    func fetch(_ request: FeedRequest) async throws -> FeedResponse
}

final class FeedFetcher: NSObject, FeedFetching, URLSessionDataDelegate, @unchecked Sendable {
    static let maxRedirects = 5

    private struct Transfer {
        var data: [UInt8] = []
        var redirects = 0
        var failure: String?
        var continuation: CheckedContinuation<FeedResponse, any Error>
        var maxBytes: Int
    }

    private let transfers = Mutex<[Int: Transfer]>([:])
    private let timeout: TimeInterval
    private var session: URLSession!

    init(timeout: TimeInterval = 15) {
        self.timeout = timeout
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 4
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpAdditionalHeaders = ["User-Agent": "Tentacle alert feed reader"]
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }

    deinit {
        session.invalidateAndCancel()
    }

    func fetch(_ request: FeedRequest) async throws -> FeedResponse {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw FeedFetchError(description: "only http and https addresses are fetched")
        }
        var urlRequest = URLRequest(url: request.url, timeoutInterval: timeout)
        urlRequest.setValue("application/atom+xml, application/rss+xml, application/cap+xml, application/xml;q=0.9, */*;q=0.5", forHTTPHeaderField: "Accept")
        if let etag = request.etag { urlRequest.setValue(etag, forHTTPHeaderField: "If-None-Match") }
        if let lastModified = request.lastModified { urlRequest.setValue(lastModified, forHTTPHeaderField: "If-Modified-Since") }
        let task = session.dataTask(with: urlRequest)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfers.withLock { $0[task.taskIdentifier] = Transfer(continuation: continuation, maxBytes: request.maxBytes) }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let tooLarge = transfers.withLock { all -> Bool in
            guard var t = all[dataTask.taskIdentifier] else { return false }
            t.data.append(contentsOf: data)
            if t.data.count > t.maxBytes { t.failure = "the answer is larger than \(t.maxBytes) bytes" }
            all[dataTask.taskIdentifier] = t
            return t.failure != nil
        }
        if tooLarge { dataTask.cancel() }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        let allowed = transfers.withLock { all -> Bool in
            guard var t = all[task.taskIdentifier] else { return false }
            t.redirects += 1
            let scheme = request.url?.scheme?.lowercased()
            if t.redirects > Self.maxRedirects { t.failure = "more than \(Self.maxRedirects) redirects" }
            else if scheme != "http" && scheme != "https" { t.failure = "a redirect to a \(scheme ?? "non-web") address" }
            all[task.taskIdentifier] = t
            return t.failure == nil
        }
        completionHandler(allowed ? request : nil)
        if !allowed { task.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let t = transfers.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if let failure = t.failure { return t.continuation.resume(throwing: FeedFetchError(description: failure)) }
        if let error {
            let reason = (error as? URLError)?.code == .timedOut ? "no answer within \(Int(timeout)) s" : error.localizedDescription
            return t.continuation.resume(throwing: FeedFetchError(description: reason))
        }
        guard let http = task.response as? HTTPURLResponse else {
            return t.continuation.resume(throwing: FeedFetchError(description: "the answer was not HTTP"))
        }
        t.continuation.resume(returning: FeedResponse(
            status: http.statusCode, body: t.data, etag: http.value(forHTTPHeaderField: "ETag"),
            lastModified: http.value(forHTTPHeaderField: "Last-Modified")))
    }
}
