import Foundation
import GRDB
public import TentacleCore

extension SQLiteStore: AlertFeedRepository {
    private static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .millisecondsSince1970
        return d
    }()

    private static func feed(_ row: Row) throws -> AlertFeed {
        let filters: String = row[6], health: String = row[10], scope: String? = row[8], created: Int64 = row[9]
        return AlertFeed(
            id: row[0], name: row[1], url: row[2], kind: row[3], intervalSeconds: row[4], enabled: row[5],
            filters: try decoder.decode(AlertFeed.Filters.self, from: Data(filters.utf8)), createdBy: row[7],
            posterScope: scope.map { $0.isEmpty ? [] : $0.split(separator: ",").map(String.init) },
            createdAt: Date(timeIntervalSince1970: Double(created) / 1000),
            health: try decoder.decode(AlertFeed.Health.self, from: Data(health.utf8)))
    }

    private static let columns = "id, name, url, kind, interval_s, enabled, filters, created_by, poster_scope, created_at, health"

    public func createFeed(_ feed: AlertFeed, audit: AuditEvent) async throws {
        let filters = try Self.json(feed.filters), health = try Self.json(feed.health)
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM alert_feeds WHERE id = ?", arguments: [feed.id]) == true {
                throw StoreError(.conflict, field: "id", "feed '\(feed.id)' already exists")
            }
            if let other = try String.fetchOne(db, sql: "SELECT id FROM alert_feeds WHERE url = ?", arguments: [feed.url]) {
                throw StoreError(.conflict, field: "url", "feed '\(other)' already follows this URL")
            }
            try db.execute(
                sql: "INSERT INTO alert_feeds (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    feed.id, feed.name, feed.url, feed.kind, feed.intervalSeconds, feed.enabled, filters, feed.createdBy,
                    feed.posterScope?.joined(separator: ","), Reading.milliseconds(feed.createdAt), health,
                ])
            try self.append(audit, db)
        }
    }

    public func feed(id: String) async throws -> AlertFeed? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM alert_feeds WHERE id = ?", arguments: [id]).map(Self.feed)
        }
    }

    public func feeds() async throws -> [AlertFeed] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM alert_feeds ORDER BY id").map(Self.feed)
        }
    }

    public func updateFeed(_ feed: AlertFeed, audit: AuditEvent) async throws {
        let filters = try Self.json(feed.filters)
        try await write { db in
            try db.execute(
                sql: "UPDATE alert_feeds SET name = ?, interval_s = ?, enabled = ?, filters = ? WHERE id = ?",
                arguments: [feed.name, feed.intervalSeconds, feed.enabled, filters, feed.id])
            guard db.changesCount == 1 else { throw StoreError.notFound("feed", feed.id) }
            try self.append(audit, db)
        }
    }

    public func deleteFeed(id: String, audit: AuditEvent) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM alert_feed_entries WHERE feed_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM alert_feeds WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError.notFound("feed", id) }
            try self.append(audit, db)
        }
    }

    public func recordPoll(feedId: String, health: AlertFeed.Health, seen: [String]) async throws {
        let text = try Self.json(health)
        let now = Reading.milliseconds(clock())
        try await write { db in
            try db.execute(sql: "UPDATE alert_feeds SET health = ? WHERE id = ?", arguments: [text, feedId])
            guard db.changesCount == 1 else { return }
            let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO alert_feed_entries (feed_id, entry, seen_at) VALUES (?, ?, ?)")
            for entry in seen { try insert.execute(arguments: [feedId, entry, now]) }
        }
    }

    public func seenEntries(feedId: String) async throws -> Set<String> {
        try await read { db in
            Set(try String.fetchAll(db, sql: "SELECT entry FROM alert_feed_entries WHERE feed_id = ?", arguments: [feedId]))
        }
    }
}
