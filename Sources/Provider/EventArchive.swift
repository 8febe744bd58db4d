import Foundation
import Timekeeping

/// An EventBridge archive (`ListArchives`): a bus's events kept for replay.
public struct EventArchive: Sendable, Hashable {
    public var name: String
    /// The bus it archives (`EventSourceArn`); a replay of it goes back to that bus.
    public var busArn: String
    /// `ENABLED`, `DISABLED`, `CREATING`, `UPDATING`, `CREATE_FAILED`, `UPDATE_FAILED`.
    public var state: String
    public var eventCount: Int
    public var sizeBytes: Int
    /// 0: kept indefinitely.
    public var retentionDays: Int
    public var createdAt: Date?

    public init(name: String, busArn: String, state: String = "ENABLED", eventCount: Int = 0, sizeBytes: Int = 0,
                retentionDays: Int = 0, createdAt: Date? = nil) {
        self.name = name
        self.busArn = busArn
        self.state = state
        self.eventCount = eventCount
        self.sizeBytes = sizeBytes
        self.retentionDays = retentionDays
        self.createdAt = createdAt
    }

    /// The ARN StartReplay names as `EventSourceArn`: the bus's, with `archive/NAME` for `event-bus/BUS`.
    public var arn: String {
        guard let range = busArn.range(of: ":event-bus/") else { return name }
        return busArn[..<range.lowerBound] + ":archive/" + name
    }
}

/// An EventBridge replay (`ListReplays`): a window of an archive's events sent again to the
/// archive's bus, each carrying `replay-name`.
public struct EventReplay: Sendable, Hashable {
    public var name: String
    /// The archive replayed (`EventSourceArn`).
    public var archiveArn: String
    /// `STARTING`, `RUNNING`, `CANCELLING`, `COMPLETED`, `CANCELLED`, `FAILED`.
    public var state: String
    public var stateReason: String?
    /// The window of event times replayed.
    public var from: Date
    public var to: Date
    /// The time of the newest event replayed so far: the only progress AWS reports.
    public var lastReplayedEventTime: Date?
    public var startedAt: Date?
    public var endedAt: Date?

    public init(name: String, archiveArn: String, state: String, stateReason: String? = nil, from: Date, to: Date,
                lastReplayedEventTime: Date? = nil, startedAt: Date? = nil, endedAt: Date? = nil) {
        self.name = name
        self.archiveArn = archiveArn
        self.state = state
        self.stateReason = stateReason
        self.from = from
        self.to = to
        self.lastReplayedEventTime = lastReplayedEventTime
        self.startedAt = startedAt
        self.endedAt = endedAt
    }

    /// Still sending events (or about to, or stopping).
    public var isActive: Bool { ["STARTING", "RUNNING", "CANCELLING"].contains(state) }

    /// How far through its window the replay is, 0…1, estimated from the last replayed event's
    /// time (events are not spread evenly over a window: this is time covered, not events sent).
    /// 1 once completed; nil when nothing was replayed yet and it has not completed.
    public var progress: Double? {
        if state == "COMPLETED" { return 1 }
        guard let last = lastReplayedEventTime else { return nil }
        let window = to.timeIntervalSince(from)
        guard window > 0 else { return 1 }
        return min(1, max(0, last.timeIntervalSince(from) / window))
    }

    /// `RUNNING 42%` (of the window's time), `COMPLETED`, `FAILED: reason`.
    public var statusText: String {
        switch state {
        case "COMPLETED", "CANCELLED": return state
        case "FAILED": return "FAILED" + (stateReason.map { ": " + $0 } ?? "")
        default: return state + (progress.map { " \(Int(($0 * 100).rounded(.down)))%" } ?? "")
        }
    }
}

/// What StartReplay is sent with: a window of an archive's events, back to the archive's bus.
public struct ReplayRequest: Sendable, Hashable {
    public var name: String
    public var archiveArn: String
    public var busArn: String
    public var from: Date
    public var to: Date

    public init(name: String, archiveArn: String, busArn: String, from: Date, to: Date) {
        self.name = name
        self.archiveArn = archiveArn
        self.busArn = busArn
        self.from = from
        self.to = to
    }
}

extension ReplayRequest {
    /// `11:05:14Z–11:06:40Z` within one day (UTC), else both times in full.
    public var windowText: String {
        let start = CivilTime(UnixTime(from)).rfc3339Seconds, end = CivilTime(UnixTime(to)).rfc3339Seconds
        guard start.prefix(10) == end.prefix(10) else { return start + "–" + end }
        return start.prefix(10) + " " + start.dropFirst(11) + "–" + end.dropFirst(11)
    }
}

extension SystemSnapshot {
    /// The archives of the bus with this ARN, by name.
    public func archives(ofBus busArn: String) -> [EventArchive] {
        archives.filter { $0.busArn == busArn }.sorted { $0.name < $1.name }
    }

    /// The replays into the bus with this ARN (through its archives), the newest first.
    public func replays(intoBus busArn: String) -> [EventReplay] {
        let archiveArns = Set(archives(ofBus: busArn).map(\.arn))
        return replays.filter { archiveArns.contains($0.archiveArn) }
            .sorted { ($0.startedAt ?? .distantPast) > ($1.startedAt ?? .distantPast) }
    }
}

/// EventBridge's rule for a `ReplayName`, and the name the console suggests.
public enum ReplayNaming {
    /// 1 to 64 of `A-Z a-z 0-9 . - _`.
    public static func isValid(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x2D || byte == 0x5F
        }
    }

    /// `signalbox-orders-20261207-031500`: which tool, which bus, when; unique to the second.
    public static func suggested(bus busName: String, at time: Date) -> String {
        let civil = CivilTime(UnixTime(time))
        let stamp = civil.rfc3339Seconds.filter(\.isNumber)
        let when = String(stamp.prefix(8)) + "-" + String(stamp.dropFirst(8).prefix(6))
        let bus = String(busName.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }.prefix(64 - 26))
        return "signalbox-" + (bus.isEmpty ? "" : bus + "-") + when
    }
}
