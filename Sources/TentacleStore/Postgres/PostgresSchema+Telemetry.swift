extension PostgresSchema {
    /// Metrics, series, raw readings, rollups, latest values and batch records; city rules with
    /// their events and webhook deliveries; NGSI-LD subscriptions and their notification queues.
    /// The shape SQLite's tables have after v3, v7, v10, v12 and v14, except that minute cells
    /// are rows of their own (upserted like hour cells) rather than packed per hour.
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
}
