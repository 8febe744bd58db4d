import Timekeeping

/// An EventBridge `ScheduleExpression`: `rate(5 minutes)` or `cron(0 12 * * ? *)`, parsed once
/// and asked for its next fire time. All times are UTC Unix milliseconds, as AWS schedules in
/// UTC. Invalid text is refused with AWS's own message, so a rule that was accepted can fire.
struct ScheduleExpression: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// Every `millis`, measured from when the rule was (re)scheduled.
        case rate(millis: Int64)
        case cron(CronSchedule)
    }

    let kind: Kind

    /// AWS answers every malformed expression with this one message.
    static let invalidMessage = "Parameter ScheduleExpression is not valid."

    init?(_ text: String) {
        if text.hasPrefix("rate("), text.hasSuffix(")") {
            guard let millis = Self.parseRate(String(text.dropFirst(5).dropLast())) else { return nil }
            kind = .rate(millis: millis)
        } else if text.hasPrefix("cron("), text.hasSuffix(")") {
            guard let cron = CronSchedule(String(text.dropFirst(5).dropLast())) else { return nil }
            kind = .cron(cron)
        } else {
            return nil
        }
    }

    /// `5 minutes`, `1 hour`, `2 days`: singular for 1, plural otherwise, as AWS requires.
    static func parseRate(_ body: String) -> Int64? {
        let parts = body.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let value = Int64(parts[0]), value > 0, value <= 1_000_000 else { return nil }
        let unit: Int64
        switch parts[1] {
        case "minute" where value == 1, "minutes" where value > 1: unit = 60_000
        case "hour" where value == 1, "hours" where value > 1: unit = 3_600_000
        case "day" where value == 1, "days" where value > 1: unit = 86_400_000
        default: return nil
        }
        return value * unit
    }

    /// The first fire time strictly after `millis`; nil when a cron schedule never fires again.
    func next(after millis: Int64) -> Int64? {
        switch kind {
        case .rate(let period): millis + period
        case .cron(let cron): cron.next(after: millis)
        }
    }

    /// The next fire time after a fire that was due at `due`, once the clock reads `now`: a
    /// rate keeps its phase, skipping the periods missed while the stack was down (AWS does not
    /// back-fill missed schedules), and a cron finds its next matching minute after `now`.
    func next(afterDue due: Int64, now: Int64) -> Int64? {
        switch kind {
        case .rate(let period):
            let missed = max(0, (now - due) / period)
            return due + (missed + 1) * period
        case .cron(let cron):
            return cron.next(after: max(due, now))
        }
    }
}

/// AWS's six-field cron: minutes, hours, day-of-month, month, day-of-week, year. Supports `*`,
/// `?`, lists, ranges, `/` steps, month and weekday names, `L` and `W` in day-of-month, `L` and
/// `#` in day-of-week. Exactly one of day-of-month and day-of-week must be `?`.
struct CronSchedule: Sendable, Equatable {
    var minutes: Set<Int>
    var hours: Set<Int>
    var months: Set<Int>
    var years: Set<Int>
    var dayOfMonth: DayOfMonth
    var dayOfWeek: DayOfWeek

    enum DayOfMonth: Sendable, Equatable {
        case any
        case days(Set<Int>)
        case last
        /// The weekday (Monday–Friday) nearest to this day, within the month.
        case nearestWeekday(Int)
        case lastWeekday
    }

    enum DayOfWeek: Sendable, Equatable {
        case any
        /// 1 = Sunday … 7 = Saturday.
        case days(Set<Int>)
        /// The last such weekday of the month (`6L`; `L` alone is Saturday).
        case last(Int)
        /// The n-th such weekday of the month (`6#3`).
        case nth(weekday: Int, n: Int)
    }

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    init?(_ body: String) {
        let fields = body.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 6 else { return nil }
        guard let minutes = Self.values(fields[0], 0...59), let hours = Self.values(fields[1], 0...23),
              let months = Self.values(fields[3], 1...12, names: Self.monthNames),
              let years = Self.values(fields[5], 1970...2199) else { return nil }
        let domText = fields[2], dowText = fields[4]
        // Exactly one of the two day fields is `?`.
        guard (domText == "?") != (dowText == "?") else { return nil }
        if domText == "?" {
            dayOfMonth = .any
        } else if domText == "L" {
            dayOfMonth = .last
        } else if domText == "LW" {
            dayOfMonth = .lastWeekday
        } else if domText.hasSuffix("W") {
            guard let day = Int(domText.dropLast()), (1...31).contains(day) else { return nil }
            dayOfMonth = .nearestWeekday(day)
        } else if domText == "*" {
            dayOfMonth = .days(Set(1...31))
        } else {
            guard let days = Self.values(domText, 1...31) else { return nil }
            dayOfMonth = .days(days)
        }
        if dowText == "?" {
            dayOfWeek = .any
        } else if dowText == "L" {
            dayOfWeek = .last(7)
        } else if dowText.hasSuffix("L") {
            guard let day = Self.single(String(dowText.dropLast()), 1...7, names: Self.dayNames) else { return nil }
            dayOfWeek = .last(day)
        } else if dowText.contains("#") {
            let parts = dowText.split(separator: "#", omittingEmptySubsequences: false)
            guard parts.count == 2, let day = Self.single(String(parts[0]), 1...7, names: Self.dayNames),
                  let n = Int(parts[1]), (1...5).contains(n) else { return nil }
            dayOfWeek = .nth(weekday: day, n: n)
        } else {
            guard let days = Self.values(dowText, 1...7, names: Self.dayNames) else { return nil }
            dayOfWeek = .days(days)
        }
        self.minutes = minutes
        self.hours = hours
        self.months = months
        self.years = years
    }

