import Synchronization

/// Random identifiers for the stack's hot paths (message ids, receipt nonces, request ids).
///
/// Foundation's `UUID()` opens `/dev/urandom` on every call here, and `getrandom` per id
/// still showed up in profiles at tens of thousands of messages a second. Ids come from
/// xoshiro256** seeded from the system generator and reseeded every 4,096 draws: unique and
/// unguessable enough for a local stack, at a few nanoseconds each.
public enum RandomIdentifier {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private struct Generator {
        var state: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var remaining = 0

        mutating func next() -> UInt64 {
            if remaining == 0 {
                var system = SystemRandomNumberGenerator()
                state = (system.next(), system.next(), system.next(), system.next() | 1)
                remaining = 4096
            }
            remaining -= 1
            let result = rotate(state.1 &* 5, 7) &* 9
            let t = state.1 << 17
            state.2 ^= state.0
            state.3 ^= state.1
            state.1 ^= state.2
            state.0 ^= state.3
            state.2 ^= t
            state.3 = rotate(state.3, 45)
            return result
        }

        private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
    }

    private static let generator = Mutex(Generator())

    /// A random word.
    public static func word() -> UInt64 {
        generator.withLock { $0.next() }
    }

    /// A lowercase random (version 4) UUID, as AWS spells message, event and request ids.
    public static func uuid() -> String {
        var (high, low) = generator.withLock { ($0.next(), $0.next()) }
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
        String(unsafeUninitializedCapacity: count * 2) { buffer in
            var position = 0
            var word: UInt64 = 0
            for index in 0..<count {
                if index % 8 == 0 { word = Self.word() }
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
