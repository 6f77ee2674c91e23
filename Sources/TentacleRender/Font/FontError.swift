/// Why a font could not be read; `line` names the offending line of the source text (1-based), 0 when none.
public struct FontError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case malformed
        case unsupported
        case missingResource
    }

    private let code: Code
    public let line: Int
    public let detail: String

    private init(_ code: Code, line: Int, _ detail: String) {
        self.code = code
        self.line = line
        self.detail = detail
    }

    static func malformed(line: Int, _ detail: String) -> FontError { FontError(.malformed, line: line, detail) }
    static func unsupported(line: Int, _ detail: String) -> FontError { FontError(.unsupported, line: line, detail) }
    static func missingResource(_ name: String) -> FontError { FontError(.missingResource, line: 0, "no bundled font file \(name)") }

    public var description: String {
        line > 0 ? "line \(line): \(detail)" : detail
    }
}
