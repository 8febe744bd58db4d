/// An IPv4 or IPv6 address as 128 bits, so that `cidr` ranges and IP-literal patterns compare
/// addresses rather than spellings ("2001:db8::1" and "2001:0DB8:0:0:0:0:0:1" are one address).
struct IPAddress: Hashable, Sendable, Comparable {
    /// IPv4 addresses (and IPv4-mapped IPv6 ones, as AWS's matcher folds them) use the low 32 bits.
    let isV6: Bool
    let high: UInt64
    let low: UInt64

    static func < (a: IPAddress, b: IPAddress) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }

    /// Parses a dotted-quad IPv4 or an RFC 4291 IPv6 literal; nil for anything else (host names,
    /// zone ids, prefixes). Cheap to call on arbitrary event strings: it fails on the first byte
    /// that cannot belong to an address.
    init?(_ text: some StringProtocol) {
        self.init(bytes: text.utf8)
    }

    init?(bytes text: some Collection<UInt8>) {
        guard !text.isEmpty, text.count <= 45 else { return nil }
        let bytes = Array(text)
        if bytes.contains(UInt8(ascii: ":")) {
            guard let (high, low) = IPAddress.parseV6(bytes) else { return nil }
            // ::ffff:a.b.c.d is the IPv4 address a.b.c.d.
            if high == 0, low >> 32 == 0xFFFF {
                self.init(isV6: false, high: 0, low: low & 0xFFFF_FFFF)
            } else {
                self.init(isV6: true, high: high, low: low)
            }
        } else {
            guard let v4 = IPAddress.parseV4(bytes[...]) else { return nil }
            self.init(isV6: false, high: 0, low: UInt64(v4))
        }
    }

    init(isV6: Bool, high: UInt64, low: UInt64) {
        self.isV6 = isV6
        self.high = high
        self.low = low
    }

    var bitWidth: Int { isV6 ? 128 : 32 }

    /// The address with the `hostBits` lowest bits set: the top of a CIDR block.
    func settingLowBits(_ hostBits: Int) -> IPAddress {
        if hostBits <= 0 { return self }
        if hostBits >= 128 { return IPAddress(isV6: isV6, high: .max, low: .max) }
        if hostBits >= 64 {
            let highMask: UInt64 = hostBits == 64 ? 0 : (UInt64.max >> (128 - hostBits))
            return IPAddress(isV6: isV6, high: high | highMask, low: .max)
        }
        return IPAddress(isV6: isV6, high: high, low: low | (UInt64.max >> (64 - hostBits)))
    }

    private static func parseV4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        var result: UInt32 = 0
        var parts = 0
        var value: UInt32 = 0
        var digits = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = value * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                if digits > 3 || value > 255 { return nil }
            case UInt8(ascii: "."):
                guard digits > 0, parts < 3 else { return nil }
                result = result << 8 | value
                parts += 1
                value = 0
                digits = 0
            default:
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return result << 8 | value
    }

    private static func parseV6(_ bytes: [UInt8]) -> (UInt64, UInt64)? {
        var groups: [UInt16] = []
        var gapAt: Int? = nil
        var index = 0
        let count = bytes.count
        if bytes.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            gapAt = 0
            index = 2
            if index == count { return (0, 0) }
        } else if bytes.first == UInt8(ascii: ":") {
            return nil
        }
        while index < count {
            // One group: hex digits, or a trailing dotted IPv4.
            var end = index
            var sawDot = false
            while end < count, bytes[end] != UInt8(ascii: ":") {
                if bytes[end] == UInt8(ascii: ".") { sawDot = true }
                end += 1
            }
            if sawDot {
                guard end == count, groups.count <= 6, let v4 = parseV4(bytes[index..<end]) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xFFFF))
                index = end
                break
            }
            let length = end - index
            guard length >= 1, length <= 4 else { return nil }
            var group: UInt16 = 0
            for byte in bytes[index..<end] {
                guard let nibble = hexValue(byte) else { return nil }
                group = group << 4 | UInt16(nibble)
            }
            groups.append(group)
            guard groups.count <= 8 else { return nil }
            index = end
            if index == count { break }
            // At a ':'. A second ':' marks the one allowed gap.
            index += 1
            if index < count, bytes[index] == UInt8(ascii: ":") {
                guard gapAt == nil else { return nil }
                gapAt = groups.count
                index += 1
                if index == count { break }
            } else if index == count {
                return nil // trailing single ':'
            }
        }
        if let gapAt {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: [UInt16](repeating: 0, count: 8 - groups.count), at: gapAt)
        }
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for group in groups[0..<4] { high = high << 16 | UInt64(group) }
        for group in groups[4..<8] { low = low << 16 | UInt64(group) }
        return (high, low)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A `cidr` operand: every address of one family between two bounds, inclusive.
struct CIDRRange: Hashable, Sendable {
    let lower: IPAddress
    let upper: IPAddress

    func contains(_ address: IPAddress) -> Bool {
        address.isV6 == lower.isV6 && lower <= address && address <= upper
    }

    /// Parses "address/bits". As AWS's matcher does, the block runs from the address as written
    /// (host bits are not cleared) to the address with all host bits set, and the mask must be
    /// shorter than the address (/32 and /128 are refused: use the address itself).
    init(parsing text: String) throws(PatternFault) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw PatternFault("Malformed CIDR, one '/' required") }
        guard let bits = Int(parts[1]) else { throw PatternFault("Malformed CIDR, mask bits must be an integer") }
        guard bits >= 0 else { throw PatternFault("Malformed CIDR, mask bits must not be negative") }
        // AWS's matcher first asks whether the text looks like an address (digits and dots, or
        // hex digits and colons): anything else is "Nonstandard", even a spelling such as
        // ::ffff:a.b.c.d that a full parser accepts; a look-alike that fails to parse is "Invalid".
        guard CIDRRange.looksLikeAddress(parts[0]) else { throw PatternFault("Nonstandard IP address: \(parts[0])") }
        guard let address = IPAddress(parts[0]) else { throw PatternFault("Invalid IP address: \(parts[0])") }
        if address.isV6 {
            guard bits <= 127 else { throw PatternFault("IPv6 mask bits must be < 128") }
        } else {
            guard bits <= 31 else { throw PatternFault("IPv4 mask bits must be < 32") }
        }
        lower = address
        upper = address.settingLowBits(address.bitWidth - bits)
    }

    /// Four dot-separated runs of decimal digits, or hex digits and colons with at least one
    /// colon: the shapes AWS's matcher (aws/event-ruler, `Constants.IPv4_REGEX`/`IPv6_REGEX`)
    /// treats as address literals before parsing them.
    static func looksLikeAddress(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        func isHex(_ byte: UInt8) -> Bool {
            isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
        }
        if bytes.contains(UInt8(ascii: ":")) {
            return bytes.allSatisfy { $0 == UInt8(ascii: ":") || isHex($0) }
        }
        let runs = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return runs.count == 4 && runs.allSatisfy { !$0.isEmpty && $0.allSatisfy(isDigit) }
    }
}
