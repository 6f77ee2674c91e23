import GRDB
import TentacleCore

extension SQLiteStore {
    /// Migrations run in order; one that has shipped is never edited, only followed by another.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-registry-users-audit") { db in
            try db.execute(sql: """
                CREATE TABLE districts (
                    code TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    boundary TEXT
                );
                CREATE TABLE groups (
                    code TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT ''
                );
                CREATE TABLE displays (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    width INTEGER NOT NULL,
                    height INTEGER NOT NULL,
                    lat REAL NOT NULL,
                    lon REAL NOT NULL,
                    district TEXT NOT NULL REFERENCES districts(code),
                    pole_id TEXT,
                    timezone TEXT NOT NULL,
                    notes TEXT NOT NULL DEFAULT '',
                    status TEXT NOT NULL DEFAULT 'offline',
                    last_seen DATETIME,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                CREATE INDEX displays_by_district ON displays(district, id);
                CREATE INDEX displays_by_status ON displays(status, id);
                CREATE INDEX displays_by_location ON displays(lat, lon);
                CREATE TABLE display_groups (
                    display_id TEXT NOT NULL REFERENCES displays(id) ON DELETE CASCADE,
                    group_code TEXT NOT NULL REFERENCES groups(code),
                    position INTEGER NOT NULL,
                    PRIMARY KEY (display_id, group_code)
                );
                CREATE INDEX display_groups_by_group ON display_groups(group_code, display_id);
                CREATE TABLE display_tags (
                    display_id TEXT NOT NULL REFERENCES displays(id) ON DELETE CASCADE,
                    tag TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    PRIMARY KEY (display_id, tag)
                );
                CREATE INDEX display_tags_by_tag ON display_tags(tag, display_id);
                CREATE TABLE users (
                    id TEXT PRIMARY KEY NOT NULL,
                    username TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    districts TEXT NOT NULL DEFAULT '',
                    password_hash TEXT NOT NULL,
                    created_at DATETIME NOT NULL
                );
                CREATE TABLE api_tokens (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    secret_hash TEXT NOT NULL UNIQUE,
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME,
                    revoked_at DATETIME
                );
                CREATE INDEX api_tokens_by_user ON api_tokens(user_id);
                CREATE TABLE device_credentials (
                    id TEXT PRIMARY KEY NOT NULL,
                    display_id TEXT NOT NULL REFERENCES displays(id) ON DELETE CASCADE,
                    secret_hash TEXT NOT NULL UNIQUE,
                    created_at DATETIME NOT NULL,
                    revoked_at DATETIME
                );
                CREATE INDEX device_credentials_by_display ON device_credentials(display_id);
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time DATETIME NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    object_type TEXT NOT NULL,
                    object_id TEXT NOT NULL,
                    summary TEXT NOT NULL
                );
                CREATE INDEX audit_by_object ON audit_log(object_type, object_id);
                CREATE INDEX audit_by_actor ON audit_log(actor);
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        m.registerMigration("v2-content") { db in
            try db.execute(sql: """
                ALTER TABLE districts ADD COLUMN approval_required INTEGER NOT NULL DEFAULT 1;
                CREATE TABLE assets (
                    sha256 TEXT PRIMARY KEY NOT NULL,
                    width INTEGER NOT NULL,
                    height INTEGER NOT NULL,
                    byte_count INTEGER NOT NULL,
                    bytes BLOB NOT NULL,
                    uploaded_by TEXT NOT NULL,
                    uploaded_at DATETIME NOT NULL
                );
                CREATE TABLE layouts (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    width INTEGER NOT NULL,
                    height INTEGER NOT NULL,
                    document TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                CREATE TABLE campaign_revisions (
                    campaign_id TEXT NOT NULL,
                    revision INTEGER NOT NULL,
                    content TEXT NOT NULL,
                    author TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    state TEXT NOT NULL,
                    approved_by TEXT,
                    approved_at DATETIME,
                    rejected_by TEXT,
                    rejected_reason TEXT,
                    PRIMARY KEY (campaign_id, revision)
                );
                CREATE INDEX campaign_revisions_by_state ON campaign_revisions(state);
                CREATE TABLE default_layouts (
                    kind TEXT NOT NULL,
                    key TEXT NOT NULL,
                    layout_id TEXT NOT NULL REFERENCES layouts(id),
                    PRIMARY KEY (kind, key)
                );
                """)
        }
        m.registerMigration("v3-telemetry") { db in
            // Readings name their series by a small integer rather than repeating the source and
            // metric text in every row: rows stay small and the index on (series, time) serves
            // every range query and the retention job.
            try db.execute(sql: """
                CREATE TABLE metrics (
                    name TEXT PRIMARY KEY NOT NULL,
                    unit TEXT NOT NULL,
                    low REAL NOT NULL,
                    high REAL NOT NULL,
                    description TEXT NOT NULL
                );
                CREATE TABLE series (
                    id INTEGER PRIMARY KEY,
                    source TEXT NOT NULL,
                    metric TEXT NOT NULL,
                    UNIQUE (source, metric)
                );
                CREATE TABLE readings (
                    series INTEGER NOT NULL,
                    time INTEGER NOT NULL,
                    value REAL NOT NULL
                );
                CREATE INDEX readings_by_series_time ON readings(series, time);
                CREATE TABLE rollups_1m (
                    series INTEGER NOT NULL,
                    bucket INTEGER NOT NULL,
                    "min" REAL NOT NULL,
                    "max" REAL NOT NULL,
                    "sum" REAL NOT NULL,
                    "count" INTEGER NOT NULL,
                    last REAL NOT NULL,
                    last_time INTEGER NOT NULL,
                    PRIMARY KEY (series, bucket)
                ) WITHOUT ROWID;
                CREATE TABLE rollups_1h (
                    series INTEGER NOT NULL,
                    bucket INTEGER NOT NULL,
                    "min" REAL NOT NULL,
                    "max" REAL NOT NULL,
                    "sum" REAL NOT NULL,
                    "count" INTEGER NOT NULL,
                    last REAL NOT NULL,
                    last_time INTEGER NOT NULL,
                    PRIMARY KEY (series, bucket)
                ) WITHOUT ROWID;
                CREATE TABLE latest (
                    series INTEGER PRIMARY KEY,
                    time INTEGER NOT NULL,
                    value REAL NOT NULL
                );
                CREATE TABLE ingest_batches (
                    source TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    reading_count INTEGER NOT NULL,
                    PRIMARY KEY (source, sequence)
                ) WITHOUT ROWID;
                CREATE INDEX ingest_batches_by_received ON ingest_batches(received_at);
                """)
        }
        m.registerMigration("v4-devices") { db in
            // What displays report over the channel: proof of play, idempotent per (display, seq)
            // like reading batches, and the latest screenshot of each display.
            try db.execute(sql: """
                CREATE TABLE play_batches (
                    display_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    PRIMARY KEY (display_id, seq)
                ) WITHOUT ROWID;
                CREATE TABLE plays (
                    display_id TEXT NOT NULL,
                    start INTEGER NOT NULL,
                    "end" INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    layout_id TEXT,
                    campaign_id TEXT,
                    revision INTEGER,
                    alert_id TEXT,
                    seq INTEGER NOT NULL,
                    received_at INTEGER NOT NULL
                );
                CREATE INDEX plays_by_display_start ON plays(display_id, start);
                CREATE INDEX plays_by_campaign_start ON plays(campaign_id, start);
                CREATE TABLE screenshots (
                    display_id TEXT PRIMARY KEY NOT NULL,
                    png BLOB NOT NULL,
                    taken_at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v5-alerts") { db in
            // An alert row per CAP message (keyed by its identifier), its raw XML as received, and
            // one delivery row per display it targets.
            try db.execute(sql: """
                CREATE TABLE alerts (
                    id TEXT PRIMARY KEY NOT NULL,
                    sender TEXT NOT NULL,
                    sent INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    msg_type TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    headline TEXT NOT NULL,
                    expires INTEGER,
                    state TEXT NOT NULL,
                    refs TEXT NOT NULL,
                    notice TEXT,
                    xml TEXT NOT NULL,
                    posted_by TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    targeted INTEGER NOT NULL
                );
                CREATE INDEX alerts_by_state ON alerts(state);
                CREATE INDEX alerts_by_received ON alerts(received_at);
                CREATE TABLE alert_deliveries (
                    alert_id TEXT NOT NULL REFERENCES alerts(id),
                    display_id TEXT NOT NULL,
                    state TEXT NOT NULL,
                    delivered_at INTEGER,
                    shown_at INTEGER,
                    acked_at INTEGER,
                    PRIMARY KEY (alert_id, display_id)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v6-sensors") { db in
            try db.execute(sql: """
                CREATE TABLE sensors (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    metrics TEXT NOT NULL,
                    display_id TEXT REFERENCES displays(id) ON DELETE CASCADE,
                    pole_id TEXT,
                    lat REAL NOT NULL,
                    lon REAL NOT NULL,
                    district TEXT NOT NULL REFERENCES districts(code),
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX sensors_by_district ON sensors(district, id);
                """)
        }
        m.registerMigration("v7-reading-blocks") { db in
            // Raw readings and 1-minute cells packed per series and UTC hour: a batch of readings
            // becomes a few row writes instead of two B-tree inserts and a cell upsert per reading.
            try db.execute(sql: """
                CREATE TABLE reading_blocks (
                    series INTEGER NOT NULL,
                    hour INTEGER NOT NULL,
                    chunk INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    readings BLOB NOT NULL,
                    PRIMARY KEY (series, hour, chunk)
                ) WITHOUT ROWID;
                CREATE TABLE minute_blocks (
                    series INTEGER NOT NULL,
                    hour INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    cells BLOB NOT NULL,
                    PRIMARY KEY (series, hour)
                ) WITHOUT ROWID;
                """)
            try movePackedReadings(db)
            try db.execute(sql: "DROP TABLE readings; DROP TABLE rollups_1m;")
        }
        m.registerMigration("v8-alert-scope") { db in
            // Who may settle an alert and who sees it. Alerts stored before take their poster's
            // districts as they are now, and the districts of the displays they targeted.
            try db.execute(sql: """
                ALTER TABLE alerts ADD COLUMN poster_scope TEXT;
                UPDATE alerts SET poster_scope = (SELECT u.districts FROM users u WHERE u.username = alerts.posted_by AND u.districts != '');
                CREATE TABLE alert_districts (
                    alert_id TEXT NOT NULL REFERENCES alerts(id),
                    district TEXT NOT NULL,
                    PRIMARY KEY (district, alert_id)
                ) WITHOUT ROWID;
                INSERT OR IGNORE INTO alert_districts (alert_id, district)
                    SELECT DISTINCT d.alert_id, x.district FROM alert_deliveries d JOIN displays x ON x.id = d.display_id;
                """)
        }
        m.registerMigration("v9-play-retention") { db in
            // Plays are deleted by their end; plays longer than a day are found through their own
            // small index, since the start range of the plays query reaches back one day only.
            try db.execute(sql: """
                CREATE INDEX plays_by_end ON plays("end");
                CREATE INDEX plays_longer_than_a_day ON plays(display_id, start) WHERE "end" - start > 86400000;
                CREATE INDEX play_batches_by_received ON play_batches(received_at);
                """)
        }
        m.registerMigration("v10-batch-epochs") { db in
            // A batch is identified by (source, epoch, sequence): an agent that lost its counter
            // starts a new epoch, so its new batches are not taken for the old ones of the same
            // numbers. Batches stored before are epoch 0, as are those of agents that send none.
            try db.execute(sql: """
                CREATE TABLE ingest_batches_v9 (
                    source TEXT NOT NULL,
                    epoch INTEGER NOT NULL,
                    sequence INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    reading_count INTEGER NOT NULL,
                    PRIMARY KEY (source, epoch, sequence)
                ) WITHOUT ROWID;
                INSERT INTO ingest_batches_v9 SELECT source, 0, sequence, received_at, reading_count FROM ingest_batches;
                DROP TABLE ingest_batches;
                ALTER TABLE ingest_batches_v9 RENAME TO ingest_batches;
                CREATE INDEX ingest_batches_by_received ON ingest_batches(received_at);
                CREATE TABLE play_batches_v9 (
                    display_id TEXT NOT NULL,
                    epoch INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    PRIMARY KEY (display_id, epoch, seq)
                ) WITHOUT ROWID;
                INSERT INTO play_batches_v9 SELECT display_id, 0, seq, received_at FROM play_batches;
                DROP TABLE play_batches;
                ALTER TABLE play_batches_v9 RENAME TO play_batches;
                CREATE INDEX play_batches_by_received ON play_batches(received_at);
                """)
        }
        m.registerMigration("v11-alert-feeds") { db in
            try db.execute(sql: """
                CREATE TABLE alert_feeds (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    url TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    interval_s INTEGER NOT NULL,
                    enabled INTEGER NOT NULL,
                    filters TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    poster_scope TEXT,
                    created_at INTEGER NOT NULL,
                    health TEXT NOT NULL
                );
                CREATE TABLE alert_feed_entries (
                    feed_id TEXT NOT NULL REFERENCES alert_feeds(id) ON DELETE CASCADE,
                    entry TEXT NOT NULL,
                    seen_at INTEGER NOT NULL,
                    PRIMARY KEY (feed_id, entry)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v12-rules") { db in
            try db.execute(sql: """
                CREATE TABLE rules (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    condition TEXT NOT NULL,
                    actions TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    approved_by TEXT,
                    approved_at INTEGER,
                    raised_sources TEXT NOT NULL DEFAULT '',
                    raised_at INTEGER
                );
                CREATE TABLE rule_events (
                    id INTEGER PRIMARY KEY,
                    rule TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    time INTEGER NOT NULL,
                    source TEXT NOT NULL,
                    sources TEXT NOT NULL,
                    silent INTEGER NOT NULL
                );
                CREATE INDEX rule_events_by_rule ON rule_events (rule, id);
                CREATE TABLE webhook_deliveries (
                    id INTEGER PRIMARY KEY,
                    rule TEXT NOT NULL,
                    url TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at INTEGER NOT NULL,
                    last_status INTEGER,
                    last_error TEXT,
                    delivered_at INTEGER
                );
                CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
                CREATE INDEX webhook_deliveries_by_rule ON webhook_deliveries (rule, id);
                """)
        }
        m.registerMigration("v13-alarms") { db in
            try db.execute(sql: """
                CREATE TABLE alarms (
                    id INTEGER PRIMARY KEY,
                    display TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    state TEXT NOT NULL,
                    raised_at INTEGER NOT NULL,
                    changed_at INTEGER NOT NULL,
                    value REAL NOT NULL,
                    message TEXT NOT NULL,
                    acknowledged_by TEXT,
                    acknowledged_at INTEGER,
                    cleared_at INTEGER
                );
                CREATE INDEX alarms_open ON alarms (state, display, kind);
                CREATE INDEX alarms_by_display ON alarms (display, id);
                """)
        }
        m.registerMigration("v14-ngsi-subscriptions") { db in
            // A subscription's notifications are sent in queue order, so its queue is read by
            // (subscription, id): the head, the count, the rows deleted with it. Ids are never
            // reused, so an attempt reported for a notification deleted meanwhile cannot land on
            // a newer one.
            try db.execute(sql: """
                CREATE TABLE ngsi_subscriptions (
                    id TEXT PRIMARY KEY NOT NULL,
                    owner TEXT NOT NULL,
                    document TEXT NOT NULL,
                    is_active INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    modified_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    times_sent INTEGER NOT NULL,
                    times_failed INTEGER NOT NULL,
                    last_notification INTEGER,
                    last_success INTEGER,
                    last_failure INTEGER,
                    last_failure_reason TEXT
                );
                CREATE TABLE ngsi_notifications (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    subscription TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at INTEGER NOT NULL,
                    last_status INTEGER,
                    last_error TEXT
                );
                CREATE INDEX ngsi_notifications_by_subscription ON ngsi_notifications (subscription, id);
                """)
        }
        return m
    }

    /// Copies the rows of the v3 `readings` and `rollups_1m` tables into blocks, one series at a
    /// time, keeping the arrival order of readings within each hour.
    private static func movePackedReadings(_ db: Database) throws {
        for series in try Int64.fetchAll(db, sql: "SELECT id FROM series ORDER BY id") {
            var hours: [Int64: [TimedValue]] = [:]
            let readings = try Row.fetchCursor(db, sql: "SELECT time, value FROM readings WHERE series = ? ORDER BY rowid", arguments: [series])
            while let row = try readings.next() {
                let time: Int64 = row[0]
                hours[RollupTier.hour.bucketStart(time), default: []].append(TimedValue(time: time, value: row[1]))
            }
            for (hour, values) in hours {
                try appendRaw(values, to: SeriesBucket(series: series, bucket: hour), db)
            }
            var minutes: [Int64: MinuteCells] = [:]
            let cells = try Row.fetchCursor(
                db, sql: #"SELECT bucket, "min", "max", "sum", "count", last, last_time FROM rollups_1m WHERE series = ?"#, arguments: [series])
            while let row = try cells.next() {
                let bucket: Int64 = row[0]
                let hour = RollupTier.hour.bucketStart(bucket)
                let cell = RollupCell(min: row[1], max: row[2], sum: row[3], count: row[4], last: row[5], lastTime: row[6])
                // Cells were written by `ingest`, so these hold; a row that breaks them is damage.
                guard bucket == RollupTier.minute.bucketStart(bucket), cell.count >= 1,
                    cell.lastTime >= bucket, cell.lastTime - bucket < RollupTier.minute.width
                else {
                    throw DatabaseError(
                        resultCode: .SQLITE_CORRUPT, message: "rollups_1m row of series \(series) at \(bucket) is not a 1-minute cell")
                }
                minutes[hour, default: MinuteCells(hour: hour)].set(cell, at: bucket)
            }
            for block in minutes.values {
                try saveMinutes(block, series: series, db)
            }
        }
    }
}
