import Foundation

/// Why a layout was rejected: malformed JSON (with the path at fault) or failed validation (every issue).
public struct LayoutError: Error, CustomStringConvertible {
    private enum Code {
        case malformed(path: String, message: String)
        case invalid([LayoutIssue])
    }

    private let code: Code

    private init(code: Code) {
        self.code = code
    }

    static func malformed(path: String, message: String) -> LayoutError {
        LayoutError(code: .malformed(path: path, message: message))
    }

    static func invalid(_ issues: [LayoutIssue]) -> LayoutError {
        LayoutError(code: .invalid(issues))
    }

    /// The validation issues, empty when the JSON itself could not be read.
    public var issues: [LayoutIssue] {
        if case .invalid(let issues) = code { return issues }
        return []
    }

    /// The JSON path ("regions[0].playlist[1].widget.type") of a decoding error; nil for validation errors.
    public var path: String? {
        if case .malformed(let path, _) = code { return path }
        return nil
    }

    public var description: String {
        switch code {
        case .malformed(let path, let message):
            path.isEmpty ? "layout JSON: \(message)" : "layout JSON at \(path): \(message)"
        case .invalid(let issues):
            "invalid layout:\n" + issues.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    init(decoding error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self = .malformed(path: LayoutError.path(context.codingPath + [key]), message: "missing required field \"\(key.stringValue)\"")
        case .valueNotFound(let type, let context):
            self = .malformed(path: LayoutError.path(context.codingPath), message: "expected \(LayoutError.name(of: type)), found null")
        case .typeMismatch(let type, let context):
            self = .malformed(path: LayoutError.path(context.codingPath), message: "expected \(LayoutError.name(of: type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty, let underlying = context.underlyingError {
                self = .malformed(path: "", message: "not valid JSON (\(underlying.localizedDescription))")
            } else {
                self = .malformed(path: LayoutError.path(context.codingPath), message: context.debugDescription)
            }
        @unknown default:
            self = .malformed(path: "", message: "\(error)")
        }
    }

    /// "regions[0].playlist[1].widget": array indices in brackets, keys dotted.
    private static func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is [Any].Type: "a list"
        default: "\(type)"
        }
    }
}

/// One problem found by `Layout.validate`, naming the region (when there is one) and the field.
public struct LayoutIssue: Hashable, Sendable, CustomStringConvertible {
    /// Nil for canvas-wide fields (width, height, version).
    public let region: String?
    /// The field's path inside the region (or layout): "playlist[0].widget.speed".
    public let field: String
    public let message: String

    public init(region: String?, field: String, message: String) {
        self.region = region
        self.field = field
        self.message = message
    }

    public var description: String {
        if let region { return "region \"\(region)\", \(field): \(message)" }
        return "\(field): \(message)"
    }
}