    /// One number or name within `range`.
    static func single(_ text: String, _ range: ClosedRange<Int>, names: [String] = []) -> Int? {
        if let index = names.firstIndex(of: text.uppercased()) { return range.lowerBound + index }
        guard let value = Int(text), range.contains(value) else { return nil }
        return value
    }

    /// A field's list of `*`, `a`, `a-b`, `a/step`, `a-b/step`, `*/step`.
    static func values(_ text: String, _ range: ClosedRange<Int>, names: [String] = []) -> Set<Int>? {
        var out = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { return nil }
            var step = 1
            if stepParts.count == 2 {
                guard let value = Int(stepParts[1]), value > 0 else { return nil }
                step = value
            }
            let base = String(stepParts[0])
            var low: Int, high: Int
            if base == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, let first = single(String(bounds[0]), range, names: names) else { return nil }
                low = first
                if bounds.count == 2 {
                    guard let last = single(String(bounds[1]), range, names: names), last >= first else { return nil }
                    high = last
                } else {
                    high = stepParts.count == 2 ? range.upperBound : first
                }
            }
            var value = low
            while value <= high { out.insert(value); value += step }
        }
        return out.isEmpty ? nil : out
    }

    /// The first matching minute strictly after `millis`, searching up to the year 2199.
    func next(after millis: Int64) -> Int64? {
        var minute = millis / 60_000 + 1
        if millis < 0 { return nil }
        for _ in 0..<2_000_000 {
            let days = minute / 1440
            let (year, month, day) = CivilCalendar.date(days: days)
            if year > 2199 { return nil }
            if !years.contains(year) {
                minute = CivilCalendar.days(year: year + 1, month: 1, day: 1) * 1440
                continue
            }
            if !months.contains(month) {
                let (y, m) = month == 12 ? (year + 1, 1) : (year, month + 1)
                minute = CivilCalendar.days(year: y, month: m, day: 1) * 1440
                continue
            }
            if !dayMatches(year: year, month: month, day: day, days: days) {
                minute = (days + 1) * 1440
                continue
            }
            let minuteOfDay = Int(minute - days * 1440)
            if !hours.contains(minuteOfDay / 60) {
                minute = days * 1440 + Int64(minuteOfDay / 60 + 1) * 60
                continue
            }
            if !minutes.contains(minuteOfDay % 60) {
                minute += 1
                continue
            }
            return minute * 60_000
        }
        return nil
    }

    func dayMatches(year: Int, month: Int, day: Int, days: Int64) -> Bool {
        let length = CivilCalendar.daysInMonth(year: year, month: month)
        let weekday = CivilCalendar.weekday(days: days)
        switch dayOfMonth {
        case .any: break
        case .days(let set): return set.contains(day)
        case .last: return day == length
        case .lastWeekday: return day == Self.nearestWeekday(to: length, year: year, month: month)
        case .nearestWeekday(let target): return target <= length && day == Self.nearestWeekday(to: target, year: year, month: month)
        }
        switch dayOfWeek {
        case .any: return true
        case .days(let set): return set.contains(weekday)
        case .last(let target): return weekday == target && day + 7 > length
        case .nth(let target, let n): return weekday == target && (day - 1) / 7 + 1 == n
        }
    }

    /// The weekday nearest `target` within its month (Saturday → Friday, Sunday → Monday, not
    /// crossing the month's ends).
    static func nearestWeekday(to target: Int, year: Int, month: Int) -> Int {
        let length = CivilCalendar.daysInMonth(year: year, month: month)
        let weekday = CivilCalendar.weekday(days: CivilCalendar.days(year: year, month: month, day: target))
        switch weekday {
        case 7: return target == 1 ? 3 : target - 1
        case 1: return target == length ? target - 2 : target + 1
        default: return target
        }
    }
}
