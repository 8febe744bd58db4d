import Patterns
import Testing

/// Property tests for address parsing, through patterns (the address type is internal).
@Suite struct AddressTests {
    static func hex(_ group: UInt16) -> String { String(group, radix: 16) }

    /// Every spelling of a random IPv6 address (full, zero-padded, upper case, with the longest
    /// zero run compressed) matches an IP-literal pattern written in another spelling.
    @Test func ipv6SpellingsAreOneAddress() throws {
        var generator = SplitMix(seed: 99)
        for _ in 0..<300 {
            let groups: [UInt16] = (0..<8).map { _ in
                generator.next(upTo: 3) == 0 ? 0 : UInt16(generator.next(upTo: 65536))
            }
            let full = groups.map(AddressTests.hex).joined(separator: ":")
            let padded = groups.map { String(repeating: "0", count: 4 - AddressTests.hex($0).count) + AddressTests.hex($0) }
                .joined(separator: ":").uppercased()
            // Compress the longest run of zero groups (length ≥ 1) with "::".
            var bestStart = -1, bestLength = 0, start = 0
            while start < 8 {
                var end = start
                while end < 8, groups[end] == 0 { end += 1 }
                if end - start > bestLength { bestStart = start; bestLength = end - start }
                start = max(end, start + 1)
            }
            var compressed = full
            if bestLength > 0 {
                let head = groups[0..<bestStart].map(AddressTests.hex).joined(separator: ":")
                let tail = groups[(bestStart + bestLength)...].map(AddressTests.hex).joined(separator: ":")
                compressed = head + "::" + tail
            }
            for (patternSpelling, eventSpelling) in [(full, padded), (padded, compressed), (compressed, full)] {
                #expect(try match(#"{"ip": ["\#(patternSpelling)"]}"#, #"{"ip": "\#(eventSpelling)"}"#),
                        "\(patternSpelling) vs \(eventSpelling)")
            }
            var other = groups
            other[generator.next(upTo: 8)] ^= 1
            let otherSpelling = other.map(AddressTests.hex).joined(separator: ":")
            #expect(try !match(#"{"ip": ["\#(full)"]}"#, #"{"ip": "\#(otherSpelling)"}"#))
        }
    }

    /// IPv4 CIDR containment agrees with integer arithmetic on random blocks and addresses.
    @Test func ipv4BlocksAgreeWithArithmetic() throws {
        var generator = SplitMix(seed: 5)
        func dotted(_ value: UInt32) -> String {
            [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xFF) }.joined(separator: ".")
        }
        for _ in 0..<500 {
            let bits = generator.next(upTo: 32)
            let hostMask: UInt32 = bits == 0 ? .max : (UInt32.max >> UInt32(bits))
            let base = UInt32(truncatingIfNeeded: generator.nextRaw()) & ~hostMask
            let inside = base | (UInt32(truncatingIfNeeded: generator.nextRaw()) & hostMask)
            let anywhere = UInt32(truncatingIfNeeded: generator.nextRaw())
            let pattern = #"{"ip": [{"cidr": "\#(dotted(base))/\#(bits)"}]}"#
            #expect(try match(pattern, #"{"ip": "\#(dotted(inside))"}"#))
            let expected = anywhere & ~hostMask == base
            #expect(try match(pattern, #"{"ip": "\#(dotted(anywhere))"}"#) == expected)
        }
    }

    @Test(arguments: ["1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "::1::", "1:2:3:4:5:6:7:8:9", "12345::", "g::1",
                      "1:2:3:4:5:6:7::8:9", ":1:2:3:4:5:6:7", "1.2.3.4/8", " 1.2.3.4", "host.example"])
    func notAddressesDoNotMatchCIDR(text: String) throws {
        #expect(try !match(#"{"ip": [{"cidr": "0.0.0.0/0"}]}"#, #"{"ip": "\#(text)"}"#))
        #expect(try !match(#"{"ip": [{"cidr": "::/0"}]}"#, #"{"ip": "\#(text)"}"#))
    }

    @Test(arguments: ["::", "::1", "1::", "1:2:3:4:5:6:7:8", "1::8", "::ffff:1.2.3.4", "64:ff9b::192.0.2.33"])
    func validIPv6Parses(text: String) throws {
        let family = text.hasPrefix("::ffff:") ? "0.0.0.0/0" : "::/0"
        #expect(try match(#"{"ip": [{"cidr": "\#(family)"}]}"#, #"{"ip": "\#(text)"}"#))
    }
}
