import Foundation
import PostgresNIO
public import TentacleCore

extension PostgresStore: AlertFeedRepository {
    private static let feedColumns = "id, name, url, kind, interval_s, enabled, filters, created_by, poster_scope, created_at, health"

    private static func feed(_ row: PostgresRow) throws -> AlertFeed {
        let (id, name, url, kind, interval, enabled, filters, createdBy, scope, created, health) =
            try row.decode((String, String, String, String, Int, Bool, String, String, String?, Int64, String).self)
        return AlertFeed(
            id: id, name: name, url: url, kind: kind, intervalSeconds: interval, enabled: enabled,
            filters: try Self.decode(AlertFeed.Filters.self, json: filters), createdBy: createdBy,
            posterScope: scope.map { $0.isEmpty ? [] : $0.split(separator: ",").map(String.init) },
            createdAt: Date(timeIntervalSince1970: Double(created) / 1000), health: try Self.decode(AlertFeed.Health.self, json: health))
    }

    public func createFeed(_ feed: AlertFeed, audit: AuditEvent) async throws {
        let filters = try Self.json(feed.filters), health = try Self.json(feed.health)
        try await write { connection in
            if try await connection.hasRows("SELECT 1 FROM alert_feeds WHERE id = \(feed.id)", logger: logger) {
                throw StoreError(.conflict, field: "id", "feed '\(feed.id)' already exists")
            }
            if let other = try await connection.query("SELECT id FROM alert_feeds WHERE url = \(feed.url)", logger: logger).collect().first?.decode(String.self) {
                throw StoreError(.conflict, field: "url", "feed '\(other)' already follows this URL")
            }
            try await connection.query(
                """
                INSERT INTO alert_feeds (\(unescaped: Self.feedColumns))
                VALUES (\(feed.id), \(feed.name), \(feed.url), \(feed.kind), \(feed.intervalSeconds), \(feed.enabled), \(filters), \(feed.createdBy),
                    \(feed.posterScope?.joined(separator: ",")), \(Reading.milliseconds(feed.createdAt)), \(health))
                """, logger: logger)
            try await self.append(audit, connection)
        }
    }

    public func feed(id: String) async throws -> AlertFeed? {
        try await read { connection in
            try await connection.query("SELECT \(unescaped: Self.feedColumns) FROM alert_feeds WHERE id = \(id)", logger: logger).collect().first.map(Self.feed)
        }
    }

    public func feeds() async throws -> [AlertFeed] {
        try await read { connection in
            try await connection.query(#"SELECT \#(unescaped: Self.feedColumns) FROM alert_feeds ORDER BY id COLLATE "C""#, logger: logger).collect()
                .map(Self.feed)
        }
    }

    public func updateFeed(_ feed: AlertFeed, audit: AuditEvent) async throws {
        let filters = try Self.json(feed.filters)
        try await write { connection in
            let updated = try await connection.countRows(
                """
                UPDATE alert_feeds SET name = \(feed.name), interval_s = \(feed.intervalSeconds), enabled = \(feed.enabled), filters = \(filters)
                WHERE id = \(feed.id) RETURNING 1
                """, logger: logger)
            guard updated == 1 else { throw StoreError.notFound("feed", feed.id) }
            try await self.append(audit, connection)
        }
    }

    public func deleteFeed(id: String, audit: AuditEvent) async throws {
        try await write { connection in
            try await connection.query("DELETE FROM alert_feed_entries WHERE feed_id = \(id)", logger: logger)
            let deleted = try await connection.countRows("DELETE FROM alert_feeds WHERE id = \(id) RETURNING 1", logger: logger)
            guard deleted == 1 else { throw StoreError.notFound("feed", id) }
            try await self.append(audit, connection)
        }
    }

    public func recordPoll(feedId: String, health: AlertFeed.Health, seen: [String]) async throws {
        let text = try Self.json(health)
        let now = Reading.milliseconds(clock())
        try await write { connection in
            let updated = try await connection.countRows("UPDATE alert_feeds SET health = \(text) WHERE id = \(feedId) RETURNING 1", logger: logger)
            guard updated == 1, !seen.isEmpty else { return }
            try await connection.query(
                "INSERT INTO alert_feed_entries (feed_id, entry, seen_at) SELECT \(feedId), unnest(\(seen)), \(now) ON CONFLICT DO NOTHING",
                logger: logger)
        }
    }

    public func seenEntries(feedId: String) async throws -> Set<String> {
        try await read { connection in
            Set(try await connection.query("SELECT entry FROM alert_feed_entries WHERE feed_id = \(feedId)", logger: logger).collect().map { try $0.decode(String.self) })
        }
    }
}
