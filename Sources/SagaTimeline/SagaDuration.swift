import Foundation

/// Durations as the saga views write them: milliseconds below a second (`12ms`), then
/// `1.23s`, `4m12s`, `2h05m`, `3d04h`. Fixed formats, no locale, so goldens are stable.
public enum SagaDuration {
    public static func text(_ seconds: TimeInterval) -> String {
        let ms = Int((max(0, seconds) * 1000).rounded())
        if ms < 1000 { return "\(ms)ms" }
        if ms < 60_000 {
            let tenths = ms / 10
            return "\(tenths / 100).\(pad(tenths % 100, 2))s"
        }
        let total = ms / 1000
        if total < 3600 { return "\(total / 60)m\(pad(total % 60, 2))s" }
        if total < 86_400 { return "\(total / 3600)h\(pad((total / 60) % 60, 2))m" }
        return "\(total / 86_400)d\(pad((total / 3600) % 24, 2))h"
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
