public import Foundation
import GRDB
import TentacleCore

extension SQLiteStore: DeviceRepository {
    public func recordPresence(_ updates: [PresenceUpdate]) async throws {
        guard !updates.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(sql: "UPDATE displays SET status = ?, last_seen = ? WHERE id = ?")
            for u in updates {
                try statement.execute(arguments: [u.status.rawValue, u.lastSeen, u.displayId])
            }
        }
    }

    public func recordPlays(_ batches: [PlayBatch], at time: Date) async throws -> [Bool] {
        let received = Reading.milliseconds(time)
        return try await write { db in
            let claim = try db.cachedStatement(sql: "INSERT OR IGNORE INTO play_batches (display_id, epoch, seq, received_at) VALUES (?, ?, ?, ?)")
            let insert = try db.cachedStatement(sql: """
                INSERT INTO plays (display_id, start, "end", kind, layout_id, campaign_id, revision, alert_id, seq, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            return try batches.map { batch in
                try claim.execute(arguments: [batch.displayId, batch.epoch, batch.seq, received])
                guard db.changesCount == 1 else { return false }
                for p in batch.plays {
                    try insert.execute(arguments: [
                        batch.displayId, p.start, p.end, p.kind, p.layoutId, p.campaignId, p.revision, p.alertId, batch.seq, received,
                    ])
                }
                return true
            }
        }
    }

    public func lastSequence(displayId: String, epoch: Int64) async throws -> Int64? {
        try await read { db in
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT max(s) FROM (
                        SELECT max(sequence) AS s FROM ingest_batches WHERE source = ? AND epoch = ?
                        UNION ALL SELECT max(seq) FROM play_batches WHERE display_id = ? AND epoch = ?)
                    """,
                arguments: [displayId, epoch, displayId, epoch])
        }
    }

    public func plays(displayId: String, from: Int64, to: Int64, limit: Int) async throws -> [PlayRecord] {
        try await read { db in
            // A play overlaps [from, to) when it starts before `to` and ends after `from`. Most plays
            // are short, so those that overlap started at most a day before `from` and an index
            // range on start finds them; the few longer ones have a partial index of their own.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, layout_id, campaign_id, revision, alert_id, start, "end", seq FROM plays
                    WHERE display_id = ? AND start >= ? AND start < ? AND "end" > ?
                    UNION ALL
                    SELECT kind, layout_id, campaign_id, revision, alert_id, start, "end", seq FROM plays
                    WHERE display_id = ? AND "end" - start > 86400000 AND start < ? AND "end" > ?
                    ORDER BY start, seq LIMIT ?
                    """,
                arguments: [displayId, from - 86_400_000, to, from, displayId, from - 86_400_000, from, limit])
            return rows.map { row in
                PlayRecord(
                    displayId: displayId, kind: row[0], layoutId: row[1], campaignId: row[2], revision: row[3], alertId: row[4],
                    start: row[5], end: row[6])
            }
        }
    }

    public func latestPlays() async throws -> [String: PlayRecord] {
        try await read { db in
            // One index seek per display on plays(display_id, start), not a scan of the plays.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT d.id, p.kind, p.layout_id, p.campaign_id, p.revision, p.alert_id, p.start, p."end" FROM displays d
                    JOIN plays p ON p.rowid = (SELECT rowid FROM plays WHERE display_id = d.id ORDER BY start DESC, seq DESC LIMIT 1)
                    """)
            var plays: [String: PlayRecord] = [:]
            for row in rows {
                let id: String = row[0]
                plays[id] = PlayRecord(
                    displayId: id, kind: row[1], layoutId: row[2], campaignId: row[3], revision: row[4], alertId: row[5], start: row[6], end: row[7])
            }
            return plays
        }
    }

    public func saveScreenshot(displayId: String, _ shot: StoredScreenshot) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO screenshots (display_id, png, taken_at, received_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (display_id) DO UPDATE SET png = excluded.png, taken_at = excluded.taken_at, received_at = excluded.received_at
                    """,
                arguments: [displayId, Data(shot.png), Reading.milliseconds(shot.takenAt), Reading.milliseconds(shot.receivedAt)])
        }
    }

    public func screenshot(displayId: String) async throws -> StoredScreenshot? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT png, taken_at, received_at FROM screenshots WHERE display_id = ?", arguments: [displayId])
            else { return nil }
            let png: Data = row[0]
            let taken: Int64 = row[1], received: Int64 = row[2]
            return StoredScreenshot(
                png: Array(png), takenAt: Date(timeIntervalSince1970: Double(taken) / 1000),
                receivedAt: Date(timeIntervalSince1970: Double(received) / 1000))
        }
    }
}
