/// What a fuzz run saw: how many documents were accepted, refused (by kind), and slow.
public struct FuzzReport: Hashable, Sendable, CustomStringConvertible {
    public var documents = 0
    public var accepted = 0
    /// Refusals counted by `CAPError.Kind` name.
    public var rejected: [String: Int] = [:]
    /// How often each mutation was applied (a document gets one to three).
    public var mutations: [String: Int] = [:]
    /// Documents whose parse took longer than the run's guard.
    public var slow = 0
    public var slowest: Duration = .zero
    /// The index of the slowest document, to replay it with `CAPFuzzer` and the same seed.
    public var slowestIndex: Int?
    public var elapsed: Duration = .zero

    public init() {}

    public var description: String {
        var lines = ["documents \(documents)  accepted \(accepted)  rejected \(documents - accepted)  slow \(slow)"]
        lines += rejected.sorted { $0.key < $1.key }.map { "  rejected \($0.key): \($0.value)" }
        lines += mutations.sorted { $0.key < $1.key }.map { "  mutation \($0.key): \($0.value)" }
        lines.append("slowest \(slowest)\(slowestIndex.map { " (document \($0))" } ?? "")  total \(elapsed)")
        return lines.joined(separator: "\n")
    }
}
