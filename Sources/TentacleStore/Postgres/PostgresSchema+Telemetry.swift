import Logging
import NIOCore
import PostgresNIO
import TentacleCore

extension PostgresSchema {
    /// Metrics, series, raw readings, rollups, latest values and batch records; city rules with
    /// their events and webhook deliveries; NGSI-LD subscriptions and their notification queues.
    /// The shape SQLite's tables have after v3, v7, v10, v12 and v14, except that minute cells
    /// are rows of their own (upserted like hour cells) rather than packed per hour; pg5 packs them.
    static let telemetry: [String] = [
        """
        CREATE TABLE metrics (
            name TEXT COLLATE "C" PRIMARY KEY,
            unit TEXT NOT NULL,
            low DOUBLE PRECISION NOT NULL,
            high DOUBLE PRECISION NOT NULL,
            description TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE series (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            source TEXT COLLATE "C" NOT NULL,
            metric TEXT COLLATE "C" NOT NULL,
            UNIQUE (source, metric)
        )
        """,
        // Raw readings of one series and UTC hour packed as `RawChunk` bytes, a row per ingest
        // and group that is never rewritten by ingest: the chunk number, drawn from one sequence,
        // orders arrivals, so a reading keeps its place for the raw query's cursor.
        """
        CREATE TABLE reading_blocks (
            series BIGINT NOT NULL,
            hour BIGINT NOT NULL,
            chunk BIGINT GENERATED ALWAYS AS IDENTITY,
            count BIGINT NOT NULL,
            readings BYTEA NOT NULL,
            PRIMARY KEY (series, hour, chunk)
        )
        """,
        """
        CREATE TABLE rollups_1m (
            series BIGINT NOT NULL,
            bucket BIGINT NOT NULL,
            "min" DOUBLE PRECISION NOT NULL,
            "max" DOUBLE PRECISION NOT NULL,
            "sum" DOUBLE PRECISION NOT NULL,
            "count" BIGINT NOT NULL,
            last DOUBLE PRECISION NOT NULL,
            last_time BIGINT NOT NULL,
            PRIMARY KEY (series, bucket)
        )
        """,
        """
        CREATE TABLE rollups_1h (
            series BIGINT NOT NULL,
            bucket BIGINT NOT NULL,
            "min" DOUBLE PRECISION NOT NULL,
            "max" DOUBLE PRECISION NOT NULL,
            "sum" DOUBLE PRECISION NOT NULL,
            "count" BIGINT NOT NULL,
            last DOUBLE PRECISION NOT NULL,
            last_time BIGINT NOT NULL,
            PRIMARY KEY (series, bucket)
        )
        """,
        """
        CREATE TABLE latest (
            series BIGINT PRIMARY KEY,
            time BIGINT NOT NULL,
            value DOUBLE PRECISION NOT NULL
        )
        """,
        """
        CREATE TABLE ingest_batches (
            source TEXT COLLATE "C" NOT NULL,
            epoch BIGINT NOT NULL,
            sequence BIGINT NOT NULL,
            received_at BIGINT NOT NULL,
            reading_count BIGINT NOT NULL,
            PRIMARY KEY (source, epoch, sequence)
        )
        """,
        "CREATE INDEX ingest_batches_by_received ON ingest_batches (received_at)",
        """
        CREATE TABLE rules (
            id TEXT COLLATE "C" PRIMARY KEY,
            name TEXT NOT NULL,
            condition TEXT NOT NULL,
            actions TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            state TEXT NOT NULL,
            approved_by TEXT,
            approved_at BIGINT,
            raised_sources TEXT NOT NULL DEFAULT '',
            raised_at BIGINT
        )
        """,
        """
        CREATE TABLE rule_events (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            rule TEXT COLLATE "C" NOT NULL,
            kind TEXT NOT NULL,
            time BIGINT NOT NULL,
            source TEXT NOT NULL,
            sources TEXT NOT NULL,
            silent BOOLEAN NOT NULL
        )
        """,
        "CREATE INDEX rule_events_by_rule ON rule_events (rule, id)",
        """
        CREATE TABLE webhook_deliveries (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            rule TEXT COLLATE "C" NOT NULL,
            url TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            state TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            next_attempt_at BIGINT NOT NULL,
            last_status BIGINT,
            last_error TEXT,
            delivered_at BIGINT
        )
        """,
        "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at)",
        "CREATE INDEX webhook_deliveries_by_rule ON webhook_deliveries (rule, id)",
        """
        CREATE TABLE ngsi_subscriptions (
            id TEXT COLLATE "C" PRIMARY KEY,
            owner TEXT NOT NULL,
            document TEXT NOT NULL,
            is_active BOOLEAN NOT NULL,
            created_at BIGINT NOT NULL,
            modified_at BIGINT NOT NULL,
            expires_at BIGINT,
            times_sent BIGINT NOT NULL,
            times_failed BIGINT NOT NULL,
            last_notification BIGINT,
            last_success BIGINT,
            last_failure BIGINT,
            last_failure_reason TEXT
        )
        """,
        // A subscription's queue is read by (subscription, id): the head, the count, the rows
        // deleted with it. Ids are never reused, so an attempt reported for a notification
        // deleted meanwhile cannot land on a newer one.
        """
        CREATE TABLE ngsi_notifications (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            subscription TEXT COLLATE "C" NOT NULL,
            endpoint TEXT NOT NULL,
            content_type TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            attempts BIGINT NOT NULL,
            next_attempt_at BIGINT NOT NULL,
            last_status BIGINT,
            last_error TEXT
        )
        """,
        "CREATE INDEX ngsi_notifications_by_subscription ON ngsi_notifications (subscription, id)",
    ]

