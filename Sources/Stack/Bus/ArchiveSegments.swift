import GRDB

/// Segments being built (`BusArchiveStore` describes what a segment holds): one per (archive,
/// minute), in the order each was first reached, each entry appended in the order it came.
/// PutEvents builds its segments before its write (`PreparedArchive`); a write's
/// `DeliveryLookups.finish` adds what bus-to-bus hops archived and inserts them; the migration
/// that turned the rows of the table before into segments builds them here too.
struct ArchiveSegments: Sendable {
    /// Where an entry whose shared copy is not made yet lies, for `name(_:at:)`.
    struct Slot: Sendable {
        fileprivate var segment: Int
        fileprivate var offset: Int
    }

    private struct Segment: Sendable {
        var archive: String
        var minute: Int64
        var archivedAt: Int64
        var events: Int64 = 0
        var bytes: Int64 = 0
        var entries: [UInt8] = []
        /// The inline entries' texts, concatenated in entry order.
        var texts: [UInt8] = []
    }

    private var segments: [Segment] = []

    var isEmpty: Bool { segments.isEmpty }

    /// Adds an event of `archive` of `bytes` UTF-8 bytes whose text is shared copy `body`;
    /// returns the position of its segment among those built here.
    @discardableResult
    mutating func add(archive: String, time: Int64, sharedCopy body: Int64, bytes: Int, archivedAt: Int64) -> Int {
        let position = segment(archive: archive, time: time, archivedAt: archivedAt, bytes: bytes)
        append(time: time, place: body, to: position)
        return position
    }

    /// Adds an event of `archive` whose text the segment holds itself.
    mutating func add(archive: String, time: Int64, inline text: String, archivedAt: Int64) {
        var text = text
        text.withUTF8 { bytes in
            let position = segment(archive: archive, time: time, archivedAt: archivedAt, bytes: bytes.count)
            segments[position].texts.append(contentsOf: bytes)
            // A text is never empty (an envelope is a JSON object), so its place is below zero.
            append(time: time, place: -Int64(bytes.count), to: position)
        }
    }

    /// Adds an event of `archive` of `bytes` UTF-8 bytes whose text is a shared copy not made
    /// yet: its entry names nothing until `name(_:at:)` is called with the slot returned.
    mutating func addPendingCopy(archive: String, time: Int64, bytes: Int, archivedAt: Int64) -> Slot {
        let position = segment(archive: archive, time: time, archivedAt: archivedAt, bytes: bytes)
        let slot = Slot(segment: position, offset: segments[position].entries.count + 8)
        append(time: time, place: 0, to: position)
        return slot
    }

    /// Names shared copy `body` in the entry at `slot`.
    mutating func name(_ body: Int64, at slot: Slot) {
        withUnsafeBytes(of: body.littleEndian) { bytes in
            segments[slot.segment].entries.replaceSubrange(slot.offset..<(slot.offset + 8), with: bytes)
        }
    }

    /// The position of the segment of (`archive`, minute of `time`), made when first reached,
    /// counting one more event of `bytes` bytes in it. A segment's `archived_at` is the latest
    /// of its events' (one write has one), so retention never deletes one early. A write
    /// reaches few segments (its archives times its events' minutes), so a scan finds it.
    private mutating func segment(archive: String, time: Int64, archivedAt: Int64, bytes: Int) -> Int {
        let minute = BusArchiveStore.minute(of: time)
        let position: Int
        if let known = segments.lastIndex(where: { $0.minute == minute && $0.archive == archive }) {
            position = known
        } else {
            position = segments.count
            segments.append(Segment(archive: archive, minute: minute, archivedAt: archivedAt))
        }
        segments[position].archivedAt = max(segments[position].archivedAt, archivedAt)
        segments[position].events += 1
        segments[position].bytes += Int64(bytes)
        return position
    }

    private mutating func append(time: Int64, place: Int64, to position: Int) {
        withUnsafeBytes(of: time.littleEndian) { segments[position].entries.append(contentsOf: $0) }
        withUnsafeBytes(of: place.littleEndian) { segments[position].entries.append(contentsOf: $0) }
    }

    /// Writes the segments; returns their seqs, by position. Through SQLite's C API
    /// (`DirectStatement`): every PutEvents that archives writes one, and GRDB's boxing of the
    /// arguments and per-statement bookkeeping cost the store writer more than the insert itself
    /// (about 1 µs per archived event in `signalbox-bench bus`'s profile, issue #18). A segment
    /// without inline texts leaves `texts` out (NULL): so does the `events-v8-archive-segments`
    /// migration, which writes segments before that column exists.
    @discardableResult
    func insert(_ db: Database) throws -> [Int64] {
        var plain: DirectStatement?, withTexts: DirectStatement?
        return try segments.map { segment in
            let statement: DirectStatement
            if segment.texts.isEmpty {
                statement = try plain ?? DirectStatement(db, sql: """
                    INSERT INTO eb_archive_segment (archive, minute, archived_at, events, bytes, entries) VALUES (?, ?, ?, ?, ?, ?)
                    """)
                plain = statement
            } else {
                statement = try withTexts ?? DirectStatement(db, sql: """
                    INSERT INTO eb_archive_segment (archive, minute, archived_at, events, bytes, entries, texts)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
                withTexts = statement
            }
            return try statement.execute { bindings in
                bindings.bind(segment.archive)
                bindings.bind(segment.minute)
                bindings.bind(segment.archivedAt)
                bindings.bind(segment.events)
                bindings.bind(segment.bytes)
                bindings.bind(segment.entries)
                if !segment.texts.isEmpty { bindings.bind(segment.texts) }
            }
        }
    }
}

/// What a PutEvents archives, built on the request's thread before its write transaction
/// (requests run in parallel; the store has one writer): its segments whole, inline texts
/// included, except the ids of the shared copies some entries name, which only the write
/// makes. The writer fills those in (`DeliveryLookups.finish`) and inserts one row per segment.
struct PreparedArchive: Sendable {
    var segments = ArchiveSegments()
    /// The entries that name their event's shared copy (`QueueBodyCheck.archives` > 0: two or
    /// more standard queues carry its text, so the copy is made whatever the archive does).
    var pending: [(slot: ArchiveSegments.Slot, event: BusEvent)] = []

    /// Nothing to archive.
    init() {}

    /// The archive entries of `routed`'s events, archived at `archivedAt`.
    init(_ routed: [BusService.RoutedEvent], archivedAt: Int64) {
        for (event, _, archives, time) in routed where !archives.isEmpty {
            for archive in archives {
                if event.queueBody.archives > 0 {
                    let slot = segments.addPendingCopy(archive: archive, time: time, bytes: event.text.utf8.count,
                                                       archivedAt: archivedAt)
                    pending.append((slot, event))
                } else {
                    segments.add(archive: archive, time: time, inline: event.text, archivedAt: archivedAt)
                }
            }
        }
    }
}
