import JSON

/// Which recent calls the failure and slow-call rates are computed over.
///
/// - `count(size:)`: the last `size` calls.
/// - `time(seconds:)`: the calls of the last `seconds` seconds, in one-second buckets: a call
///   made during second *s* (counting from the clock's origin) leaves the window when the
///   clock reaches second *s + seconds*.
///
/// Both are aggregated as calls arrive, so recording a call costs O(1) whatever the size.
public enum SlidingWindow: Sendable, Hashable {
    case count(size: Int)
    case time(seconds: Int)

    /// The largest count-based window (calls).
    public static let maximumCount = 100_000
    /// The largest time-based window (seconds): one hour.
    public static let maximumSeconds = 3_600

    /// The wire name of the window kind.
    public var kind: String {
        switch self {
        case .count: "count"
        case .time: "time"
        }
    }

    /// The number of calls (count) or seconds (time).
    public var size: Int {
        switch self {
        case .count(let size): size
        case .time(let seconds): seconds
        }
    }
}

extension SlidingWindow: BreakerJSONCodable {
    /// `{"kind": "count", "size": 100}` or `{"kind": "time", "size": 60}` (size in seconds).
    public var json: JSONValue {
        ["kind": .string(kind), "size": .number(Double(size))]
    }

    public init(json: JSONValue, path: String) throws(BreakerDecodingError) {
        let fields = try JSONFields(json, path: path)
        let kind = try fields.string("kind")
        let size = try fields.count("size")
        switch kind {
        case "count": self = .count(size: size)
        case "time": self = .time(seconds: size)
        default: throw fields.error("kind", "unknown window kind \"\(kind.prefix(64))\"; expected \"count\" or \"time\"")
        }
    }
}
