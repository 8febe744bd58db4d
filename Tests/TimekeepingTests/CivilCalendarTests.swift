import Testing
import Timekeeping

@Suite struct CivilCalendarTests {
    @Test func daysRoundTripAcrossEraAndLeapBoundaries() {
        // Every day from 1600 to 2500 (leap centuries 1600, 2000, 2400; common 1700…2100…2500).
        var expected = CivilCalendar.days(year: 1600, month: 1, day: 1)
        for year in 1600...2500 {
            for month in 1...12 {
                for day in 1...CivilCalendar.daysInMonth(year: year, month: month) {
                    #expect(CivilCalendar.days(year: year, month: month, day: day) == expected)
                    let back = CivilCalendar.date(days: expected)
                    if back != (year, month, day) {
                        Issue.record("day \(expected) came back as \(back), not \(year)-\(month)-\(day)")
                        return
                    }
                    expected += 1
                }
            }
        }
    }

    @Test func knownDates() {
        #expect(CivilCalendar.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilCalendar.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(CivilCalendar.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilCalendar.date(days: -719_468) == (0, 3, 1))
        #expect(CivilCalendar.weekday(days: 0) == 5)  // a Thursday
        #expect(CivilCalendar.weekday(days: CivilCalendar.days(year: 2026, month: 12, day: 6)) == 1)  // a Sunday
        #expect(CivilCalendar.weekday(days: -1) == 4)
        #expect(CivilCalendar.daysInMonth(year: 1900, month: 2) == 28)
        #expect(CivilCalendar.daysInMonth(year: 2100, month: 2) == 28)
        #expect(CivilCalendar.daysInMonth(year: 2000, month: 2) == 29)
        #expect(CivilCalendar.daysInMonth(year: 2026, month: 4) == 30)
    }

    @Test func civilTimeFormatsAndRoundTrips() throws {
        let time = UnixTime(nanosecondsSince1970: 1_795_400_499_123_456_789)
        let civil = CivilTime(time)
        #expect(civil.rfc3339Milliseconds == "2026-11-23T02:21:39.123Z")
        #expect(civil.rfc3339Seconds == "2026-11-23T02:21:39Z")
        #expect(civil.iso8601Basic == "20261123T022139Z")
        #expect(civil.timeOfDay == "02:21:39")
        #expect(civil.unixTime == time)
        #expect(time.description == "2026-11-23T02:21:39.123Z")
        // Before 1970 the day and the time of day still count forward from midnight.
        let before = CivilTime(UnixTime(milliseconds: -1))
        #expect(before.rfc3339Milliseconds == "1969-12-31T23:59:59.999Z")
        #expect(before.unixTime == UnixTime(milliseconds: -1))
    }

    @Test func civilTimeRejectsFieldsOutOfRange() throws {
        #expect(CivilTime(year: 2026, month: 2, day: 29) == nil)
        #expect(CivilTime(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilTime(year: 2026, month: 13, day: 1) == nil)
        #expect(CivilTime(year: 2026, month: 1, day: 1, hour: 24) == nil)
        // A leap second is read as the next minute's first second.
        let leap = try #require(CivilTime(year: 2016, month: 12, day: 31, hour: 23, minute: 59, second: 60))
        #expect(CivilTime(leap.unixTime).rfc3339Seconds == "2017-01-01T00:00:00Z")
        #expect(CivilTime.zeroPadded(-7, width: 3) == "-007")
    }

    @Test("RFC 3339 timestamps are read with any fraction and a zone; other shapes are left to a general reader")
    func readsRFC3339() throws {
        let plain = try #require(RFC3339.parse("2026-12-06T19:41:07Z"))
        #expect(CivilTime(UnixTime(plain)).rfc3339Seconds == "2026-12-06T19:41:07Z")
        #expect(RFC3339.parse("2026-12-06T20:41:07+01:00") == plain)
        #expect(RFC3339.parse("2024-02-29T23:59:59.5Z").map { CivilTime(UnixTime($0)).nanosecond } == 500_000_000)
        // A `Date` holds the fraction as a binary fraction: within a microsecond, not exact.
        let fraction = try #require(RFC3339.parse("2026-12-06T19:41:07.123Z"))
        #expect(abs(fraction.timeIntervalSince(plain) - 0.123) < 1e-6)
        #expect(RFC3339.parse("2026-12-06T19:41:07Z"[...]) == plain)   // a substring reads the same
        for other in ["2026-12-06t19:41:07Z", "2026-12-06 19:41:07Z", "2026-13-06T19:41:07Z", "2025-02-29T00:00:00Z",
                      "2026-12-06T19:41:07.Z", "2026-12-06T19:41:07", "2026-12-06T19:4a:07Z", "2026-12-06T19:41:07+25:00", "", "Z"] {
            #expect(RFC3339.parse(other) == nil, "\(other)")
        }
    }
}
