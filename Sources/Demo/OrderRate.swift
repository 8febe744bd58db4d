/// How many orders the order service places: a count per second, minute or hour (`20/s`,
/// `5/m`, `30/h`), spread evenly so the load is steady rather than bursty.
public struct OrderRate: Sendable, Hashable, CustomStringConvertible {
    public var count: Int
    public var per: Unit

    public enum Unit: String, Sendable, Hashable {
        case second = "s", minute = "m", hour = "h"

        var duration: Duration {
            switch self {
            case .second: .seconds(1)
            case .minute: .seconds(60)
            case .hour: .seconds(3600)
            }
        }
    }

    /// Fastest rate accepted: beyond it the demo measures the machine, not the system.
    public static let maximumPerSecond = 500

    public init(count: Int, per: Unit) {
        self.count = count
        self.per = per
    }

    /// Parses `N/s`, `N/m` or `N/h` with N a whole number from 1.
    /// - Throws: `DemoError.invalidArgument` saying what a rate looks like.
    public init(parsing text: String) throws(DemoError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Int(parts[0]), count >= 1,
              let unit = Unit(rawValue: String(parts[1]))
        else {
            throw .invalidArgument("rate '\(text)' must look like 20/s, 5/m or 30/h (a whole number from 1, per s, m or h)")
        }
        let rate = OrderRate(count: count, per: unit)
        guard rate.perSecond <= Double(Self.maximumPerSecond) else {
            throw .invalidArgument("rate '\(text)' is above the maximum of \(Self.maximumPerSecond)/s")
        }
        self = rate
    }

    public var perSecond: Double {
        Double(count) / Double(per.duration.components.seconds)
    }

    /// The time between two orders.
    public var interval: Duration { per.duration / count }

    public var description: String { "\(count)/\(per.rawValue)" }
}
