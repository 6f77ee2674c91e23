public import Foundation
import NIOCore
import PostgresNIO
import Synchronization
public import TentacleCore

extension PostgresStore: TelemetryRepository {
    /// One transaction per call and a fixed number of statements whatever its size: the batches
    /// are claimed together, then one statement of array binds writes every table.
    public func ingest(_ batches: [ReadingBatch], at time: Date) async throws -> [BatchOutcome] {
        let receivedAt = Reading.milliseconds(time)
        let follower = ingestFollower.withLock { $0 }
        let (outcomes, created) = try await write { connection in
            let fresh = try await claim(batches, receivedAt: receivedAt, connection)
            let stored = zip(batches, fresh).compactMap { batch, isFresh in isFresh ? batch : nil }
            var created: [SeriesKey: Int64] = [:]
            if !stored.isEmpty {
                created = try await save(IngestGroups(stored), connection)
                if let follower { _ = try await queue(follower.follow(stored, receivedAt: receivedAt), connection) }
            }
            let outcomes = zip(batches, fresh).map { batch, isFresh in
                BatchOutcome(source: batch.source, sequence: batch.sequence, result: isFresh ? .stored(batch.readings.count) : .duplicate)
            }
            return (outcomes, created)
        }
        // Only once committed: a series created by a transaction that rolled back does not exist.
        if !created.isEmpty { seriesCache.remember(created) }
        return outcomes
    }

    /// Records the batches not seen before, in this call or an earlier one; true for each such batch.
    /// A batch another transaction is storing waits for it and then counts as seen.
    private func claim(_ batches: [ReadingBatch], receivedAt: Int64, _ connection: PostgresConnection) async throws -> [Bool] {
        struct Key: Hashable {
            var source: String
            var epoch: Int64
            var sequence: Int64
        }
        var firsts: [Key: Int] = [:]
        for (i, b) in batches.enumerated() where firsts[Key(source: b.source, epoch: b.epoch, sequence: b.sequence)] == nil {
            firsts[Key(source: b.source, epoch: b.epoch, sequence: b.sequence)] = i
        }
        // In key order, so concurrent ingests lock the batch records in the same order.
        let claims = firsts.sorted { ($0.key.source, $0.key.epoch, $0.key.sequence) < ($1.key.source, $1.key.epoch, $1.key.sequence) }
        let sources = claims.map(\.key.source), epochs = claims.map(\.key.epoch), sequences = claims.map(\.key.sequence)
        let counts = claims.map { Int64(batches[$0.value].readings.count) }
        let rows = try await connection.query(
            """
            INSERT INTO ingest_batches (source, epoch, sequence, received_at, reading_count)
            SELECT b.source, b.epoch, b.sequence, \(receivedAt), b.count
            FROM unnest(\(sources)::text[], \(epochs)::bigint[], \(sequences)::bigint[], \(counts)::bigint[]) AS b(source, epoch, sequence, count)
            ON CONFLICT DO NOTHING RETURNING source, epoch, sequence
            """, logger: logger)
        var fresh = Array(repeating: false, count: batches.count)
        for try await (source, epoch, sequence) in rows.decode((String, Int64, Int64).self) {
            if let i = firsts[Key(source: source, epoch: epoch, sequence: sequence)] { fresh[i] = true }
        }
        return fresh
    }

