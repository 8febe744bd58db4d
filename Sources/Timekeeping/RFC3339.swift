#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// RFC 3339 timestamps as AWS writes and reads them: the States Language's (Wait.Timestamp,
/// Timestamp* choice rules, `$$.Execution.StartTime`) and events' `time`. Written by hand on the
/// one civil calendar: no formatter object, no locale, and a fraction of the cost of
/// Foundation's ISO 8601 parser, which a viewer would pay once per event.
public enum RFC3339 {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; nil when the text is not one (a
    /// caller that takes other ISO 8601 shapes falls back to a general reader).
    /// AWS requires an uppercase T and a zone designator.
    public static func parse(_ text: some StringProtocol) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
              expect("T"), let hour = digits(2), expect(":"), let minute = digits(2), expect(":"),
              let second = digits(2) else { return nil }
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let zoneHour = digits(2), expect(":"), let zoneMinute = digits(2), zoneHour < 24, zoneMinute < 60 else { return nil }
            offsetSeconds = sign * (zoneHour * 3600 + zoneMinute * 60)
        default:
            return nil
        }
        guard index == bytes.count,
              let civil = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        // Seconds from the calendar's day count, not `civil.unixTime`: its nanoseconds wrap
        // after 2262, which made a Wait until 2999 end at once instead of being too long.
        let seconds = CivilCalendar.days(year: civil.year, month: civil.month, day: civil.day) * 86_400
            + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// `2026-11-23T02:21:39.123Z`: UTC with milliseconds, as AWS writes context times.
    public static func format(_ date: Date) -> String {
        CivilTime(UnixTime(date)).rfc3339Milliseconds
    }
}
