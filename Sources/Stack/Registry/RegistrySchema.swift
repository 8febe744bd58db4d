import GRDB

/// The Cloud Map tables. Times are Unix milliseconds; configs, attributes and tags are JSON text.
/// `cm_service.changes` counts instance changes (register, deregister, health) for
/// DiscoverInstancesRevision.
enum RegistrySchema {
    static let migrations: [StoreMigration] = [
        StoreMigration("cloudmap-v1") { db in
            try db.execute(sql: """
                CREATE TABLE cm_namespace (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    description TEXT,
                    creator_request_id TEXT,
                    tags TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE cm_service (
                    id TEXT PRIMARY KEY NOT NULL,
                    namespace_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    description TEXT,
                    creator_request_id TEXT,
                    config TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    changes INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (namespace_id, name)
                );
                CREATE TABLE cm_instance (
                    service_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    creator_request_id TEXT,
                    attributes TEXT NOT NULL,
                    custom_status TEXT,
                    ttl_ms INTEGER,
                    heartbeat_at INTEGER NOT NULL,
                    registered_at INTEGER NOT NULL,
                    PRIMARY KEY (service_id, id)
                ) WITHOUT ROWID;
                CREATE TABLE cm_operation (
                    id TEXT PRIMARY KEY NOT NULL,
                    seq INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    status TEXT NOT NULL,
                    error_code TEXT,
                    error_message TEXT,
                    targets TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX cm_operation_seq ON cm_operation(seq);
                """)
        },
        // DNS namespaces: the private namespace's VPC, the hosted zone minted for a DNS namespace
        // and its SOA record's TTL (NULL for HTTP namespaces). An update operation keeps the
        // caller's UpdaterRequestId so a retried update returns the original operation.
        StoreMigration("cloudmap-v2-dns") { db in
            try db.execute(sql: """
                ALTER TABLE cm_namespace ADD COLUMN vpc TEXT;
                ALTER TABLE cm_namespace ADD COLUMN hosted_zone_id TEXT;
                ALTER TABLE cm_namespace ADD COLUMN soa_ttl INTEGER;
                ALTER TABLE cm_operation ADD COLUMN request_id TEXT;
                """)
        },
    ]
}
