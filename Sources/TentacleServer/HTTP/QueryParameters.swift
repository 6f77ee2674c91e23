import Foundation
import Hummingbird
import TentacleCore

/// Typed, validated access to query parameters; bad values answer 400 naming the parameter.
struct QueryParameters {
    let request: Request

    func string(_ name: String) -> String? {
        guard let v = request.uri.queryParameters.get(name), !v.isEmpty else { return nil }
        return v
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let v = Int(text), range.contains(v) else {
            throw APIError.badRequest("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)", field: name)
        }
        return v
    }

    func date(_ name: String) throws -> Date? {
        guard let text = string(name) else { return nil }
        guard let d = ISO8601DateFormatter().date(from: text) else {
            throw APIError.badRequest("\(name) must be an ISO 8601 time such as 2026-01-01T08:00:00Z", field: name)
        }
        return d
    }

    func oneOf<T: RawRepresentable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String, T: CaseIterable {
        guard let text = string(name) else { return nil }
        guard let v = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badRequest("\(name) must be one of \(allowed)", field: name)
        }
        return v
    }

    /// An opaque page cursor as handed out in `nextCursor`.
    func cursor() throws -> String? {
        guard let text = string("cursor") else { return nil }
        guard let decoded = Cursor.decode(text) else {
            throw APIError.badRequest("cursor is not one this server handed out", field: "cursor")
        }
        return decoded
    }
}

/// Page cursors are base64url so clients treat them as opaque.
enum Cursor {
    static func encode(_ key: String) -> String {
        TextEncoding.base64URL(key.utf8)
    }

    static func decode(_ text: String) -> String? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        guard let data = Data(base64Encoded: s), let key = String(data: data, encoding: .utf8), !key.isEmpty else { return nil }
        return key
    }
}
