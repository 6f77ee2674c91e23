/// Background work that runs on one node at a time when several `tentacle serve` nodes share a
/// database: retention, asset collection, webhook and notification delivery, feed polling.
public protocol JobCoordination: Sendable {
    /// Runs `body` unless another node is running the job named `job` right now, and returns its
    /// result; nil when another node holds the job (this node skips this turn). A node that dies
    /// lets go of its jobs with its connection.
    func exclusively<T: Sendable>(_ job: String, _ body: @Sendable () async throws -> T) async throws -> T?
}