    /// Writes the raw blocks, the minute blocks, the hour cells and the latest values of stored
    /// batches in one statement; returns the series it had to look up or create.
    private func save(_ groups: IngestGroups, _ connection: PostgresConnection) async throws -> [SeriesKey: Int64] {
        guard !groups.series.isEmpty else { return [:] }
        let (ids, resolved) = try await seriesIds(groups.series, connection)
        var blocks = (series: [Int64](), hour: [Int64](), count: [Int64](), readings: [ByteBuffer]())
        var minutes = (series: [Int64](), hour: [Int64](), count: [Int64](), cells: [ByteBuffer]())
        var hours: [(series: Int64, bucket: Int64, cell: RollupCell)] = []
        for group in groups.groups {
            let series = ids[group.series]
            for start in stride(from: 0, to: group.readings.count, by: Self.readingsPerBlock) {
                let part = group.readings[start..<min(start + Self.readingsPerBlock, group.readings.count)]
                blocks.series.append(series)
                blocks.hour.append(group.hour)
                blocks.count.append(Int64(part.count))
                blocks.readings.append(ByteBuffer(bytes: RawChunk.encode(part, hour: group.hour)))
            }
            var cells = MinuteCells(hour: group.hour)
            var hour = RollupCell(value: group.readings[0].value, time: group.readings[0].time)
            for r in group.readings.dropFirst() { hour.merge(RollupCell(value: r.value, time: r.time)) }
            for r in group.readings { cells.merge(r) }
            minutes.series.append(series)
            minutes.hour.append(group.hour)
            minutes.count.append(Int64(cells.count))
            minutes.cells.append(ByteBuffer(bytes: cells.encoded()))
            hours.append((series, group.hour, hour))
        }
        // Hour cells and latest values in key order, so concurrent ingests lock them in the same order.
        hours.sort { ($0.series, $0.bucket) < ($1.series, $1.bucket) }
        let latest = zip(ids, groups.latest).map { (series: $0, reading: $1) }.sorted { $0.series < $1.series }
        try await connection.query(
            """
            WITH raw AS (
                INSERT INTO reading_blocks (series, hour, count, readings)
                SELECT * FROM unnest(\(blocks.series)::bigint[], \(blocks.hour)::bigint[], \(blocks.count)::bigint[], \(blocks.readings)::bytea[])),
            minutes AS (
                INSERT INTO minute_blocks (series, hour, count, cells)
                SELECT * FROM unnest(\(minutes.series)::bigint[], \(minutes.hour)::bigint[], \(minutes.count)::bigint[], \(minutes.cells)::bytea[])),
            hours AS (
                INSERT INTO rollups_1h AS t (series, bucket, "min", "max", "sum", "count", last, last_time)
                SELECT * FROM unnest(\(hours.map(\.series))::bigint[], \(hours.map(\.bucket))::bigint[], \(hours.map(\.cell.min))::float8[],
                    \(hours.map(\.cell.max))::float8[], \(hours.map(\.cell.sum))::float8[], \(hours.map { Int64($0.cell.count) })::bigint[],
                    \(hours.map(\.cell.last))::float8[], \(hours.map(\.cell.lastTime))::bigint[])
                ON CONFLICT (series, bucket) DO UPDATE SET
                    "min" = least(t."min", excluded."min"),
                    "max" = greatest(t."max", excluded."max"),
                    "sum" = t."sum" + excluded."sum",
                    "count" = t."count" + excluded."count",
                    last = CASE WHEN excluded.last_time >= t.last_time THEN excluded.last ELSE t.last END,
                    last_time = greatest(t.last_time, excluded.last_time)),
            newest AS (
                INSERT INTO latest AS l (series, time, value)
                SELECT * FROM unnest(\(latest.map(\.series))::bigint[], \(latest.map(\.reading.time))::bigint[], \(latest.map(\.reading.value))::float8[])
                ON CONFLICT (series) DO UPDATE SET time = excluded.time, value = excluded.value WHERE excluded.time >= l.time)
            SELECT 1
            """, logger: logger)
        return resolved
    }

    /// Readings per `reading_blocks` row: 1,800 bytes, so a row stays below PostgreSQL's TOAST
    /// threshold and is stored inline.
    static let readingsPerBlock = 150

