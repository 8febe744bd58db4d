import Foundation

/// The proleptic Gregorian calendar in UTC, on days since 1970-01-01: the one civil-date
/// implementation (Howard Hinnant's `days_from_civil` / `civil_from_days`), used by the
/// schedule expressions, the States Language's timestamps, SigV4 dates and the console's clock.
/// Pure integer arithmetic: no Foundation calendar, formatter or locale, exact for any year
/// `Int` holds.
public enum CivilCalendar {
    /// Days from 1970-01-01 to the given date (negative before it). `month` is 1...12; `day`
    /// may run past the month's end (it counts on into the next month).
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int64(era) * 146_097 + Int64(dayOfEra) - 719_468
    }

    /// The date `days` days after 1970-01-01.
    public static func date(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = Int(z - era * 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + Int(era) * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// 1 = Sunday … 7 = Saturday, as cron counts (1970-01-01 was a Thursday).
    public static func weekday(days: Int64) -> Int {
        Int(((days % 7) + 7 + 4) % 7) + 1
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// 28...31; `month` is 1...12.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A UTC date and time of day: a `UnixTime` broken out into the calendar, and back.
public struct CivilTime: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var nanosecond: Int

    public init(_ time: UnixTime) {
        let nanosecondsPerDay: Int64 = 86_400_000_000_000
        let days = UnixTime.floorDivide(time.nanosecondsSince1970, by: nanosecondsPerDay)
        let ofDay = time.nanosecondsSince1970 - days * nanosecondsPerDay
        (year, month, day) = CivilCalendar.date(days: days)
        let secondOfDay = Int(ofDay / 1_000_000_000)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
        nanosecond = Int(ofDay % 1_000_000_000)
    }

    /// A date and time from its fields; nil when a field is out of range (a leap second, 60,
    /// is accepted and counts as the next minute's first second, as RFC 3339 readers do).
    public init?(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
                 nanosecond: Int = 0) {
        guard (1...12).contains(month), day >= 1, day <= CivilCalendar.daysInMonth(year: year, month: month),
              (0..<24).contains(hour), (0..<60).contains(minute), (0...60).contains(second),
              (0..<1_000_000_000).contains(nanosecond) else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second, self.nanosecond) = (hour, minute, second, nanosecond)
    }

    /// The instant this names, read as UTC.
    public var unixTime: UnixTime {
        let seconds = CivilCalendar.days(year: year, month: month, day: day) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
        return UnixTime(nanosecondsSince1970: seconds &* 1_000_000_000 &+ Int64(nanosecond))
    }

    /// `2026-11-23T02:21:39.123Z`: milliseconds, as AWS writes context and event times.
    public var rfc3339Milliseconds: String {
        dateText(separator: "-") + "T" + timeOfDay + "." + Self.zeroPadded(nanosecond / 1_000_000, width: 3) + "Z"
    }

    /// `2026-11-23T02:21:39Z`
    public var rfc3339Seconds: String { dateText(separator: "-") + "T" + timeOfDay + "Z" }

    /// `20261123T022139Z`: ISO 8601 basic, as SigV4's `X-Amz-Date` carries it.
    public var iso8601Basic: String {
        dateText(separator: "") + "T" + Self.zeroPadded(hour, width: 2) + Self.zeroPadded(minute, width: 2)
            + Self.zeroPadded(second, width: 2) + "Z"
    }

    /// `02:21:39`
    public var timeOfDay: String {
        Self.zeroPadded(hour, width: 2) + ":" + Self.zeroPadded(minute, width: 2) + ":" + Self.zeroPadded(second, width: 2)
    }

    /// `02:21:39.123`: a tail's time column.
    public var timeOfDayMilliseconds: String {
        timeOfDay + "." + Self.zeroPadded(nanosecond / 1_000_000, width: 3)
    }

    /// `02:21:39.123` for `date`, cut (not rounded) to the millisecond as the seconds since 1970
    /// say it: `…05.250` stays `.250` even when the double holds `…05.24999…`.
    public static func timeOfDayMilliseconds(_ date: Date) -> String {
        CivilTime(UnixTime(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))).timeOfDayMilliseconds
    }

    private func dateText(separator: String) -> String {
        Self.zeroPadded(year, width: 4) + separator + Self.zeroPadded(month, width: 2) + separator
            + Self.zeroPadded(day, width: 2)
    }

    /// `value` in decimal with leading zeros to `width` digits (a minus sign before them).
    public static func zeroPadded(_ value: Int, width: Int) -> String {
        let digits = String(value.magnitude)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }
}
