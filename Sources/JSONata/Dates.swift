import Timekeeping

/// ISO 8601 timestamps for `$now`, `$fromMillis` and `$toMillis`: milliseconds since the
/// epoch, UTC, through the project's one civil calendar (no Foundation formatter).
enum Dates {
    static func iso8601(millis: Double) -> String {
        let total = Int64(millis.rounded(.down))
        var days = total / 86_400_000
        var remainder = total % 86_400_000
        if remainder < 0 { remainder += 86_400_000; days -= 1 }
        let (year, month, day) = CivilCalendar.date(days: days)
        let hours = remainder / 3_600_000, minutes = remainder / 60_000 % 60
        let seconds = remainder / 1000 % 60, ms = remainder % 1000
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(Int64(year), 4))-\(pad(Int64(month), 2))-\(pad(Int64(day), 2))T\(pad(hours, 2)):\(pad(minutes, 2)):\(pad(seconds, 2)).\(pad(ms, 3))Z"
    }

    /// Parses `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff]]` and `Z` or `±HH:MM`.
    static func millis(fromISO8601 text: String) -> Double? {
        let chars = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int64? {
            guard index + width <= chars.count else { return nil }
            var value: Int64 = 0
            for offset in 0..<width {
                let c = chars[index + offset]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
            }
            index += width
            return value
        }
        func take(_ c: Character) -> Bool {
            guard index < chars.count, chars[index] == c.asciiValue! else { return false }
            index += 1
            return true
        }
        guard let year = number(4), take("-"), let month = number(2), take("-"), let day = number(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hours: Int64 = 0, minutes: Int64 = 0, seconds: Int64 = 0, fraction = 0.0
        var offsetMinutes: Int64 = 0
        if take("T") || take(" ") {
            guard let h = number(2), take(":"), let m = number(2), h < 24, m < 60 else { return nil }
            hours = h; minutes = m
            if take(":") {
                guard let s = number(2), s < 61 else { return nil }
                seconds = s
                if take(".") || take(",") {
                    var scale = 0.1
                    let start = index
                    while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                        fraction += Double(chars[index] - 48) * scale
                        scale /= 10
                        index += 1
                    }
                    guard index > start else { return nil }
                }
            }
            if take("Z") {
            } else if index < chars.count, chars[index] == 43 || chars[index] == 45 {
                let negative = chars[index] == 45
                index += 1
                guard let oh = number(2) else { return nil }
                _ = take(":")
                guard let om = number(2) else { return nil }
                offsetMinutes = (oh * 60 + om) * (negative ? -1 : 1)
            }
        }
        guard index == chars.count else { return nil }
        let days = CivilCalendar.days(year: Int(year), month: Int(month), day: Int(day))
        let secondsTotal = days * 86_400 + hours * 3600 + minutes * 60 + seconds - offsetMinutes * 60
        return Double(secondsTotal) * 1000 + (fraction * 1000).rounded()
    }
}
