import Foundation
import Provider
import Terminal

/// One column of a pane's table.
public struct Column: Sendable, Hashable {
    public var title: String
    public var width: Int
    /// Columns with `flex` > 0 share the spare width in proportion.
    public var flex: Int
    public var alignRight: Bool
    /// When the pane is too narrow, columns with the highest number are dropped first, so the
    /// state an operator triages by survives on a small terminal.
    public var priority: Int

    public init(_ title: String, width: Int, flex: Int = 0, alignRight: Bool = false, priority: Int = 5) {
        self.title = title
        self.width = width
        self.flex = flex
        self.alignRight = alignRight
        self.priority = priority
    }
}

/// One row: a stable id (ARN, event id) for drill-down, and its cells with their roles.
public struct PaneRow: Sendable, Hashable {
    public var id: String
    public var cells: [String]
    public var roles: [Role]

    public init(id: String, cells: [String], roles: [Role]) {
        self.id = id
        self.cells = cells
        self.roles = roles
    }

    func matches(_ filter: String) -> Bool {
        if filter.isEmpty { return true }
        return cells.contains { $0.range(of: filter, options: [.caseInsensitive]) != nil }
            || id.range(of: filter, options: [.caseInsensitive]) != nil
    }
}

/// What a pane shows, derived from a snapshot: pure, shared by rendering and navigation so
/// the selection always refers to what is on screen.
public struct PaneTable: Sendable, Hashable {
    public var columns: [Column]
    public var rows: [PaneRow]
    /// What to say when there are no rows on a live connection.
    public var emptyMessage: String
    /// A one-line summary above the table (counts, dropped events).
    public var summary: String?

    public static func make(_ pane: PaneKind, snapshot: SystemSnapshot, now: Date, filter: String = "") -> PaneTable {
        var table: PaneTable
        switch pane {
        case .topology: table = topology(snapshot)
        case .flows: table = flows(snapshot)
        case .queues: table = queues(snapshot, now: now)
        case .circuits: table = circuits(snapshot, now: now)
        case .sagas: table = sagas(snapshot, now: now)
        case .registry: table = registry(snapshot)
        }
        if !filter.isEmpty { table.rows = table.rows.filter { $0.matches(filter) } }
        return table
    }

    static func topology(_ s: SystemSnapshot) -> PaneTable {
        let topology = s.topology
        var rows: [PaneRow] = []
        for edge in topology.edges {
            let from = topology.node(edge.from)?.name ?? edge.from
            let to = topology.node(edge.to)
            let role: Role = edge.enabled ? .text : .muted
            rows.append(PaneRow(id: edge.from + "→" + edge.to + "/" + edge.via,
                                cells: [from, "─▶", to?.name ?? edge.to, to?.kind.rawValue ?? "", edge.via + (edge.enabled ? "" : " (disabled)")],
                                roles: [.accent, .muted, role, .muted, role]))
        }
        let routed = Set(topology.edges.flatMap { [$0.from, $0.to] })
        for node in topology.nodes where !routed.contains(node.id) {
            rows.append(PaneRow(id: node.id, cells: [node.name, "", "", node.kind.rawValue, "no routes"],
                                roles: [.text, .muted, .muted, .muted, .muted]))
        }
        return PaneTable(columns: [Column("FROM", width: 12, flex: 2, priority: 0), Column("", width: 2, priority: 0), Column("TO", width: 12, flex: 2, priority: 0),
                                   Column("KIND", width: 13, priority: 4), Column("VIA", width: 10, flex: 1, priority: 3)],
                         rows: rows, emptyMessage: "No buses, queues or state machines on this endpoint.",
                         summary: topology.nodes.isEmpty ? nil : "\(topology.nodes.count) resources, \(topology.edges.count) routes")
    }

