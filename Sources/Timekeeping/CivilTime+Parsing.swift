extension CivilTime {
    /// Reads a UTC RFC 3339 timestamp, `2026-11-23T02:21:39Z` or with a fraction
    /// (`…39.123Z`, up to nanoseconds): the shape AWS writes event and context times in. Nil for
    /// anything else — offsets other than `Z` included — so a caller can fall back to a general
    /// ISO 8601 reader. Hand-written because Foundation's parser costs microseconds per call,
    /// and a viewer reads one per event.
    public init?(utcRFC3339 text: some StringProtocol) {
        var utf8 = Array(text.utf8)
        guard utf8.count >= 20, let zone = utf8.popLast(), zone == UInt8(ascii: "Z") || zone == UInt8(ascii: "z") else { return nil }
        func digits(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = utf8[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
              utf8[10] == UInt8(ascii: "T") || utf8[10] == UInt8(ascii: "t"),
              utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":"),
              let year = digits(0..<4), let month = digits(5..<7), let day = digits(8..<10),
              let hour = digits(11..<13), let minute = digits(14..<16), let second = digits(17..<19) else { return nil }
        var nanosecond = 0
        if utf8.count > 19 {
            let fraction = utf8.count - 20
            guard utf8[19] == UInt8(ascii: "."), (1...9).contains(fraction), let value = digits(20..<utf8.count) else { return nil }
            nanosecond = value
            for _ in fraction..<9 { nanosecond *= 10 }
        }
        self.init(year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond)
    }
}
