import Logging
import PostgresNIO

extension PostgresConnection {
    /// How many rows `query` returns; for a change, the rows of its `RETURNING 1`.
    func countRows(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        try await self.query(query, logger: logger).collect().count
    }

    func hasRows(_ query: PostgresQuery, logger: Logger) async throws -> Bool {
        try await countRows(query, logger: logger) > 0
    }

    /// The one integer `query` selects (such as a `COUNT(*)` or a `max(id)`), 0 when it is NULL or there is no row.
    func integer(_ query: PostgresQuery, logger: Logger) async throws -> Int64 {
        for try await value in try await self.query(query, logger: logger).decode(Int64?.self) { return value ?? 0 }
        return 0
    }
}
