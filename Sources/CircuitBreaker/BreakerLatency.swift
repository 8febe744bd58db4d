import JSON
import Timekeeping

/// Latency percentiles over the calls in the current window, from a fixed-bucket histogram
/// (four buckets per doubling: a percentile is within about 10% of the true value).
public struct BreakerLatency: Sendable, Hashable {
    /// Calls the percentiles are computed from.
    public var samples: Int
    public var p50: Duration?
    public var p95: Duration?
    public var p99: Duration?

    public init(samples: Int, p50: Duration?, p95: Duration?, p99: Duration?) {
        self.samples = samples
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
    }
}

extension BreakerLatency: BreakerJSONCodable {
    /// `{"samples": 20, "p50Ms": 12.5, "p95Ms": 840, "p99Ms": 1210}` (milliseconds; null with no samples).
    public var json: JSONValue {
        func ms(_ duration: Duration?) -> JSONValue {
            duration.map { .number(($0.milliseconds * 1000).rounded() / 1000) } ?? .null
        }
        return ["samples": .number(Double(samples)), "p50Ms": ms(p50), "p95Ms": ms(p95), "p99Ms": ms(p99)]
    }

    public init(json: JSONValue, path: String) throws(BreakerDecodingError) {
        let fields = try JSONFields(json, path: path)
        func duration(_ key: String) throws(BreakerDecodingError) -> Duration? {
            guard let ms = try fields.optionalDouble(key) else { return nil }
            guard ms >= 0, let duration = Duration.milliseconds(exactly: ms) else {
                throw fields.error(key, "expected a non-negative number of milliseconds, got \(Text.number(ms))")
            }
            return duration
        }
        self.init(samples: try fields.count("samples"), p50: try duration("p50Ms"),
                  p95: try duration("p95Ms"), p99: try duration("p99Ms"))
    }
}
