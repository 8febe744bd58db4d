/// Strings looked up by their UTF-8 bytes without making a `String`: the exact-value sets of
/// pattern leaves and the router's rule index are probed with bytes straight out of a
/// `JSONDocument`. A few entries are compared one by one; more go through a hash of the bytes.
struct ByteStringTable: Sendable, Hashable {
    private struct Key: Sendable, Hashable {
        var start: Int
        var count: Int
    }

    /// Every key's bytes end to end: probing reads plain values, nothing is retained.
    private var bytes: [UInt8] = []
    private var keys: [Key] = []
    private var byHash: [UInt64: [Int]] = [:]
    private static let linearLimit = 6

    init() {}

    init(_ strings: some Sequence<UTF8Key>) {
        for key in strings { _ = insert(Array(key.string.utf8)) }
    }

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    /// Adds a key if new; returns its position either way.
    mutating func insert(_ key: [UInt8]) -> Int {
        if let existing = key.withUnsafeBufferPointer({ position(of: $0) }) { return existing }
        keys.append(Key(start: bytes.count, count: key.count))
        bytes.append(contentsOf: key)
        byHash[key.withUnsafeBufferPointer { Self.hash($0) }, default: []].append(keys.count - 1)
        return keys.count - 1
    }

    /// The position of the key with exactly these bytes.
    @inline(__always)
    func position(of value: UnsafeBufferPointer<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { stored in
            if keys.count <= Self.linearLimit {
                for index in keys.indices where Self.equal(stored, keys[index], value) { return index }
                return nil
            }
            guard let candidates = byHash[Self.hash(value)] else { return nil }
            for index in candidates where Self.equal(stored, keys[index], value) { return index }
            return nil
        }
    }

    @inline(__always)
    func contains(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        position(of: value) != nil
    }

    @inline(__always)
    private static func equal(_ stored: UnsafeBufferPointer<UInt8>, _ key: Key, _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        key.count == value.count && Bytes.memoryEqual(stored, key.start, value)
    }

    /// FNV-1a: keys are the rules' own values, so an event cannot crowd a bucket.
    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
