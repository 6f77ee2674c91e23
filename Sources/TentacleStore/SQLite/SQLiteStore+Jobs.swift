extension SQLiteStore: JobCoordination {
    /// One process owns a SQLite file, so every job runs here.
    public func exclusively<T: Sendable>(_ job: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        try await body()
    }
}
