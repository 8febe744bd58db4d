import Foundation
import GRDB

/// Where a replay stands in its archive: the last entry it replayed, as (minute, segment seq,
/// entry index in the segment). Stored in `eb_replay` (`cursor_minute`, `cursor_seq`,
/// `cursor_entry`) in the transaction that delivered that entry, so a replay stopped by a
/// restart resumes exactly after it.
struct ReplayCursor: Equatable, Sendable {
    var minute: Int64
    var seq: Int64
    var entry: Int64
}

/// One archived event a replay delivers next: where it lies, its time and its text.
struct ReplayEntry: Sendable {
    var position: ReplayCursor
    var time: Int64
    var text: String
}

extension BusArchiveStore {
    /// The next events a replay delivers, at most `limit`: those of `archive` whose time is in
    /// `window`, archived in segments up to `lastSeq`, after `cursor` (from the start when nil).
    ///
    /// The order is AWS's: "A replay processes events to replay based on the time in the
    /// event, and replays them using 1 minute intervals" — the window's first minute, then
    /// the next, …; within a minute, in archive order (segments by seq, entries as appended),
    /// not by event time. Segments are read through the index `(archive, minute)` (+ seq) and
    /// only until the batch is full.
    static func replayEntries(_ db: Database, archive: String, window: Range<Int64>, lastSeq: Int64,
                              after cursor: ReplayCursor?, limit: Int) throws -> [ReplayEntry] {
        let from = cursor ?? ReplayCursor(minute: Int64.min, seq: Int64.min, entry: -1)
        // Read as the loop needs them, so a batch reads no more segments than it delivers from.
        let segments = try Row.fetchCursor(db, sql: """
            SELECT seq, minute, entries, texts FROM eb_archive_segment
            WHERE archive = ?1 AND minute >= ?2 AND minute <= ?3 AND seq <= ?4
              AND (minute > ?5 OR (minute = ?5 AND seq >= ?6))
            ORDER BY minute, seq
            """, arguments: [archive, minute(of: window.lowerBound), minute(of: window.upperBound - 1), lastSeq,
                             from.minute, from.seq])
        // Each found entry with its inline text, or the shared copy to read it from.
        var found: [(position: ReplayCursor, time: Int64, text: String?, copy: Int64?)] = []
        while found.count < limit, let segment = try segments.next() {
            // A cursor's rows are reused: each value is read out before the next.
            let seq: Int64 = segment[0], minute: Int64 = segment[1]
            let entries = Self.entries(segment[2])
            let texts: Data = segment[3] ?? Data()
            let first = minute == from.minute && seq == from.seq ? Int(from.entry) + 1 : 0
            // Where the next inline text starts in `texts`: after those of every earlier entry.
            var offset = texts.startIndex
            for (index, entry) in entries.enumerated() {
                let wanted = index >= first && window.contains(entry.time)
                var text: String?
                if case .inline(let length) = entry.text {
                    let end = min(offset + length, texts.endIndex)
                    if wanted { text = String(decoding: texts[offset..<end], as: UTF8.self) }
                    offset = end
                }
                guard wanted else { continue }
                found.append((ReplayCursor(minute: minute, seq: seq, entry: Int64(index)), entry.time, text,
                              entry.text.sharedCopy))
                if found.count == limit { break }
            }
        }
        let copy = try db.cachedStatement(sql: "SELECT body FROM sqs_shared_body WHERE id = ?")
        return try found.map { position, time, text, shared in
            // Every shared entry counts in its copy's refs, so the copy is there while the segment is.
            ReplayEntry(position: position, time: time, text: try text ?? String.fetchOne(copy, arguments: [shared]) ?? "")
        }
    }
}
