import Foundation

/// The connection as the status bar tells it, worked out from what polls and the live stream
/// report. A value: it reads no clock and does no I/O.
///
/// - `connecting` until the first poll ends;
/// - `not connected` with the transport's reason while nothing has ever answered;
/// - `connected`, or `degraded` naming every failing API (with its AWS error) and a live stream
///   that is down, once something answered;
/// - `disconnected` with the time of the last answer when the endpoint stops answering; the
///   snapshot keeps the last data.
///
/// `since` moves only when the label changes.
struct ConnectionTracker: Sendable {
    /// The live stream's state, as far as the connection is concerned.
    enum StreamStatus: Sendable, Hashable {
        case off, connecting, up
        case down(String)
    }

    /// How the endpoint is named in reasons: its URL, or `AWS (region)`.
    let endpointName: String
    /// How often polls run while the stream is down (named in the reason).
    let refreshInterval: Duration

    private(set) var everAnswered = false
    private(set) var lastAnswer: Date?
    /// Why the last poll round got no answer at all; nil when it got one.
    private(set) var unreachable: String?
    /// The failing API of each part, as the last poll of that part found it.
    private(set) var failures: [PollPart: String] = [:]
    /// The history fetches' failure (they follow the executions part).
    private(set) var historyFailure: String?
    var stream: StreamStatus = .off

    private var label = ""
    private var since: Date

    init(endpointName: String, refreshInterval: Duration, at start: Date) {
        self.endpointName = endpointName
        self.refreshInterval = refreshInterval
        self.since = start
    }

    /// A poll round's outcome: `answered` when any call got an answer (an AWS error counts),
    /// else the transport's reason. With nothing answering, the per-API failures would only say
    /// the same thing again, so they are cleared.
    mutating func roundEnded(answered: Bool, transportReason: String?, at now: Date) {
        if answered {
            unreachable = nil
            everAnswered = true
            lastAnswer = now
        } else {
            unreachable = transportReason ?? "no answer"
            failures = [:]
            historyFailure = nil
        }
    }

    mutating func record(_ part: PollPart, failure: String?) {
        failures[part] = failure
    }

    mutating func recordHistory(failure: String?) {
        historyFailure = failure
    }

    var isUnreachable: Bool { unreachable != nil }

    /// The state to show at `now`.
    mutating func state(at now: Date) -> ConnectionState {
        let state: ConnectionState
        if let unreachable {
            if everAnswered {
                state = .disconnected(reason: "\(endpointName) stopped answering (\(unreachable)); retrying", lastSeen: lastAnswer)
            } else {
                state = .notConnected(reason: "no answer from \(endpointName) (\(unreachable)); retrying")
            }
        } else if !everAnswered {
            state = .connecting
        } else {
            var problems = failures.keys.sorted().compactMap { failures[$0] }
            if let historyFailure { problems.append(historyFailure) }
            if case .down(let why) = stream {
                problems.append("live stream down (\(why)); polling every \(Self.format(refreshInterval))")
            }
            let since = moved(to: problems.isEmpty ? "connected" : "degraded", at: now)
            state = problems.isEmpty ? .connected(since: since) : .degraded(reason: problems.joined(separator: "; "), since: since)
        }
        _ = moved(to: state.label, at: now)
        return state
    }

    private mutating func moved(to label: String, at now: Date) -> Date {
        if label != self.label {
            self.label = label
            since = now
        }
        return since
    }

    static func format(_ duration: Duration) -> String {
        let ms = Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }
}
