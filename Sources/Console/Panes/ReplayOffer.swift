import Foundation
import Provider
import Terminal

/// Starting a replay of a bus's archived events (EventBridge StartReplay), from the Flows pane
/// (the selected event's bus, from that event's time) or the map (a bus, the last 15 minutes).
/// The confirmation dialog shows the window and the replay's name, both editable; its progress
/// is then read from ListReplays like the rest of the account.
enum ReplayOffer {
    /// The window the map suggests: the last quarter of an hour.
    static let recentWindow: TimeInterval = 15 * 60

    /// Asks to replay the bus's events from `from` (nil: the recent window) until now, from its
    /// archive; refuses, saying why, when the bus has none or the archives cannot be listed.
    static func decide<RowID, ViewState>(busArn: String, busName: String, from: Date?,
                                         _ context: PaneContext) -> PaneAction<RowID, ViewState>.Decision {
        let snapshot = context.snapshot
        if snapshot.archives.isEmpty, let why = snapshot.archivesUnavailable {
            return .refuse("cannot replay: the archives could not be listed (\(why))")
        }
        // An archive that is being created or failed cannot be replayed from; AWS would refuse.
        guard let archive = snapshot.archives(ofBus: busArn).first(where: { $0.state == "ENABLED" }) else {
            return .refuse("bus \(busName) has no enabled archive to replay from (EventBridge CreateArchive makes one)")
        }
        // Whole seconds: what the dialog shows is what is sent.
        let now = Date(timeIntervalSince1970: context.now.timeIntervalSince1970.rounded(.down))
        var start = (from ?? now.addingTimeInterval(-recentWindow)).timeIntervalSince1970.rounded(.down)
        if start >= now.timeIntervalSince1970 { start = now.timeIntervalSince1970 - 60 }
        return .ask(.startReplay(ReplayRequest(name: ReplayNaming.suggested(bus: busName, at: now), archiveArn: archive.arn,
                                               busArn: busArn, from: Date(timeIntervalSince1970: start), to: now)))
    }

    /// A bus's archives and the replays into it, for its detail on the map.
    static func busDetail(busArn: String, _ snapshot: SystemSnapshot) -> [DetailLine] {
        let archives = snapshot.archives(ofBus: busArn)
        var lines: [DetailLine] = [("", .text)]
        if archives.isEmpty {
            lines.append(snapshot.archivesUnavailable.map { ("  archives: not listed (\($0))", .warn) }
                         ?? ("  archives: none (R replays only from an archive)", .muted))
            return lines
        }
        lines.append(("  archives (R replays the last 15 minutes)", .title))
        for archive in archives {
            let retention = archive.retentionDays == 0 ? "kept indefinitely" : "kept \(archive.retentionDays) d"
            lines.append(("    \(archive.name)  \(archive.state) · \(archive.eventCount) events · \(Format.bytes(archive.sizeBytes)) · \(retention)",
                          archive.state == "ENABLED" ? .text : .warn))
        }
        for replay in snapshot.replays(intoBus: busArn).prefix(5) {
            lines.append(("    ⟲ \(replay.name)  \(replay.statusText) · events \(Format.clock(replay.from))–\(Format.clock(replay.to))",
                          replay.state == "FAILED" ? .error : replay.isActive ? .info : .muted))
        }
        return lines
    }

    /// The strip line for each replay running into one of `busArns` (all buses when nil), and
    /// for one that ended within the last minute: `⟲ replay NAME → bus: RUNNING 42% · events
    /// 03:10:00–03:25:00 · up to 03:16:18`.
    static func lines(_ snapshot: SystemSnapshot, now: Date) -> [DetailLine] {
        let archivesByArn = Dictionary(snapshot.archives.map { ($0.arn, $0) }, uniquingKeysWith: { first, _ in first })
        return snapshot.replays.filter { replay in
            replay.isActive || (replay.endedAt.map { now.timeIntervalSince($0) < 60 } ?? false)
        }.sorted { ($0.startedAt ?? .distantPast) < ($1.startedAt ?? .distantPast) }.map { replay in
            let bus = archivesByArn[replay.archiveArn].map { Topology.shortName(ofArn: $0.busArn) } ?? "?"
            var text = "⟲ replay \(replay.name) → \(bus): \(replay.statusText) · events \(Format.clock(replay.from))–\(Format.clock(replay.to))"
            if replay.isActive, let last = replay.lastReplayedEventTime { text += " · up to \(Format.clock(last))" }
            let role: Role = replay.state == "FAILED" ? .error : replay.isActive ? .info : .muted
            return (text, role)
        }
    }
}