    /// The 1-minute cells of a series and UTC hour packed as `MinuteCells` bytes, a row per
    /// ingest and group like `reading_blocks`: ingest only appends, and a query merges an hour's
    /// rows in chunk (arrival) order. Upserting a row per cell cost an index entry and a row
    /// lock per reading for sensors that report once a minute.
    static let minuteBlocks: [String] = [
        """
        CREATE TABLE minute_blocks (
            series BIGINT NOT NULL,
            hour BIGINT NOT NULL,
            chunk BIGINT GENERATED ALWAYS AS IDENTITY,
            count BIGINT NOT NULL,
            cells BYTEA NOT NULL,
            PRIMARY KEY (series, hour, chunk)
        )
        """,
    ]

    /// Moves the cells of `rollups_1m` into `minute_blocks`, a row per series and hour, a few
    /// series at a time, then drops the old table.
    @Sendable static func packMinuteCells(_ connection: PostgresConnection, logger: Logger) async throws {
        var series: [Int64] = []
        for try await id in try await connection.query("SELECT DISTINCT series FROM rollups_1m ORDER BY series", logger: logger).decode(Int64.self) {
            series.append(id)
        }
        for start in stride(from: 0, to: series.count, by: 64) {
            let part = Array(series[start..<min(start + 64, series.count)])
            var hours: [(series: Int64, cells: MinuteCells)] = []
            let rows = try await connection.query(
                """
                SELECT series, bucket, "min", "max", "sum", "count", last, last_time FROM rollups_1m
                WHERE series = ANY(\(part)::bigint[]) ORDER BY series, bucket
                """, logger: logger)
            for try await (id, bucket, min, max, sum, count, last, lastTime) in rows.decode((Int64, Int64, Double, Double, Double, Int, Double, Int64).self) {
                let hour = RollupTier.hour.bucketStart(bucket)
                if hours.last?.series != id || hours.last?.cells.hour != hour { hours.append((id, MinuteCells(hour: hour))) }
                hours[hours.count - 1].cells.set(RollupCell(min: min, max: max, sum: sum, count: count, last: last, lastTime: lastTime), at: bucket)
            }
            try await connection.query(
                """
                INSERT INTO minute_blocks (series, hour, count, cells)
                SELECT * FROM unnest(\(hours.map(\.series))::bigint[], \(hours.map(\.cells.hour))::bigint[],
                    \(hours.map { Int64($0.cells.count) })::bigint[], \(hours.map { ByteBuffer(bytes: $0.cells.encoded()) })::bytea[])
                """, logger: logger)
        }
        try await connection.query("DROP TABLE rollups_1m", logger: logger)
    }
}
