/// A string compared and hashed by its UTF-8 bytes. AWS matches bytes, while Swift's `String`
/// equality folds canonically equivalent spellings ("é" precomposed and decomposed) together.
struct UTF8Key: Hashable, Sendable {
    let string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (a: UTF8Key, b: UTF8Key) -> Bool {
        Bytes.equal(a.string, b.string)
    }

    func hash(into hasher: inout Hasher) {
        Bytes.with(string) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// Byte-level string operations on contiguous UTF-8, as AWS's matcher works on bytes.
enum Bytes {
    @inline(__always)
    static func with<R>(_ string: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = string.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(string.utf8).withUnsafeBufferPointer(body)
    }

    static func equal(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return with(a) { x in with(b) { y in memoryEqual(x, 0, y) } }
    }

    static func hasPrefix(_ string: String, _ prefix: String) -> Bool {
        let count = prefix.utf8.count
        guard string.utf8.count >= count else { return false }
        return with(string) { x in with(prefix) { y in memoryEqual(x, 0, y) } }
    }

    static func hasSuffix(_ string: String, _ suffix: String) -> Bool {
        let count = suffix.utf8.count
        let total = string.utf8.count
        guard total >= count else { return false }
        return with(string) { x in with(suffix) { y in memoryEqual(x, total - count, y) } }
    }

    /// Whether `needle` occurs in `haystack` at `offset` (the caller checked the lengths).
    @inline(__always)
    static func memoryEqual(_ haystack: UnsafeBufferPointer<UInt8>, _ offset: Int, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = needle.count
        while index < count {
            if haystack[offset + index] != needle[index] { return false }
            index += 1
        }
        return true
    }
}
