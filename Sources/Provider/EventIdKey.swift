/// An event's id as the key of the provider's index of held events (`LiveState`): hashed and
/// compared as its UTF-8 bytes.
///
/// Why not `String`: every event the stream brings is looked up, filed and, when the ring
/// evicts it, unfiled — three hashes of its id at 20,000 events a second — and `String` hashes
/// through its Unicode-aware path (normalising as it goes). Its equality is canonical
/// equivalence, too: "é" precomposed and decomposed would be one key, while on the wire they
/// are two ids. Every byte is hashed (seeded per process, as `String` is), so ids that share
/// their ends still spread: ids come from the endpoint, not from this process.
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
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
    }
}
