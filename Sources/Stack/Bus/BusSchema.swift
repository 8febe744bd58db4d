import GRDB

/// The EventBridge tables. Times are Unix milliseconds; a target is kept as the JSON AWS accepted
/// (so ListTargetsByRule returns it as given); tags are JSON objects.
///
/// `eb_delivery` is the delivery outbox: a delivery that could not complete inside the
/// PutEvents transaction (its queue or bus missing, …) is written there in that same
/// transaction and retried by the background worker until it succeeds, runs out of retries or
/// age (then it goes to the target's dead-letter queue), so nothing acknowledged is lost.
/// Rows with `state = 'failed'` are terminal failures without a usable DLQ, kept for operators.
enum BusSchema {
    static let migrations: [StoreMigration] = [
        StoreMigration("events-v1") { db in
            try db.execute(sql: """
                CREATE TABLE eb_bus (
                    name TEXT PRIMARY KEY NOT NULL,
                    description TEXT,
                    tags TEXT NOT NULL DEFAULT '{}',
                    created_at INTEGER NOT NULL,
                    modified_at INTEGER NOT NULL
                );
                CREATE TABLE eb_rule (
                    bus TEXT NOT NULL,
                    name TEXT NOT NULL,
                    pattern TEXT,
                    schedule TEXT,
                    state TEXT NOT NULL,
                    description TEXT,
                    role_arn TEXT,
                    tags TEXT NOT NULL DEFAULT '{}',
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (bus, name)
                ) WITHOUT ROWID;
                CREATE TABLE eb_target (
                    bus TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    id TEXT NOT NULL,
                    arn TEXT NOT NULL,
                    spec TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    PRIMARY KEY (bus, rule, id)
                ) WITHOUT ROWID;
                CREATE INDEX eb_target_arn ON eb_target(arn);
                CREATE TABLE eb_delivery (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL,
                    bus TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    target_id TEXT NOT NULL,
                    target_arn TEXT NOT NULL,
                    spec TEXT NOT NULL,
                    event TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    depth INTEGER NOT NULL,
                    attempts INTEGER NOT NULL,
                    first_at INTEGER NOT NULL,
                    next_at INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    error_code TEXT,
                    error_message TEXT
                );
                CREATE INDEX eb_delivery_due ON eb_delivery(state, next_at);
                """)
            try db.execute(sql: "INSERT INTO eb_bus (name, created_at, modified_at) VALUES ('default', 0, 0)")
        },
        // Schedule rules fire from here: the next fire time (schedule time, Unix ms) is stored
        // with the rule and advanced in the same transaction that delivers the fire, so a
        // restart neither repeats nor loses a fire.
        StoreMigration("events-v2-schedules") { db in
            try db.execute(sql: """
                ALTER TABLE eb_rule ADD COLUMN next_fire_at INTEGER;
                CREATE INDEX eb_rule_next_fire ON eb_rule(next_fire_at) WHERE schedule IS NOT NULL;
                """)
        },
        // Archives and replays (BusService+Archives, BusService+Replays). An archived event is
        // written in the transaction of the PutEvents that accepted it (as segments since v8). A replay's progress
        // (`cursor_time`, `cursor_seq`: the last archived event it delivered) is advanced in the
        // transaction that delivers its batch, so after a crash it resumes where it stopped,
        // neither repeating nor skipping an event. `last_seq` is the archive's newest event when
        // the replay started: events archived later are not part of it.
        StoreMigration("events-v3-archives") { db in
            try db.execute(sql: """
                CREATE TABLE eb_archive (
                    name TEXT PRIMARY KEY NOT NULL,
                    bus TEXT NOT NULL,
                    pattern TEXT,
                    description TEXT,
                    retention_days INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE eb_archive_event (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    archive TEXT NOT NULL,
                    event_time INTEGER NOT NULL,
                    archived_at INTEGER NOT NULL,
                    event TEXT NOT NULL
                );
                CREATE INDEX eb_archive_event_time ON eb_archive_event(archive, event_time, seq);
                CREATE TABLE eb_replay (
                    name TEXT PRIMARY KEY NOT NULL,
                    archive TEXT NOT NULL,
                    description TEXT,
                    destination TEXT NOT NULL,
                    filter_arns TEXT,
                    event_start INTEGER NOT NULL,
                    event_end INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL,
                    cursor_time INTEGER,
                    cursor_seq INTEGER,
                    last_replayed_time INTEGER,
                    replayed INTEGER NOT NULL DEFAULT 0,
                    state TEXT NOT NULL,
                    state_reason TEXT,
                    started_at INTEGER NOT NULL,
                    ended_at INTEGER
                );
                """)
        },
        // The default bus was created with times 0 (1970). It exists from the store's creation,
        // so that is its creation and modification time, as AWS reports real times for it.
        StoreMigration("events-v4-default-bus-times") { db in
            try db.execute(sql: """
                UPDATE eb_bus SET created_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
                  modified_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
                WHERE name = 'default' AND created_at = 0
                """)
        },
        // A bus's resource policy (PutPermission / RemovePermission): the document as
        // DescribeEventBus returns it, NULL when the bus has none.
        StoreMigration("events-v5-bus-policy") { db in
            try db.execute(sql: "ALTER TABLE eb_bus ADD COLUMN policy TEXT")
        },
        // Connections and API destinations (BusService+Connections, BusService+ApiDestinations).
        // `auth` is the connection's AuthParameters as accepted, secrets included (AWS keeps
        // them in Secrets Manager; here the store is the one place state lives), never returned
        // as they are. `id` is the ARN's last segment. An API destination's calls are outbox rows
        // in `eb_delivery` (target_arn an api-destination ARN) made by the HTTP dispatcher.
        StoreMigration("events-v6-api-destinations") { db in
            try db.execute(sql: """
                CREATE TABLE eb_connection (
                    name TEXT PRIMARY KEY NOT NULL,
                    id TEXT NOT NULL,
                    secret_suffix TEXT NOT NULL,
                    description TEXT,
                    auth_type TEXT NOT NULL,
                    auth TEXT NOT NULL,
                    state TEXT NOT NULL,
                    state_reason TEXT,
                    created_at INTEGER NOT NULL,
                    modified_at INTEGER NOT NULL,
                    authorized_at INTEGER
                );
                CREATE TABLE eb_api_destination (
                    name TEXT PRIMARY KEY NOT NULL,
                    id TEXT NOT NULL,
                    description TEXT,
                    connection_arn TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    method TEXT NOT NULL,
                    rate_limit INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    modified_at INTEGER NOT NULL
                );
                """)
        },
        // Archived events share the stored envelope of PutEvents (issue #18's 10 % budget): an
        // event both archived and sent to queues was written twice, once for its queue
        // messages (`sqs_shared_body`) and once for each archive. Now an archive row may name
        // that copy in `body_ref` (its `event` then empty) and counts in its `refs`, so every
        // path an archived event leaves by (retention, DeleteArchive) releases it, as a
        // deleted message does. Rows written before keep their own text (`body_ref` NULL).
        // `seq` loses AUTOINCREMENT, which cost every archived event a read and a write of
        // sqlite_sequence: a new row still gets a seq above every row present, so replays
        // (by event time, then seq) and `last_seq` (the archive's newest event at StartReplay)
        // keep their meaning; only when every row from a replay's `last_seq` up was deleted
        // could a later event take a seq it covers. The index loses `seq`: an index ends with
        // the rowid anyway, so it still orders by (archive, event_time, seq). The old rows are
        // copied as they are.
        StoreMigration("events-v7-archive-shared-envelopes") { db in
            try db.execute(sql: """
                CREATE TABLE eb_archive_event_v7 (
                    seq INTEGER PRIMARY KEY,
                    archive TEXT NOT NULL,
                    event_time INTEGER NOT NULL,
                    archived_at INTEGER NOT NULL,
                    event TEXT NOT NULL,
                    body_ref INTEGER
                );
                INSERT INTO eb_archive_event_v7 (seq, archive, event_time, archived_at, event)
                    SELECT seq, archive, event_time, archived_at, event FROM eb_archive_event;
                DROP TABLE eb_archive_event;
                ALTER TABLE eb_archive_event_v7 RENAME TO eb_archive_event;
                CREATE INDEX eb_archive_event_time ON eb_archive_event(archive, event_time);
                """)
        },
        // Archives as segments (issue #18's 10 % budget; `BusArchiveStore`): a row per archived
        // event, and its index entry, cost the store writer about 3 µs of PutEvents' ~48 µs an
        // event. Now a write's archived events are one row per (archive, minute of event
        // time), their entries (event time, shared copy) packed in `entries`. A replay's cursor
        // becomes (minute, segment seq, entry): `cursor_time` is renamed `cursor_minute` and
        // `cursor_entry` added. The rows before are converted (`ArchiveSegmentConversion`),
        // then their table dropped.
        StoreMigration("events-v8-archive-segments") { db in
            try db.execute(sql: """
                CREATE TABLE eb_archive_segment (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    archive TEXT NOT NULL,
                    minute INTEGER NOT NULL,
                    archived_at INTEGER NOT NULL,
                    events INTEGER NOT NULL,
                    bytes INTEGER NOT NULL,
                    entries BLOB NOT NULL
                );
                CREATE INDEX eb_archive_segment_minute ON eb_archive_segment(archive, minute);
                ALTER TABLE eb_replay RENAME COLUMN cursor_time TO cursor_minute;
                ALTER TABLE eb_replay ADD COLUMN cursor_entry INTEGER;
                """)
            try ArchiveSegmentConversion.convert(db)
            try db.execute(sql: "DROP TABLE eb_archive_event")
        },
        // Archived texts inline in their segments (issue #18's 10 % budget; `BusArchiveStore`):
        // every event no two standard queues carry had a shared copy made for its archive, a
        // row of ~1 KB inserted by the store writer per event. Now such texts are kept in the
        // segment itself (`texts`), built before the write; an entry names them by a negative
        // number, which no entry written before has, so the segments before are read as they are.
        StoreMigration("events-v9-archive-inline-texts") { db in
            try db.execute(sql: "ALTER TABLE eb_archive_segment ADD COLUMN texts BLOB")
        },
    ]
}
