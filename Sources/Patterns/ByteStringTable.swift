/// Strings looked up by their UTF-8 bytes without making a `String`: the exact-value sets of
/// pattern leaves and the router's rule index are probed with bytes straight out of a
/// `JSONDocument`. A few entries are compared one by one; more go through a hash of the bytes.
struct ByteStringTable: Sendable, Hashable {
    private var keys: [[UInt8]] = []
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
        keys.append(key)
        byHash[Self.hash(key.withUnsafeBufferPointer { $0 }), default: []].append(keys.count - 1)
        return keys.count - 1
    }

    /// The position of the key with exactly these bytes.
    @inline(__always)
    func position(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if keys.count <= Self.linearLimit {
            for index in keys.indices where Self.equal(keys[index], bytes) { return index }
            return nil
        }
        guard let candidates = byHash[Self.hash(bytes)] else { return nil }
        for index in candidates where Self.equal(keys[index], bytes) { return index }
        return nil
    }

    @inline(__always)
    func contains(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        position(of: bytes) != nil
    }

    @inline(__always)
    private static func equal(_ key: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard key.count == bytes.count else { return false }
        return key.withUnsafeBufferPointer { Bytes.memoryEqual(bytes, 0, $0) }
    }

    /// FNV-1a: keys are the rules' own values, so an event cannot crowd a bucket.
    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
