import Foundation
import Provider
import Terminal

/// The breaker board: each breaker's state, failure rate and trend; operators force and release.
struct CircuitsPane: Pane {
    /// The breaker's id on the board.
    typealias RowID = String

    let id = PaneID.circuits
    let title = "Circuits"
    let defaultKey: Key? = .character("4")
    let onDashboard = true
    let dataSections: Set<DataSection> = [.breakers]
    let roles: [Role] = [.breakerClosed, .breakerOpen, .breakerHalfOpen, .breakerForced]

    static let reason = "set from the signalbox console"

    var actions: [PaneAction<String, NoViewState>] {
        [
            .system("force-open", [.character("o")], "Force the breaker OPEN") { id, context in
                guard let b = Self.breaker(id, context) else { return .nothing }
                return .ask(.forceBreaker(service: b.service, dependency: b.dependency, .open, reason: Self.reason))
            },
            .system("force-closed", [.character("c")], "Force the breaker CLOSED") { id, context in
                guard let b = Self.breaker(id, context) else { return .nothing }
                return .ask(.forceBreaker(service: b.service, dependency: b.dependency, .closed, reason: Self.reason))
            },
            .system("release-breaker", [.character("a")], "Release the breaker to automatic") { id, context in
                guard let b = Self.breaker(id, context) else { return .nothing }
                return .ask(.releaseBreaker(service: b.service, dependency: b.dependency, reason: Self.reason))
            },
        ]
    }

    func body(_ context: PaneContext, view: NoViewState) -> PaneBody<String> {
        let s = context.snapshot, now = context.now
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
        return .table(PaneTable(columns: [Column("BREAKER", width: 10, flex: 3, priority: 0), Column("SERVICE", width: 8, flex: 1, priority: 4),
                                          Column("STATE", width: 13, priority: 1),
                                          Column("FAIL%", width: 5, alignRight: true, priority: 2), Column("CALLS", width: 5, alignRight: true, priority: 7),
                                          Column("SHORT", width: 5, alignRight: true, priority: 5), Column("P99", width: 7, alignRight: true, priority: 6),
                                          Column("SEEN", width: 5, priority: 3), Column("TREND", width: 8, flex: 1, priority: 8)],
                                rows: rows, emptyMessage: s.endpoint.isAWS && s.endpoint.board == nil
                                    ? "AWS has no breaker board. Run `signalbox serve` as one and set board = URL in [endpoints.NAME]."
                                    : "No circuit breakers reported.",
                                summary: s.breakers.isEmpty ? nil
                                    : "\(s.breakers.count) breakers, \(notClosed) not closed" + (stale > 0 ? ", \(stale) stale" : "")))
    }

    static func breaker(_ id: String, _ context: PaneContext) -> Breaker? { context.snapshot.breakers.first { $0.id == id } }

    /// The theme role of a breaker state (forced ones share one, so an override stands out).
    static func role(of state: Breaker.State) -> Role {
        switch state {
        case .closed: .breakerClosed
        case .open: .breakerOpen
        case .halfOpen: .breakerHalfOpen
        case .forcedOpen, .forcedClosed: .breakerForced
        }
    }

    func detail(of row: String, _ context: PaneContext) -> [DetailLine]? {
        guard let b = context.snapshot.breakers.first(where: { $0.id == row }) else { return nil }
        var lines: [DetailLine] = [
            ("breaker        " + b.displayName, .text),
            ("state          " + b.state.rawValue.uppercased(), Self.role(of: b.state)),
        ]
        if let o = b.override {
            let when = o.at.map { " at " + Format.clock($0) + " UTC" } ?? ""
            lines.append(("override       \(o.force.rawValue) by \(o.actor)\(when)" + (o.reason.isEmpty ? "" : ": " + o.reason), .breakerForced))
        } else {
            lines.append(("override       none (automatic)", .text))
        }
        if let rate = b.failureRate {
            lines.append(("failure rate   \(Format.percent(rate)) (opens at \(Format.percent(b.failureRateThreshold))) over \(b.calls) calls",
                          rate >= b.failureRateThreshold ? .error : .text))
        } else {
            lines.append(("failure rate   - (\(b.calls) of \(b.minimumCalls) calls needed; opens at \(Format.percent(b.failureRateThreshold)))", .text))
        }
        lines.append(("failures       \(b.failures) in window", b.failures > 0 ? .warn : .text))
        lines.append(("slow calls     \(b.slowCalls)" + (b.slowCallRate.map { " (" + Format.percent($0) + ")" } ?? ""), .text))
        lines.append(("short-circuit  \(b.shortCircuited) rejected without a call", b.shortCircuited > 0 ? .warn : .text))
        lines.append(("p99 latency    " + (b.p99Latency.map(Format.milliseconds) ?? "-"), .text))
        if let t = b.lastTransition {
            lines.append(("last change    \(t.from.rawValue) → \(t.to.rawValue) at \(Format.clock(t.at)) UTC", .text))
            lines.append(("  why          " + t.reason, .muted))
        } else {
            lines.append(("last change    -", .text))
        }
        if let retry = b.retryAt { lines.append(("trial calls at " + Format.clock(retry) + " UTC", .text)) }
        let reported = b.reportedAt.map { Format.clock($0) + " UTC" } ?? "-"
        lines.append(("reported       " + reported + (b.stale ? "  STALE: the service has not reported since" : ""), b.stale ? .warn : .text))
        lines.append(("trend          " + (b.recentFailureRates.isEmpty ? "-" : Format.sparkline(b.recentFailureRates)), .sparkline))
        return lines
    }
}

extension PaneID {
    public static let circuits = PaneID("circuits")
}

extension Role {
    public static let breakerClosed = Role("breaker-closed")
    public static let breakerOpen = Role("breaker-open")
    public static let breakerHalfOpen = Role("breaker-half-open")
    /// Forced open or closed by an operator.
    public static let breakerForced = Role("breaker-forced")
}
