import Synchronization

/// Request counters and latency sums for `/metrics`, in Prometheus text format. Held behind one
/// lock: recording is a dictionary update, cheap beside a request.
public final class StackMetrics: Sendable {
    struct Key: Hashable {
        var service: String
        var operation: String
        var code: String
    }

    struct Totals {
        var count = 0
        var seconds = 0.0
    }

    private let state = Mutex<[Key: Totals]>([:])

    public init() {}

    /// Records one answered request; `code` is `OK` or the AWS error code.
    public func record(service: String, operation: String, code: String, seconds: Double) {
        state.withLock { totals in
            totals[Key(service: service, operation: operation, code: code), default: Totals()].count += 1
            totals[Key(service: service, operation: operation, code: code), default: Totals()].seconds += seconds
        }
    }

    /// The total of requests answered with `code` (tests and the health endpoint use it).
    public func count(service: String? = nil, code: String? = nil) -> Int {
        state.withLock { totals in
            totals.filter { (service == nil || $0.key.service == service) && (code == nil || $0.key.code == code) }
                .reduce(0) { $0 + $1.value.count }
        }
    }

    /// The request metrics as Prometheus text lines.
    public func lines() -> [String] {
        let snapshot = state.withLock { $0 }.sorted {
            ($0.key.service, $0.key.operation, $0.key.code) < ($1.key.service, $1.key.operation, $1.key.code)
        }
        var out = [
            "# HELP signalbox_requests_total AWS API requests answered, by service, operation and result code.",
            "# TYPE signalbox_requests_total counter",
        ]
        for (key, totals) in snapshot {
            out.append("signalbox_requests_total{\(labels(key))} \(totals.count)")
        }
        out.append("# HELP signalbox_request_seconds Time spent answering AWS API requests.")
        out.append("# TYPE signalbox_request_seconds summary")
        for (key, totals) in snapshot {
            out.append("signalbox_request_seconds_sum{\(labels(key))} \(totals.seconds)")
            out.append("signalbox_request_seconds_count{\(labels(key))} \(totals.count)")
        }
        return out
    }

    private func labels(_ key: Key) -> String {
        "service=\"\(Self.escape(key.service))\",operation=\"\(Self.escape(key.operation))\",code=\"\(Self.escape(key.code))\""
    }

    /// Escapes a Prometheus label value (backslash, quote, newline).
    public static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
