/// Why a packet or a pixel mapping was refused: the setting at fault and what it must be.
public struct OutputError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case outOfRange(value: Int, range: ClosedRange<Int>)
        case invalid(reason: String)
    }

    /// The setting at fault, named as in the configuration ("startUniverse", "panelOrder").
    public let field: String
    private let code: Code

    static func outOfRange(_ field: String, _ value: Int, _ range: ClosedRange<Int>) -> OutputError {
        OutputError(field: field, code: .outOfRange(value: value, range: range))
    }

    static func invalid(_ field: String, _ reason: String) -> OutputError {
        OutputError(field: field, code: .invalid(reason: reason))
    }

    /// Throws unless `value` lies in `range`.
    static func check(_ field: String, _ value: Int, in range: ClosedRange<Int>) throws(OutputError) {
        guard range.contains(value) else { throw outOfRange(field, value, range) }
    }

    public var description: String {
        switch code {
        case .outOfRange(let value, let range):
            "\(field) must be \(range.lowerBound)...\(range.upperBound), not \(value)"
        case .invalid(let reason):
            "\(field): \(reason)"
        }
    }
}
