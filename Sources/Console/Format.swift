import Foundation
import JSON
import Timekeeping

/// Small formatters shared by panes (fixed formats: goldens must not depend on locale).
enum Format {
    static func clock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let s = ((seconds % 86_400) + 86_400) % 86_400
        return twoDigits(s / 3600) + ":" + twoDigits((s / 60) % 60) + ":" + twoDigits(s % 60)
    }

    /// `14:03:07.042`, UTC.
    static func clockMilliseconds(_ date: Date) -> String {
        CivilTime.timeOfDayMilliseconds(date)
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

    /// `812 B`, `4.2 KiB`, `17.0 MiB`.
    static func bytes(_ count: Int) -> String {
        if count < 1024 { return "\(count) B" }
        if count < 1 << 20 { return String(format: "%.1f KiB", Double(count) / 1024) }
        if count < 1 << 30 { return String(format: "%.1f MiB", Double(count) / Double(1 << 20)) }
        return String(format: "%.1f GiB", Double(count) / Double(1 << 30))
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

    /// `values` (oldest first) in `width` bars, neighbours summed: ▁ only for nothing at all,
    /// ▂ to █ by share of the largest bar.
    static func sparkline(_ values: [Int], width: Int) -> String {
        guard width > 0, !values.isEmpty else { return "" }
        let per = max(1, (values.count + width - 1) / width)
        let sums = stride(from: 0, to: values.count, by: per).map { values[$0..<min($0 + per, values.count)].reduce(0, +) }
        let top = max(1, sums.max() ?? 1)
        return String(sums.map { $0 == 0 ? bars[0] : bars[max(1, min(7, ($0 * 7 + top - 1) / top))] })
    }

    /// Indented JSON, one line per scalar or bracket, keys in document order.
    static func prettyJSON(_ value: JSONValue) -> [String] {
        FoldableJSON.lines(value, folded: []).map(\.text)
    }
}
