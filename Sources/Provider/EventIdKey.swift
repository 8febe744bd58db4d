/// An event's id as the key of the provider's index of held events (`LiveState`): hashed from
/// its length and its first and last eight bytes, compared byte for byte.
///
/// Why: every event the stream brings is looked up, filed and, when the ring evicts it,
/// unfiled — three hashes of its id, and a dictionary's deletion rehashes the keys that follow
/// it in their run — at 20,000 events a second. `String` hashes every byte through its
/// Unicode-aware path; ids (UUIDs from the stack, any text from a peer) differ in their first
/// bytes, so a few words hash them as well. Byte-for-byte equality (not `String`'s canonical
/// equivalence) is what an id's identity is on the wire.
struct EventIdKey: Hashable {
    let id: String

    init(_ id: String) {
        self.id = id
    }

    static func == (a: EventIdKey, b: EventIdKey) -> Bool {
        var a = a.id, b = b.id
        return a.withUTF8 { left in b.withUTF8 { right in left.elementsEqual(right) } }
    }

    func hash(into hasher: inout Hasher) {
        var id = self.id
        id.withUTF8 { bytes in
            hasher.combine(bytes.count)
            let raw = UnsafeRawBufferPointer(bytes)
            if bytes.count >= 8 {
                hasher.combine(raw.loadUnaligned(as: UInt64.self))
                hasher.combine(raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
            } else {
                var word: UInt64 = 0
                for byte in bytes { word = word << 8 | UInt64(byte) }
                hasher.combine(word)
            }
        }
    }
}
