public import Foundation
import NIOCore
import PostgresNIO
import TentacleCore

extension PostgresStore: DeviceRepository {
    public func recordPresence(_ updates: [PresenceUpdate]) async throws {
        guard !updates.isEmpty else { return }
        // A display named twice ends as its last update says, as when they are applied one by one.
        var last: [String: PresenceUpdate] = [:]
        for u in updates { last[u.displayId] = u }
        let latest = Array(last.values)
        try await write { connection in
            _ = try await connection.query(
                """
                UPDATE displays SET status = u.status, last_seen = u.last_seen
                FROM unnest(\(latest.map(\.displayId)), \(latest.map(\.status.rawValue)), \(latest.map { MillisecondStamp($0.lastSeen) }))
                    AS u(id, status, last_seen)
                WHERE displays.id = u.id
                """, logger: logger)
        }
    }

    public func recordPlays(_ batches: [PlayBatch], at time: Date) async throws -> [Bool] {
        guard !batches.isEmpty else { return [] }
        let received = Reading.milliseconds(time)
        return try await write { connection in
            // Claimed in order: of batches repeated within the call, the first is the one stored.
            var claimed = Set<BatchKey>()
            let rows = try await connection.query(
                """
                INSERT INTO play_batches (display_id, epoch, seq, received_at)
                SELECT display_id, epoch, seq, \(received)
                FROM unnest(\(batches.map(\.displayId)), \(batches.map(\.epoch)), \(batches.map(\.seq))) WITH ORDINALITY AS b(display_id, epoch, seq, n)
                ORDER BY n
                ON CONFLICT DO NOTHING RETURNING display_id, epoch, seq
                """, logger: logger
            ).collect()
            for row in rows {
                let (display, epoch, seq) = try row.decode((String, Int64, Int64).self)
                claimed.insert(BatchKey(display: display, epoch: epoch, seq: seq))
            }
            let new = batches.map { claimed.remove(BatchKey(display: $0.displayId, epoch: $0.epoch, seq: $0.seq)) != nil }
            var plays: [(PlayRecord, PlayBatch)] = []
            for (batch, isNew) in zip(batches, new) where isNew {
                plays += batch.plays.map { ($0, batch) }
            }
            // 10 parameters a play, well within PostgreSQL's 65,535 a statement.
            for start in stride(from: 0, to: plays.count, by: 5_000) {
                let chunk = plays[start..<min(start + 5_000, plays.count)]
                var bindings = PostgresBindings(capacity: chunk.count * 10)
                var values: [String] = []
                for (i, (p, batch)) in chunk.enumerated() {
                    let b = i * 10
                    values.append("($\(b + 1), $\(b + 2), $\(b + 3), $\(b + 4), $\(b + 5), $\(b + 6), $\(b + 7)::integer, $\(b + 8), $\(b + 9), $\(b + 10))")
                    bindings.append(batch.displayId)
                    bindings.append(p.start)
                    bindings.append(p.end)
                    bindings.append(p.kind)
                    bindings.append(p.layoutId)
                    bindings.append(p.campaignId)
                    bindings.append(p.revision)
                    bindings.append(p.alertId)
                    bindings.append(batch.seq)
                    bindings.append(received)
                }
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO plays (display_id, start, "end", kind, layout_id, campaign_id, revision, alert_id, seq, received_at)
                            VALUES \(values.joined(separator: ", "))
                            """, binds: bindings), logger: logger)
            }
            return new
        }
    }

    private struct BatchKey: Hashable {
        var display: String
        var epoch: Int64
        var seq: Int64
    }

    public func lastSequence(displayId: String, epoch: Int64) async throws -> Int64? {
        try await read { connection in
            try await connection.query(
                """
                SELECT max(s) FROM (
                    SELECT max(sequence) AS s FROM ingest_batches WHERE source = \(displayId) AND epoch = \(epoch)
                    UNION ALL SELECT max(seq) FROM play_batches WHERE display_id = \(displayId) AND epoch = \(epoch)) AS batches
                """, logger: logger
            ).collect().first?.decode(Int64?.self) ?? nil
        }
    }

    public func plays(displayId: String, from: Int64, to: Int64, limit: Int) async throws -> [PlayRecord] {
        try await read { connection in
            // A play overlaps [from, to) when it starts before `to` and ends after `from`. Most plays
            // are short, so those that overlap started at most a day before `from` and an index
            // range on start finds them; the few longer ones have a partial index of their own.
            let dayBefore = from - 86_400_000
            return try await connection.query(
                """
                SELECT kind, layout_id, campaign_id, revision, alert_id, start, "end", seq FROM plays
                WHERE display_id = \(displayId) AND start >= \(dayBefore) AND start < \(to) AND "end" > \(from)
                UNION ALL
                SELECT kind, layout_id, campaign_id, revision, alert_id, start, "end", seq FROM plays
                WHERE display_id = \(displayId) AND "end" - start > 86400000 AND start < \(dayBefore) AND "end" > \(from)
                ORDER BY start, seq LIMIT \(limit)
                """, logger: logger
            ).collect().map { try Self.play(displayId, $0) }
        }
    }

    public func latestPlays() async throws -> [String: PlayRecord] {
        try await read { connection in
            // One index seek per display on plays(display_id, start), not a scan of the plays.
            var plays: [String: PlayRecord] = [:]
            let rows = try await connection.query(
                """
                SELECT d.id, p.* FROM displays d CROSS JOIN LATERAL (
                    SELECT kind, layout_id, campaign_id, revision, alert_id, start, "end" FROM plays
                    WHERE display_id = d.id ORDER BY start DESC, seq DESC LIMIT 1) p
                """, logger: logger
            ).collect()
            for row in rows {
                let id = try row.decode(String.self)
                plays[id] = try Self.play(id, row, offset: 1)
            }
            return plays
        }
    }

    /// A play from the columns kind, layout_id, campaign_id, revision, alert_id, start, "end", starting at `offset`.
    private static func play(_ displayId: String, _ row: PostgresRow, offset: Int = 0) throws -> PlayRecord {
        let cells = row.makeRandomAccess()
        return PlayRecord(
            displayId: displayId, kind: try cells[offset].decode(String.self), layoutId: try cells[offset + 1].decode(String?.self),
            campaignId: try cells[offset + 2].decode(String?.self), revision: try cells[offset + 3].decode(Int?.self),
            alertId: try cells[offset + 4].decode(String?.self), start: try cells[offset + 5].decode(Int64.self),
            end: try cells[offset + 6].decode(Int64.self))
    }

    public func saveScreenshot(displayId: String, _ shot: StoredScreenshot) async throws {
        try await write { connection in
            _ = try await connection.query(
                """
                INSERT INTO screenshots (display_id, png, taken_at, received_at)
                VALUES (\(displayId), \(ByteBuffer(bytes: shot.png)), \(Reading.milliseconds(shot.takenAt)), \(Reading.milliseconds(shot.receivedAt)))
                ON CONFLICT (display_id) DO UPDATE SET png = excluded.png, taken_at = excluded.taken_at, received_at = excluded.received_at
                """, logger: logger)
        }
    }

    public func screenshot(displayId: String) async throws -> StoredScreenshot? {
        try await read { connection in
            guard let row = try await connection.query("SELECT png, taken_at, received_at FROM screenshots WHERE display_id = \(displayId)", logger: logger)
                .collect().first
            else { return nil }
            let (png, taken, received) = try row.decode((ByteBuffer, Int64, Int64).self)
            return StoredScreenshot(
                png: Array(png.readableBytesView), takenAt: Date(timeIntervalSince1970: Double(taken) / 1000),
                receivedAt: Date(timeIntervalSince1970: Double(received) / 1000))
        }
    }
}
