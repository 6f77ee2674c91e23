import Foundation
import HTTPTypes
import Hummingbird

/// Cross-site request forgery protection for requests signed in by the session cookie.
///
/// A browser attaches the cookie to requests other sites make it send; it also says where such a
/// request comes from. A state-changing request (anything but GET, HEAD and OPTIONS) is refused
/// when its `Origin`, or without one its `Sec-Fetch-Site`, or without either its `Referer`, names
/// another site than the `Host` it was sent to. Scripts and tools that send none of them are not
/// browsers and are let through; bearer-token requests never come here. The cookie is also
/// `SameSite=Strict`, so current browsers do not send it cross-site at all.
enum SameOrigin {
    static func check(_ request: Request) throws {
        switch request.method {
        case .get, .head, .options: return
        default: break
        }
        let host = request.head.authority
        if let origin = request.headers[.origin] {
            guard let host, Self.authority(of: origin) == host.lowercased() else {
                throw refused("its Origin '\(origin.prefix(100))' is not this server")
            }
            return
        }
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!] {
            guard site == "same-origin" || site == "none" else { throw refused("Sec-Fetch-Site is '\(site.prefix(40))'") }
            return
        }
        if let referer = request.headers[.referer] {
            guard let host, Self.authority(of: referer) == host.lowercased() else {
                throw refused("its Referer is not a page of this server")
            }
        }
    }

    /// `host[:port]` of an absolute URL, lower-cased; nil for `null` or anything unparsable.
    static func authority(of url: String) -> String? {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else { return nil }
        let name = host.contains(":") ? "[\(host)]" : host
        return (components.port.map { "\(name):\($0)" } ?? name).lowercased()
    }

    private static func refused(_ why: String) -> APIError {
        APIError(
            .forbidden,
            "cross-site request refused: \(why); a request signed in with the session cookie must come from the dashboard itself (or use Authorization: Bearer)")
    }
}
