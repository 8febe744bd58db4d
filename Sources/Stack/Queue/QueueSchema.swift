import GRDB

/// The SQS tables. Times are Unix milliseconds; queue settings and tags are JSON text.
enum QueueSchema {
    static let migrations: [StoreMigration] = [
        StoreMigration("sqs-v1") { db in
            try db.execute(sql: """
                CREATE TABLE sqs_queue (
                    name TEXT PRIMARY KEY NOT NULL,
                    fifo INTEGER NOT NULL,
                    settings TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    modified_at INTEGER NOT NULL,
                    purged_at INTEGER
                );
                CREATE TABLE sqs_message (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    queue TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body TEXT NOT NULL,
                    attributes TEXT,
                    md5_body TEXT NOT NULL,
                    trace_header TEXT,
                    sender_id TEXT NOT NULL,
                    sent_at INTEGER NOT NULL,
                    visible_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    receive_count INTEGER NOT NULL DEFAULT 0,
                    first_received_at INTEGER,
                    received_at INTEGER,
                    receipt TEXT,
                    group_id TEXT,
                    dedup_id TEXT,
                    dlq_source_arn TEXT
                );
                CREATE INDEX sqs_message_ready ON sqs_message(queue, visible_at);
                CREATE INDEX sqs_message_order ON sqs_message(queue, seq);
                CREATE TABLE sqs_dedup (
                    queue TEXT NOT NULL,
                    dedup_key TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    PRIMARY KEY (queue, dedup_key)
                ) WITHOUT ROWID;
                CREATE TABLE sqs_move_task (
                    task_id TEXT PRIMARY KEY NOT NULL,
                    source_arn TEXT NOT NULL,
                    destination_arn TEXT,
                    max_per_second INTEGER,
                    status TEXT NOT NULL,
                    moved INTEGER NOT NULL DEFAULT 0,
                    to_move INTEGER NOT NULL,
                    failure_reason TEXT,
                    started_at INTEGER NOT NULL
                );
                CREATE INDEX sqs_move_task_source ON sqs_move_task(source_arn, started_at);
                """)
        },
        StoreMigration("sqs-v2-receive-attempts") { db in
            // FIFO ReceiveRequestAttemptId: which seq:receipt pairs an attempt handed out.
            try db.execute(sql: """
                CREATE TABLE sqs_receive_attempt (
                    queue TEXT NOT NULL,
                    attempt_id TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    entries TEXT NOT NULL,
                    PRIMARY KEY (queue, attempt_id)
                ) WITHOUT ROWID;
                """)
        },
        StoreMigration("sqs-v3-shared-bodies") { db in
            // One copy of a body that many messages carry (an event delivered by several rules):
            // such messages store an empty `body` and name the copy in `body_ref`. `refs` counts
            // the messages naming it; every path a message leaves by releases it
            // (`QueueEngine.deleteMessages`). Not a trigger: a row trigger runs a sub-program
            // for every deleted message, which cost receive+delete about a third of its speed.
            try db.execute(sql: """
                CREATE TABLE sqs_shared_body (
                    id INTEGER PRIMARY KEY,
                    body TEXT NOT NULL,
                    refs INTEGER NOT NULL
                );
                ALTER TABLE sqs_message ADD COLUMN body_ref INTEGER;
                """)
        },
        StoreMigration("sqs-v4-fifo-order-index") { db in
            // Only FIFO queues read messages in send order (standard receives and move tasks go
            // by visibility), and only FIFO messages carry a deduplication id: indexing just
            // those spares every standard send and delete one index update.
            try db.execute(sql: """
                DROP INDEX sqs_message_order;
                CREATE INDEX sqs_message_fifo_order ON sqs_message(queue, seq) WHERE dedup_id IS NOT NULL;
                """)
        },
        StoreMigration("sqs-v5-fifo-sequence-numbers") { db in
            // `seq` loses AUTOINCREMENT, which cost every INSERT a read and a write of
            // sqlite_sequence (measured side by side, PutEvents ran 7–20% faster without it). A new
            // row still gets a seq above every live one, so send order holds; only the seq of a
            // deleted newest message can come back, and a receipt handle also names its receive's
            // nonce, so an old handle never matches a new message. FIFO sequence numbers, which
            // SQS promises never go back, now come from their own counter (`sequence_number`),
            // continuing from the old high-water mark; `sqs_dedup.seq` holds them too.
            try db.execute(sql: """
                CREATE TABLE sqs_fifo_sequence (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL);
                INSERT INTO sqs_fifo_sequence (id, last)
                    VALUES (1, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'sqs_message'), 0));
                CREATE TABLE sqs_message_v5 (
                    seq INTEGER PRIMARY KEY,
                    queue TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body TEXT NOT NULL,
                    attributes TEXT,
                    md5_body TEXT NOT NULL,
                    trace_header TEXT,
                    sender_id TEXT NOT NULL,
                    sent_at INTEGER NOT NULL,
                    visible_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    receive_count INTEGER NOT NULL DEFAULT 0,
                    first_received_at INTEGER,
                    received_at INTEGER,
                    receipt TEXT,
                    group_id TEXT,
                    dedup_id TEXT,
                    dlq_source_arn TEXT,
                    body_ref INTEGER,
                    sequence_number INTEGER
                );
                INSERT INTO sqs_message_v5 (seq, queue, id, body, attributes, md5_body, trace_header, sender_id,
                        sent_at, visible_at, expires_at, receive_count, first_received_at, received_at, receipt,
                        group_id, dedup_id, dlq_source_arn, body_ref, sequence_number)
                    SELECT seq, queue, id, body, attributes, md5_body, trace_header, sender_id,
                        sent_at, visible_at, expires_at, receive_count, first_received_at, received_at, receipt,
                        group_id, dedup_id, dlq_source_arn, body_ref, CASE WHEN dedup_id IS NOT NULL THEN seq END
                    FROM sqs_message;
                DROP TABLE sqs_message;
                ALTER TABLE sqs_message_v5 RENAME TO sqs_message;
                CREATE INDEX sqs_message_ready ON sqs_message(queue, visible_at);
                CREATE INDEX sqs_message_fifo_order ON sqs_message(queue, seq) WHERE dedup_id IS NOT NULL;
                """)
        },
        StoreMigration("sqs-v6-visibility-index") { db in
            // The counts (GetQueueAttributes, the stream's `queues` topic) read `expires_at` and
            // `receipt` too: with only (queue, visible_at) indexed, every count read each message's
            // row, body and all. This index holds all a count reads, so counting touches the
            // index alone; it replaces the old one rather than joining it, so a send or receive
            // still updates one index per message. `seq` is named (though every index ends in the
            // rowid) so that it comes straight after `visible_at`: ReceiveMessage's
            // `ORDER BY visible_at, seq` then reads in index order with no sort.
            try db.execute(sql: """
                DROP INDEX sqs_message_ready;
                CREATE INDEX sqs_message_visibility ON sqs_message(queue, visible_at, seq, expires_at, receipt);
                """)
        },
    ]
}
