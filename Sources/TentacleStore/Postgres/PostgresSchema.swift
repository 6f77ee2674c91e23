/// PostgreSQL's schema: the same tables as SQLite's, in PostgreSQL's types (TIMESTAMPTZ for
/// dates, BIGINT for millisecond times, BYTEA for packed readings, BOOLEAN for flags).
///
/// Migrations run in order; one that has shipped is never edited, only followed by another.
enum PostgresSchema {
    static let migrations: [PostgresMigration] = [
        PostgresMigration(name: "pg1-registry", statements: registry),
        PostgresMigration(name: "pg2-content-devices-alerts", statements: content),
        PostgresMigration(name: "pg3-telemetry-rules-subscriptions", statements: telemetry),
        PostgresMigration(name: "pg4-node-messages", statements: nodeMessages),
        PostgresMigration(name: "pg5-minute-blocks", statements: minuteBlocks, then: packMinuteCells),
        PostgresMigration(name: "pg6-room-for-updates", statements: roomForUpdates),
        PostgresMigration(name: "pg7-targets-with-the-alert", statements: targetsWithTheAlert),
    ]

    /// An alert keeps the displays it targets in its own row, and `alert_deliveries` only holds
    /// the displays it reached: a pending delivery is a target without a row. Storing an alert
    /// for 5,000 displays was one index entry per display (20 ms of 30 in its transaction, before
    /// the first screen could be told); now it is one array, and a display's row is written once,
    /// when its hand-over or acknowledgement is (see `recordDeliveries`).
    static let targetsWithTheAlert: [String] = [
        "ALTER TABLE alerts ADD COLUMN targets TEXT[] NOT NULL DEFAULT '{}'",
        """
        UPDATE alerts SET targets = d.ids
        FROM (SELECT alert_id, array_agg(display_id ORDER BY display_id COLLATE "C") AS ids FROM alert_deliveries GROUP BY alert_id) d
        WHERE alerts.id = d.alert_id
        """,
        "DELETE FROM alert_deliveries WHERE state = 'pending'",
    ]

    /// Rows rewritten in place soon after they are written: an alert's deliveries (each display's
    /// row changes once or twice within seconds of the alert) and displays (presence). Free room
    /// in each page lets PostgreSQL keep the new version beside the old without touching the
    /// indexes (a HOT update) when no indexed column changes. Pages written from now on.
    ///
    /// Deliveries also lose their foreign key to `alerts`: they are only ever inserted with their
    /// alert, in its transaction, and alerts are never deleted, so the key only cost a trigger per
    /// display (28 of 45 ms for 5,000) while the city waited for the alert to go out.
    static let roomForUpdates: [String] = [
        "ALTER TABLE alert_deliveries SET (fillfactor = 50)",
        "ALTER TABLE alert_deliveries DROP CONSTRAINT IF EXISTS alert_deliveries_alert_id_fkey",
        "ALTER TABLE displays SET (fillfactor = 80)",
    ]

    /// Messages between nodes too long for a NOTIFY payload, kept a few minutes (see `NodeLink`).
    static let nodeMessages: [String] = [
        """
        CREATE TABLE node_messages (
            id BIGSERIAL PRIMARY KEY,
            body TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """,
    ]