    static func flows(_ s: SystemSnapshot) -> PaneTable {
        let rows = s.recentEvents.reversed().map { event in
            PaneRow(id: event.id,
                    cells: [Format.clock(event.time), event.eventBusName, event.source, event.detailType,
                            (event.hasFailedDelivery ? "✗ " : "")
                                + (event.matchedRules.isEmpty ? "unmatched" : event.matchedRules.joined(separator: ","))],
                    roles: [.muted, .muted, .accent, .text, event.hasFailedDelivery ? .error : (event.matchedRules.isEmpty ? .warn : .text)])
        }
        var summary = "\(s.recentEvents.count) recent events"
        if s.droppedEvents > 0 { summary += " · \(s.droppedEvents) dropped (viewer fell behind)" }
        return PaneTable(columns: [Column("TIME", width: 8, priority: 1), Column("BUS", width: 8, flex: 1, priority: 4), Column("SOURCE", width: 10, flex: 2, priority: 2),
                                   Column("DETAIL-TYPE", width: 12, flex: 3, priority: 0), Column("RULES", width: 8, flex: 2, priority: 3)],
                         rows: Array(rows), emptyMessage: "No events yet. Waiting for traffic…",
                         summary: s.recentEvents.isEmpty && s.droppedEvents == 0 ? nil : summary)
    }

    static func queues(_ s: SystemSnapshot, now: Date) -> PaneTable {
        let rows = s.queues.map { q in
            let backlogRole: Role = q.isDeadLetterQueue && q.visibleMessages > 0 ? .error : (q.visibleMessages > 0 ? .warn : .text)
            return PaneRow(id: q.arn,
                           cells: [q.name + (q.isDeadLetterQueue ? " (DLQ)" : ""), String(q.visibleMessages), String(q.inFlightMessages),
                                   String(q.delayedMessages), q.oldestMessageAge.map(Format.duration) ?? "-",
                                   q.deadLetterTargetArn.map { Topology.shortName(ofArn: $0) + " @\(q.maxReceiveCount ?? 0)" } ?? "-"],
                           roles: [q.isDeadLetterQueue ? .warn : .text, backlogRole, .text, .muted, .text, .muted])
        }
        return PaneTable(columns: [Column("QUEUE", width: 12, flex: 3, priority: 0), Column("VISIBLE", width: 7, alignRight: true, priority: 1),
                                   Column("IN FLIGHT", width: 9, alignRight: true, priority: 2), Column("DELAYED", width: 7, alignRight: true, priority: 5),
                                   Column("OLDEST", width: 6, alignRight: true, priority: 3), Column("DLQ", width: 8, flex: 2, priority: 4)],
                         rows: rows, emptyMessage: "No queues on this endpoint.",
                         summary: nil)
    }

    static func circuits(_ s: SystemSnapshot, now: Date) -> PaneTable {
        let rows = s.breakers.map { b in
            let rate = b.failureRate.map { Format.percent($0) } ?? "-"
            let rateRole: Role = (b.failureRate ?? 0) >= b.failureRateThreshold ? .error : ((b.failureRate ?? 0) > 0 ? .warn : .text)
            let seen = b.reportedAt.map { Format.duration(.seconds(max(0, now.timeIntervalSince($0)))) } ?? "-"
            return PaneRow(id: b.id,
                           cells: [b.dependency, b.service, b.state.rawValue.uppercased(), rate, String(b.calls), String(b.shortCircuited),
                                   b.p99Latency.map(Format.milliseconds) ?? "-", b.stale ? "STALE" : seen,
                                   Format.sparkline(b.recentFailureRates)],
                           roles: [.text, .muted, Self.role(of: b.state), rateRole, .text, b.shortCircuited > 0 ? .warn : .text, .muted,
                                   b.stale ? .warn : .muted, .sparkline])
        }
        let notClosed = s.breakers.filter { $0.state != .closed }.count
        let stale = s.breakers.filter(\.stale).count
        return PaneTable(columns: [Column("BREAKER", width: 10, flex: 3, priority: 0), Column("SERVICE", width: 8, flex: 1, priority: 4),
                                   Column("STATE", width: 13, priority: 1),
                                   Column("FAIL%", width: 5, alignRight: true, priority: 2), Column("CALLS", width: 5, alignRight: true, priority: 7),
                                   Column("SHORT", width: 5, alignRight: true, priority: 5), Column("P99", width: 7, alignRight: true, priority: 6),
                                   Column("SEEN", width: 5, priority: 3), Column("TREND", width: 8, flex: 1, priority: 8)],
                         rows: rows, emptyMessage: s.endpoint.isAWS && s.endpoint.board == nil
                             ? "AWS has no breaker board. Run `signalbox serve` as one and set board = URL in [endpoints.NAME]."
                             : "No circuit breakers reported.",
                         summary: s.breakers.isEmpty ? nil
                             : "\(s.breakers.count) breakers, \(notClosed) not closed" + (stale > 0 ? ", \(stale) stale" : ""))
    }

