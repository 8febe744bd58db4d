#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON

/// The strings of one stream message that repeat from frame to frame (a delivery's target ARN,
/// the same few for every event of a busy bus), made once per message and shared by the frames
/// that name them. Each `String` longer than 15 bytes is an allocation, a copy and a check of its
/// bytes, then a release; a batch of a few hundred events names the same handful of targets
/// over and over.
///
/// A small table indexed by the bytes' hash: a miss (a new value, or two values on one slot)
/// makes the string as before and keeps it in the slot, so the table never grows and a value
/// that is not repeated costs a hash and a comparison.
struct FrameStrings {
    private var table = [String?](repeating: nil, count: FrameStrings.size)
    private static let size = 256
    /// Shorter strings are held inline by `String` itself: no allocation to save.
    private static let inline = 15

    /// The string at `slot` (a string slot of `document`).
    mutating func string(_ document: JSONDocument, _ slot: Int32) -> String? {
        let value = document.slots[Int(slot)]
        guard value.kind == .string else { return nil }
        guard value.count > Self.inline else { return document.string(slot) }
        return document.withBytes(of: value) { bytes in
            let index = Self.slot(of: bytes)
            if var held = table[index], held.utf8.count == bytes.count,
               held.withUTF8({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
                return held
            }
            let made = String(decoding: bytes, as: UTF8.self)
            table[index] = made
            return made
        }
    }

    /// The table slot for a value of more than `inline` bytes: from its length and its first and
    /// last eight bytes, not every byte (a target ARN is ~50). The names a stream repeats differ
    /// at an end (`…:orders` and `…:audit`, `rule-3` and `rule-4`); values that share both ends
    /// and the length share a slot, which costs a string made again, never a wrong one.
    private static func slot(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let raw = UnsafeRawBufferPointer(bytes)
        let first = raw.loadUnaligned(as: UInt64.self)
        let last = raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
        var hash = (first &* 0x9E37_79B9_7F4A_7C15) ^ (last &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(bytes.count)
        hash ^= hash >> 29
        return Int(truncatingIfNeeded: hash) & (size - 1)
    }
}
