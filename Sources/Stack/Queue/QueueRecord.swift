import GRDB
import JSON
import Synchronization
import Wire

/// One queue as stored.
struct QueueRecord: Sendable {
    var name: String
    var fifo: Bool
    var settings: QueueSettings
    var tags: [String: String]
    var createdAt: Int64
    var modifiedAt: Int64
    var purgedAt: Int64?

    static func load(_ db: Database, name: String) throws -> QueueRecord {
        guard let record = try find(db, name: name) else { throw QueueError.queueDoesNotExist() }
        return record
    }

    static func find(_ db: Database, name: String) throws -> QueueRecord? {
        let query = try DirectStatement(db, sql: """
            SELECT fifo, settings, tags, created_at, modified_at, purged_at FROM sqs_queue WHERE name = ?
            """)
        return try query.fetchFirst({ $0.bind(name) }) { columns in
            let stored = Stored(fifo: columns.int64(0) != 0, settings: columns.text(1), tags: columns.text(2),
                                createdAt: columns.int64(3), modifiedAt: columns.int64(4), purgedAt: columns.optionalInt64(5))
            if let known = decodedRecords.withLock({ $0[name] }), known.stored == stored { return known.record }
            let record = QueueRecord(name: name, fifo: stored.fifo, settings: QueueSettings(values: decodeMap(stored.settings)),
                                     tags: decodeMap(stored.tags), createdAt: stored.createdAt,
                                     modifiedAt: stored.modifiedAt, purgedAt: stored.purgedAt)
            decodedRecords.withLock { cache in
                if cache.count >= 1024 { cache.removeAll(keepingCapacity: true) }
                cache[name] = (stored, record)
            }
            return record
        }
    }

    /// A queue row as stored.
    private struct Stored: Equatable {
        var fifo: Bool
        var settings: String
        var tags: String
        var createdAt: Int64
        var modifiedAt: Int64
        var purgedAt: Int64?
    }

    /// The last decoded record of each queue with the row it came from: every delivery and send
    /// loads its queue, and a row equal to the remembered one (compared whole, so never stale)
    /// is not decoded again.
    private static let decodedRecords = Mutex([String: (stored: Stored, record: QueueRecord)]())

    init(name: String, fifo: Bool, settings: QueueSettings, tags: [String: String], createdAt: Int64,
         modifiedAt: Int64, purgedAt: Int64? = nil) {
        self.name = name
        self.fifo = fifo
        self.settings = settings
        self.tags = tags
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
        self.purgedAt = purgedAt
    }

    func insert(_ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO sqs_queue (name, fifo, settings, tags, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [name, fifo, Self.encodeMap(settings.values), Self.encodeMap(tags), createdAt, modifiedAt])
    }

    func update(_ db: Database) throws {
        try db.execute(
            sql: "UPDATE sqs_queue SET settings = ?, tags = ?, modified_at = ?, purged_at = ? WHERE name = ?",
            arguments: [Self.encodeMap(settings.values), Self.encodeMap(tags), modifiedAt, purgedAt, name])
    }

    static func encodeMap(_ map: [String: String]) -> String {
        var object = JSONObject()
        for key in map.keys.sorted() { object[key] = .string(map[key]!) }
        return JSONValue.object(object).serialized
    }

    /// Decoded settings and tags by their stored text: every message operation loads its queue
    /// row, and the same few texts would otherwise be parsed as JSON thousands of times a second.
    /// A pure memo (text → value), so it can never be stale; bounded by clearing.
    private static let decoded = Mutex([String: [String: String]]())

    static func decodeMap(_ text: String) -> [String: String] {
        if let known = decoded.withLock({ $0[text] }) { return known }
        let map = parseMap(text)
        decoded.withLock { cache in
            if cache.count >= 1024 { cache.removeAll(keepingCapacity: true) }
            cache[text] = map
        }
        return map
    }

    static func parseMap(_ text: String) -> [String: String] {
        guard let object = (try? JSONValue(parsing: text))?.objectValue else { return [:] }
        var out: [String: String] = [:]
        for (key, value) in object { out[key] = value.stringValue }
        return out
    }
}