    /// The theme role of a breaker state (forced ones share one, so an override stands out).
    static func role(of state: Breaker.State) -> Role {
        switch state {
        case .closed: .breakerClosed
        case .open: .breakerOpen
        case .halfOpen: .breakerHalfOpen
        case .forcedOpen, .forcedClosed: .breakerForced
        }
    }

    static func sagas(_ s: SystemSnapshot, now: Date) -> PaneTable {
        let rows = s.executions.map { e in
            let state = e.sagaState(now: now)
            let role: Role = switch state {
            case .running: .sagaRunning
            case .succeeded: .sagaSucceeded
            case .failed: .sagaFailed
            case .compensating: .sagaCompensating
            case .stuck: .sagaStuck
            }
            return PaneRow(id: e.arn,
                           cells: [e.name, e.stateMachineName, state.rawValue.uppercased(), e.currentState ?? "-",
                                   Format.duration(Duration.seconds(max(0, (e.stopDate ?? now).timeIntervalSince(e.startDate))))],
                           roles: [.text, .muted, role, .text, .muted])
        }
        let stuck = s.executions.filter { $0.sagaState(now: now) == .stuck }.count
        return PaneTable(columns: [Column("EXECUTION", width: 10, flex: 3, priority: 0), Column("MACHINE", width: 8, flex: 2, priority: 4),
                                   Column("STATUS", width: 12, priority: 1), Column("STATE", width: 8, flex: 2, priority: 2),
                                   Column("AGE", width: 6, alignRight: true, priority: 3)],
                         rows: rows, emptyMessage: "No saga executions.",
                         summary: s.executions.isEmpty ? nil : "\(s.executions.count) executions" + (stuck > 0 ? ", \(stuck) stuck" : ""))
    }

    static func registry(_ s: SystemSnapshot) -> PaneTable {
        var rows: [PaneRow] = []
        for service in s.registry {
            if service.instances.isEmpty {
                rows.append(PaneRow(id: service.id, cells: [service.name, service.namespace, "-", "-", "no instances"],
                                    roles: [.text, .muted, .muted, .muted, .warn]))
            }
            for instance in service.instances {
                let role: Role = switch instance.health {
                case .healthy: .ok
                case .unhealthy: .error
                case .unknown: .muted
                }
                rows.append(PaneRow(id: service.id + "/" + instance.id,
                                    cells: [service.name, service.namespace, instance.id, instance.address ?? "-", instance.health.rawValue],
                                    roles: [.text, .muted, .text, .text, role]))
            }
        }
        return PaneTable(columns: [Column("SERVICE", width: 10, flex: 2, priority: 0), Column("NAMESPACE", width: 9, flex: 1, priority: 4),
                                   Column("INSTANCE", width: 8, flex: 2, priority: 2), Column("ADDRESS", width: 9, flex: 2, priority: 3),
                                   Column("HEALTH", width: 9, priority: 1)],
                         rows: rows, emptyMessage: "No services registered.", summary: nil)
    }
}

/// Small formatters shared by panes (fixed formats: goldens must not depend on locale).
enum Format {
    static func clock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let s = ((seconds % 86_400) + 86_400) % 86_400
        return twoDigits(s / 3600) + ":" + twoDigits((s / 60) % 60) + ":" + twoDigits(s % 60)
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0" + String(n) : String(n) }

    static func duration(_ d: Duration) -> String {
        let total = Int(d.components.seconds)
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(total % 60 > 0 ? "\(total % 60)s" : "")" }
        if total < 86_400 { return "\(total / 3600)h\((total / 60) % 60)m" }
        return "\(total / 86_400)d\((total / 3600) % 24)h"
    }

    /// `62%`, `7.5%`: whole percents unless below ten.
    static func percent(_ value: Double) -> String {
        value >= 10 || value == value.rounded() ? "\(Int(value.rounded()))%" : String(format: "%.1f%%", value)
    }

    /// `212ms`, `4.9s`.
    static func milliseconds(_ d: Duration) -> String {
        let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        if ms < 1000 { return "\(Int(ms.rounded()))ms" }
        return String(format: "%.1fs", ms / 1000)
    }

    static let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func sparkline(_ values: [Int]) -> String {
        guard let top = values.max(), top > 0 else { return String(repeating: "▁", count: min(values.count, 8)) }
        return String(values.suffix(8).map { bars[min(7, $0 * 7 / top)] })
    }
}
