/// A sink setting that cannot be used: the part at fault, named as in the sink string, and why.
public struct SinkConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The scheme, "host", "port", "folder" or an option's name ("universe", "panel").
    public let part: String
    public let reason: String
    /// The whole sink string, when the setting came from one.
    public internal(set) var text: String?

    init(_ part: String, _ reason: String) {
        self.part = part
        self.reason = reason
    }

    /// Throws unless `value` lies in `range`.
    static func check(_ part: String, _ value: Int, in range: ClosedRange<Int>) throws(SinkConfigurationError) {
        guard range.contains(value) else {
            throw SinkConfigurationError(part, "must be \(range.lowerBound)...\(range.upperBound), not \(value)")
        }
    }

    public var description: String {
        let problem = "\(part): \(reason)"
        return text.map { "sink \"\($0)\": \(problem)" } ?? problem
    }
}
