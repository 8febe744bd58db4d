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
            var hash: UInt32 = 2_166_136_261
            for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            let index = Int(hash) & (Self.size - 1)
            if var held = table[index], held.utf8.count == bytes.count,
               held.withUTF8({ $0.elementsEqual(bytes) }) {
                return held
            }
            let made = String(decoding: bytes, as: UTF8.self)
            table[index] = made
            return made
        }
    }
}
