extension PostgresSchema {
    /// Assets, layouts, campaign revisions and defaults; proof of play and screenshots; alerts with
    /// their deliveries and districts; alert feeds; display health alarms. The shape SQLite's tables
    /// have after v2, v4, v5, v8, v9, v10, v11 and v13.
    static let content: [String] = [
        """
        CREATE TABLE assets (
            sha256 TEXT PRIMARY KEY,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            byte_count INTEGER NOT NULL,
            bytes BYTEA NOT NULL,
            uploaded_by TEXT NOT NULL,
            uploaded_at TIMESTAMPTZ NOT NULL
        )
        """,
        """
        CREATE TABLE layouts (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            document TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        )
        """,
        """
        CREATE TABLE campaign_revisions (
            campaign_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            content TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            state TEXT NOT NULL,
            approved_by TEXT,
            approved_at TIMESTAMPTZ,
            rejected_by TEXT,
            rejected_reason TEXT,
            PRIMARY KEY (campaign_id, revision)
        )
        """,
        "CREATE INDEX campaign_revisions_by_state ON campaign_revisions (state)",
        """
        CREATE TABLE default_layouts (
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            layout_id TEXT NOT NULL REFERENCES layouts(id),
            PRIMARY KEY (kind, key)
        )
        """,
        """
        CREATE TABLE play_batches (
            display_id TEXT NOT NULL,
            epoch BIGINT NOT NULL,
            seq BIGINT NOT NULL,
            received_at BIGINT NOT NULL,
            PRIMARY KEY (display_id, epoch, seq)
        )
        """,
        "CREATE INDEX play_batches_by_received ON play_batches (received_at)",
        """
        CREATE TABLE plays (
            display_id TEXT NOT NULL,
            start BIGINT NOT NULL,
            "end" BIGINT NOT NULL,
            kind TEXT NOT NULL,
            layout_id TEXT,
            campaign_id TEXT,
            revision INTEGER,
            alert_id TEXT,
            seq BIGINT NOT NULL,
            received_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX plays_by_display_start ON plays (display_id, start)",
        "CREATE INDEX plays_by_campaign_start ON plays (campaign_id, start)",
        #"CREATE INDEX plays_by_end ON plays ("end")"#,
        #"CREATE INDEX plays_longer_than_a_day ON plays (display_id, start) WHERE "end" - start > 86400000"#,
        """
        CREATE TABLE screenshots (
            display_id TEXT PRIMARY KEY,
            png BYTEA NOT NULL,
            taken_at BIGINT NOT NULL,
            received_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            sender TEXT NOT NULL,
            sent BIGINT NOT NULL,
            status TEXT NOT NULL,
            msg_type TEXT NOT NULL,
            severity TEXT NOT NULL,
            headline TEXT NOT NULL,
            expires BIGINT,
            state TEXT NOT NULL,
            refs TEXT NOT NULL,
            notice TEXT,
            xml TEXT NOT NULL,
            posted_by TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            targeted INTEGER NOT NULL,
            poster_scope TEXT
        )
        """,
        "CREATE INDEX alerts_by_state ON alerts (state)",
        "CREATE INDEX alerts_by_received ON alerts (received_at)",
        """
        CREATE TABLE alert_deliveries (
            alert_id TEXT NOT NULL REFERENCES alerts(id),
            display_id TEXT NOT NULL,
            state TEXT NOT NULL,
            delivered_at BIGINT,
            shown_at BIGINT,
            acked_at BIGINT,
            PRIMARY KEY (alert_id, display_id)
        )
        """,
        """
        CREATE TABLE alert_districts (
            alert_id TEXT NOT NULL REFERENCES alerts(id),
            district TEXT NOT NULL,
            PRIMARY KEY (district, alert_id)
        )
        """,
        "CREATE INDEX alert_districts_by_alert ON alert_districts (alert_id)",
        """
        CREATE TABLE alert_feeds (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            url TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            interval_s INTEGER NOT NULL,
            enabled BOOLEAN NOT NULL,
            filters TEXT NOT NULL,
            created_by TEXT NOT NULL,
            poster_scope TEXT,
            created_at BIGINT NOT NULL,
            health TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE alert_feed_entries (
            feed_id TEXT NOT NULL REFERENCES alert_feeds(id) ON DELETE CASCADE,
            entry TEXT NOT NULL,
            seen_at BIGINT NOT NULL,
            PRIMARY KEY (feed_id, entry)
        )
        """,
        """
        CREATE TABLE alarms (
            id BIGSERIAL PRIMARY KEY,
            display TEXT NOT NULL,
            kind TEXT NOT NULL,
            severity TEXT NOT NULL,
            state TEXT NOT NULL,
            raised_at BIGINT NOT NULL,
            changed_at BIGINT NOT NULL,
            value DOUBLE PRECISION NOT NULL,
            message TEXT NOT NULL,
            acknowledged_by TEXT,
            acknowledged_at BIGINT,
            cleared_at BIGINT
        )
        """,
        "CREATE INDEX alarms_open ON alarms (state, display, kind)",
        "CREATE INDEX alarms_by_display ON alarms (display, id)",
        // One open alarm per display and kind, also when two nodes raise it at once.
        "CREATE UNIQUE INDEX alarms_one_open ON alarms (display, kind) WHERE state <> 'cleared'",
    ]
}