    /// Districts, groups, displays, users, tokens, device credentials, sensors and the audit log.
    static let registry: [String] = [
        """
        CREATE TABLE districts (
            code TEXT COLLATE "C" PRIMARY KEY,
            name TEXT NOT NULL,
            boundary TEXT,
            approval_required BOOLEAN NOT NULL DEFAULT TRUE
        )
        """,
        """
        CREATE TABLE groups (
            code TEXT COLLATE "C" PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT ''
        )
        """,
        """
        CREATE TABLE displays (
            id TEXT COLLATE "C" PRIMARY KEY,
            name TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            lat DOUBLE PRECISION NOT NULL,
            lon DOUBLE PRECISION NOT NULL,
            district TEXT COLLATE "C" NOT NULL REFERENCES districts(code),
            pole_id TEXT,
            timezone TEXT NOT NULL,
            notes TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'offline',
            last_seen TIMESTAMPTZ,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX displays_by_district ON displays (district, id)",
        "CREATE INDEX displays_by_status ON displays (status, id)",
        "CREATE INDEX displays_by_location ON displays (lat, lon)",
        """
        CREATE TABLE display_groups (
            display_id TEXT COLLATE "C" NOT NULL REFERENCES displays(id) ON DELETE CASCADE,
            group_code TEXT COLLATE "C" NOT NULL REFERENCES groups(code),
            position INTEGER NOT NULL,
            PRIMARY KEY (display_id, group_code)
        )
        """,
        "CREATE INDEX display_groups_by_group ON display_groups (group_code, display_id)",
        """
        CREATE TABLE display_tags (
            display_id TEXT COLLATE "C" NOT NULL REFERENCES displays(id) ON DELETE CASCADE,
            tag TEXT COLLATE "C" NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (display_id, tag)
        )
        """,
        "CREATE INDEX display_tags_by_tag ON display_tags (tag, display_id)",
        """
        CREATE TABLE users (
            id TEXT COLLATE "C" PRIMARY KEY,
            username TEXT COLLATE "C" NOT NULL UNIQUE,
            role TEXT NOT NULL,
            districts TEXT NOT NULL DEFAULT '',
            password_hash TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL
        )
        """,
        """
        CREATE TABLE api_tokens (
            id TEXT COLLATE "C" PRIMARY KEY,
            user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            secret_hash TEXT NOT NULL UNIQUE,
            created_at TIMESTAMPTZ NOT NULL,
            expires_at TIMESTAMPTZ,
            revoked_at TIMESTAMPTZ
        )
        """,
        "CREATE INDEX api_tokens_by_user ON api_tokens (user_id)",
        """
        CREATE TABLE device_credentials (
            id TEXT COLLATE "C" PRIMARY KEY,
            display_id TEXT COLLATE "C" NOT NULL REFERENCES displays(id) ON DELETE CASCADE,
            secret_hash TEXT NOT NULL UNIQUE,
            created_at TIMESTAMPTZ NOT NULL,
            revoked_at TIMESTAMPTZ
        )
        """,
        "CREATE INDEX device_credentials_by_display ON device_credentials (display_id)",
        """
        CREATE TABLE sensors (
            id TEXT COLLATE "C" PRIMARY KEY,
            kind TEXT NOT NULL,
            metrics TEXT NOT NULL,
            display_id TEXT COLLATE "C" REFERENCES displays(id) ON DELETE CASCADE,
            pole_id TEXT,
            lat DOUBLE PRECISION NOT NULL,
            lon DOUBLE PRECISION NOT NULL,
            district TEXT COLLATE "C" NOT NULL REFERENCES districts(code),
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX sensors_by_district ON sensors (district, id)",
        "CREATE SEQUENCE audit_log_ids",
        """
        CREATE TABLE audit_log (
            id BIGINT PRIMARY KEY,
            time TIMESTAMPTZ NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            object_type TEXT NOT NULL,
            object_id TEXT NOT NULL,
            summary TEXT NOT NULL
        )
        """,
        "CREATE INDEX audit_by_object ON audit_log (object_type, object_id)",
        "CREATE INDEX audit_by_actor ON audit_log (actor)",
        """
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
        """,
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
        // Ids in commit order, as SQLite's single writer gives them: `latestAuditId` is a version
        // that readers cache against, so a row committed after a higher id was seen would go unnoticed.
        // The lock (two-key space, apart from the job locks) is held until the transaction ends.
        """
        CREATE FUNCTION audit_log_commit_order() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(1952804468, 1);
            NEW.id := nextval('audit_log_ids');
            RETURN NEW;
        END $$
        """,
        "CREATE TRIGGER audit_log_ids BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_commit_order()",
    ]
}