    /// The ids of `keys`, in their order, creating the series not stored yet; with the keys it
    /// had to look up or create, for the cache once the transaction has committed.
    private func seriesIds(_ keys: [SeriesKey], _ connection: PostgresConnection) async throws -> (ids: [Int64], resolved: [SeriesKey: Int64]) {
        var found = seriesCache.ids(of: keys)
        var resolved: [SeriesKey: Int64] = [:]
        func collect(_ rows: PostgresRowSequence) async throws {
            for try await (id, source, metric) in rows.decode((Int64, String, String).self) {
                found[SeriesKey(source: source, metric: metric)] = id
                resolved[SeriesKey(source: source, metric: metric)] = id
            }
        }
        func lookUp(_ keys: [SeriesKey]) async throws {
            try await collect(try await connection.query(
                """
                SELECT s.id, s.source, s.metric FROM series s
                JOIN unnest(\(keys.map(\.source))::text[], \(keys.map(\.metric))::text[]) AS k(source, metric) USING (source, metric)
                """, logger: logger))
        }
        let unknown = keys.filter { found[$0] == nil }
        if !unknown.isEmpty { try await lookUp(unknown) }
        let missing = unknown.filter { found[$0] == nil }.sorted { ($0.source, $0.metric) < ($1.source, $1.metric) }
        if !missing.isEmpty {
            try await collect(try await connection.query(
                """
                INSERT INTO series (source, metric) SELECT * FROM unnest(\(missing.map(\.source))::text[], \(missing.map(\.metric))::text[])
                ON CONFLICT DO NOTHING RETURNING id, source, metric
                """, logger: logger))
            // A series another transaction created after this statement's snapshot is not returned above.
            let raced = missing.filter { found[$0] == nil }
            if !raced.isEmpty { try await lookUp(raced) }
        }
        let ids = try keys.map { key in
            guard let id = found[key] else { throw StoreError(.conflict, "series '\(key.source)' '\(key.metric)' could not be created; try again") }
            return id
        }
        return (ids, resolved)
    }
}

/// Series ids already committed, so an ingest of known series needs no lookup. Series are never
/// deleted or renumbered, so an id stays right for as long as the database does; the cache is
/// emptied when full rather than tracking use.
final class SeriesCache: Sendable {
    private let ids = Mutex<[SeriesKey: Int64]>([:])
    static let capacity = 262_144

    func ids(of keys: [SeriesKey]) -> [SeriesKey: Int64] {
        ids.withLock { known in
            var found: [SeriesKey: Int64] = [:]
            for key in keys { if let id = known[key] { found[key] = id } }
            return found
        }
    }

    func remember(_ resolved: [SeriesKey: Int64]) {
        ids.withLock { known in
            if known.count + resolved.count > Self.capacity { known.removeAll(keepingCapacity: true) }
            known.merge(resolved) { _, new in new }
        }
    }
}

/// The readings of an ingest's stored batches grouped by series and UTC hour, each group in
/// arrival order, with the latest reading of each series.
struct IngestGroups {
    /// The series met, in the order first met.
    let series: [SeriesKey]
    let groups: [(series: Int, hour: Int64, readings: [TimedValue])]
    /// Per series, the reading with the greatest time; among equal times the last to arrive.
    let latest: [TimedValue]

    init(_ batches: [ReadingBatch]) {
        var series: [SeriesKey] = []
        var groups: [(series: Int, hour: Int64, readings: [TimedValue])] = []
        var latest: [TimedValue] = []
        var index: [SeriesKey: Int] = [:]
        var groupsOf: [[Int]] = []
        // A batch mostly lists its metrics in a fixed order, so the series after the last one
        // is tried before hashing.
        var previous = -1
        for reading in batches.lazy.flatMap(\.readings) {
            func matches(_ i: Int) -> Bool { series[i].metric == reading.metric && series[i].source == reading.source }
            let next = previous + 1 < series.count ? previous + 1 : 0
            let m: Int
            if previous >= 0 && matches(previous) {
                m = previous
            } else if !series.isEmpty && matches(next) {
                m = next
            } else if let known = index[SeriesKey(source: reading.source, metric: reading.metric)] {
                m = known
            } else {
                m = series.count
                let key = SeriesKey(source: reading.source, metric: reading.metric)
                index[key] = m
                series.append(key)
                groupsOf.append([])
                latest.append(TimedValue(time: reading.time, value: reading.value))
            }
            previous = m
            let value = TimedValue(time: reading.time, value: reading.value)
            let hour = RollupTier.hour.bucketStart(reading.time)
            if let g = groupsOf[m].last(where: { groups[$0].hour == hour }) {
                groups[g].readings.append(value)
            } else {
                groupsOf[m].append(groups.count)
                groups.append((m, hour, [value]))
            }
            // `<=`: among equal times the reading that arrived last wins, as in rollup cells.
            if latest[m].time <= reading.time { latest[m] = value }
        }
        self.series = series
        self.groups = groups
        self.latest = latest
    }
}
