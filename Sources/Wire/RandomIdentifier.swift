/// Random identifiers for the stack's hot paths (message ids, receipt nonces, request ids).
///
/// Foundation's `UUID()` opens `/dev/urandom` on every call here: at tens of thousands of
/// messages a second that system call showed up in profiles. These draw from the system
/// generator (`getrandom`) and format without Foundation.
public enum RandomIdentifier {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A lowercase random (version 4) UUID, as AWS spells message, event and request ids.
    public static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000  // version 4
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000    // RFC 4122 variant
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            func put(_ value: UInt64, digits: Int) {
                var shift = (digits - 1) * 4
                while shift >= 0 {
                    buffer[position] = hexDigits[Int((value >> UInt64(shift)) & 0xF)]
                    position += 1
                    shift -= 4
                }
            }
            put(high >> 32, digits: 8)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(high >> 16, digits: 4)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(high, digits: 4)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(low >> 48, digits: 4)
            buffer[position] = UInt8(ascii: "-"); position += 1
            put(low, digits: 12)
            return position
        }
    }

    /// `count` random bytes as lowercase hex (receipt-handle nonces, task tokens).
    public static func hex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(unsafeUninitializedCapacity: count * 2) { buffer in
            var position = 0
            var word: UInt64 = 0
            for index in 0..<count {
                if index % 8 == 0 { word = generator.next() }
                let byte = Int(word & 0xFF)
                word >>= 8
                buffer[position] = hexDigits[byte >> 4]
                buffer[position + 1] = hexDigits[byte & 0xF]
                position += 2
            }
            return position
        }
    }
}
