import GRDB
import Wire

/// The Step Functions tables. Times are Unix milliseconds. An execution's whole interpreter
/// state is one JSON document (`state`), rewritten with its new history events in the same
/// transaction, so a restart resumes exactly where the last acknowledged input left it.
enum SagaSchema {
    static let migrations: [StoreMigration] = [
        StoreMigration("sfn-v1") { db in
            try db.execute(sql: """
                CREATE TABLE sfn_state_machine (
                    arn TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    definition TEXT NOT NULL,
                    role_arn TEXT NOT NULL,
                    type TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    revision INTEGER NOT NULL DEFAULT 1
                );
                CREATE TABLE sfn_execution (
                    arn TEXT PRIMARY KEY NOT NULL,
                    machine_arn TEXT NOT NULL,
                    name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    input TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    stopped_at INTEGER,
                    version INTEGER NOT NULL,
                    state TEXT NOT NULL
                );
                CREATE INDEX sfn_execution_machine ON sfn_execution(machine_arn, started_at);
                CREATE INDEX sfn_execution_status ON sfn_execution(status);
                CREATE TABLE sfn_history (
                    execution_arn TEXT NOT NULL,
                    id INTEGER NOT NULL,
                    previous_id INTEGER NOT NULL,
                    timestamp REAL NOT NULL,
                    type TEXT NOT NULL,
                    details TEXT,
                    PRIMARY KEY (execution_arn, id)
                ) WITHOUT ROWID;
                CREATE TABLE sfn_token (
                    token TEXT PRIMARY KEY NOT NULL,
                    execution_arn TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX sfn_token_execution ON sfn_token(execution_arn);
                CREATE TABLE sfn_activity (
                    arn TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                """)
        },
        // Tags (a JSON array of {"key","value"} in the order AWS lists them) and
        // encryptionConfiguration (JSON; NULL: the default AWS_OWNED_KEY) on state machines
        // and activities.
        StoreMigration("sfn-v2-tags-encryption") { db in
            try db.execute(sql: """
                ALTER TABLE sfn_state_machine ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE sfn_state_machine ADD COLUMN encryption TEXT;
                ALTER TABLE sfn_activity ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE sfn_activity ADD COLUMN encryption TEXT;
                """)
        },
        // Versions (immutable snapshots of a machine's revision, numbered from 1 per machine and
        // never reused) and aliases (routing to one or two versions by weight); an execution
        // started through either records which.
        StoreMigration("sfn-v3-versions-aliases") { db in
            try db.execute(sql: """
                ALTER TABLE sfn_state_machine ADD COLUMN next_version INTEGER NOT NULL DEFAULT 1;
                CREATE TABLE sfn_version (
                    machine_arn TEXT NOT NULL,
                    number INTEGER NOT NULL,
                    definition TEXT NOT NULL,
                    role_arn TEXT NOT NULL,
                    revision INTEGER NOT NULL,
                    description TEXT,
                    encryption TEXT,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (machine_arn, number)
                ) WITHOUT ROWID;
                CREATE TABLE sfn_alias (
                    machine_arn TEXT NOT NULL,
                    name TEXT NOT NULL,
                    description TEXT,
                    routing TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (machine_arn, name)
                ) WITHOUT ROWID;
                ALTER TABLE sfn_execution ADD COLUMN version_arn TEXT;
                ALTER TABLE sfn_execution ADD COLUMN alias_arn TEXT;
                """)
        },
        // Distributed Map: a Map Run row per distributed Map entered (`request` is the
        // interpreter's MapRunRequest as JSON: the children's definition and inputs; the
        // settings UpdateMapRun changes are columns), and child executions point at theirs.
        // A Map Run's progress is never stored apart from its children: it is read back from
        // their rows, so a restart cannot disagree with them.
        StoreMigration("sfn-v4-map-runs") { db in
            try db.execute(sql: """
                CREATE TABLE sfn_map_run (
                    arn TEXT PRIMARY KEY NOT NULL,
                    execution_arn TEXT NOT NULL,
                    machine_arn TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    stopped_at INTEGER,
                    max_concurrency INTEGER NOT NULL,
                    tolerated_count INTEGER,
                    tolerated_percentage REAL,
                    error TEXT,
                    cause TEXT,
                    request TEXT NOT NULL
                );
                CREATE INDEX sfn_map_run_execution ON sfn_map_run(execution_arn, started_at);
                CREATE INDEX sfn_map_run_status ON sfn_map_run(status);
                ALTER TABLE sfn_execution ADD COLUMN map_run_arn TEXT;
                ALTER TABLE sfn_execution ADD COLUMN map_index INTEGER;
                CREATE INDEX sfn_execution_map_run ON sfn_execution(map_run_arn, map_index) WHERE map_run_arn IS NOT NULL;
                """)
        },
        // AWS's revisionId is a UUID that a changing UpdateStateMachine replaces; the counter
        // `revision` stays as the key a version snapshots. Rows from before get a UUID each;
        // a version of a machine's current revision shares the machine's.
        StoreMigration("sfn-v5-revision-ids") { db in
            try db.execute(sql: """
                ALTER TABLE sfn_state_machine ADD COLUMN revision_id TEXT NOT NULL DEFAULT '';
                ALTER TABLE sfn_version ADD COLUMN revision_id TEXT NOT NULL DEFAULT '';
                """)
            for arn in try String.fetchAll(db, sql: "SELECT arn FROM sfn_state_machine") {
                try db.execute(sql: "UPDATE sfn_state_machine SET revision_id = ? WHERE arn = ?", arguments: [RandomIdentifier.uuid(), arn])
            }
            try db.execute(sql: """
                UPDATE sfn_version SET revision_id = COALESCE((SELECT m.revision_id FROM sfn_state_machine m
                                                               WHERE m.arn = sfn_version.machine_arn AND m.revision = sfn_version.revision), '')
                """)
            for row in try Row.fetchAll(db, sql: "SELECT machine_arn, number FROM sfn_version WHERE revision_id = ''") {
                try db.execute(sql: "UPDATE sfn_version SET revision_id = ? WHERE machine_arn = ? AND number = ?",
                               arguments: [RandomIdentifier.uuid(), row["machine_arn"] as String, row["number"] as Int])
            }
        },
        // Redriving a Map Run with its parent: the run counts its redrives, and each child
        // records the redrive it last ran in (`map_attempt`; 0 the first run). A child that
        // ended unsuccessfully in an earlier attempt than the run's latest waits to be redriven.
        StoreMigration("sfn-v6-map-run-redrive") { db in
            try db.execute(sql: """
                ALTER TABLE sfn_map_run ADD COLUMN redrive_count INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE sfn_map_run ADD COLUMN redrive_date INTEGER;
                ALTER TABLE sfn_execution ADD COLUMN map_attempt INTEGER NOT NULL DEFAULT 0;
                """)
        },
        // ListExecutions' `redriveFilter`, `redriveCount` and `redriveDate`: an execution's
        // redrives as columns, kept with its state. Rows from before take them from the state
        // (`redriveDate` there is seconds since 2001-01-01, Foundation's reference date).
        StoreMigration("sfn-v7-execution-redrives") { db in
            try db.execute(sql: """
                ALTER TABLE sfn_execution ADD COLUMN redrive_count INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE sfn_execution ADD COLUMN redrive_date INTEGER;
                UPDATE sfn_execution SET redrive_count = json_extract(state, '$.redriveCount'),
                    redrive_date = CAST(ROUND((json_extract(state, '$.redriveDate') + 978307200) * 1000) AS INTEGER)
                WHERE json_extract(state, '$.redriveCount') > 0;
                """)
        },
    ]
}
