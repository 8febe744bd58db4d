import Timekeeping

/// Number and duration text for transition reasons and error messages, written for a person
/// on call: "62%", "1.5 s", "800 ms".
enum Text {
    /// A number with at most one decimal, without a trailing ".0".
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return String(describing: value) }
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return String(rounded)
    }

    static func percent(_ value: Double) -> String { number(value) + "%" }

    static func duration(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms == 0 { return "0 s" }
        if abs(ms) < 1 { return number(ms * 1000) + " µs" }
        if abs(ms) < 1000 { return number(ms) + " ms" }
        if abs(ms) < 120_000 { return number(ms / 1000) + " s" }
        if abs(ms) < 7_200_000 { return number(ms / 60_000) + " min" }
        return number(ms / 3_600_000) + " h"
    }

    static func calls(_ count: Int) -> String { count == 1 ? "1 call" : "\(count) calls" }
}
