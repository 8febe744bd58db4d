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

    /// Case-insensitive comparisons against an already lowercased operand. ASCII text is
    /// compared byte by byte without allocating; other text is lowercased with Unicode rules.
    static func equalIgnoringCase(_ string: String, lowered operand: String) -> Bool {
        if let ascii = asciiCompare(string, operand, { x, y in
            x.count == y.count && lowerEqual(x, 0, y)
        }) { return ascii }
        return equal(string.lowercased(), operand)
    }

    static func hasPrefixIgnoringCase(_ string: String, lowered operand: String) -> Bool {
        if let ascii = asciiCompare(string, operand, { x, y in
            x.count >= y.count && lowerEqual(x, 0, y)
        }) { return ascii }
        return hasPrefix(string.lowercased(), operand)
    }

    static func hasSuffixIgnoringCase(_ string: String, lowered operand: String) -> Bool {
        if let ascii = asciiCompare(string, operand, { x, y in
            x.count >= y.count && lowerEqual(x, x.count - y.count, y)
        }) { return ascii }
        return hasSuffix(string.lowercased(), operand)
    }

    /// Runs `body` when both strings are ASCII; nil otherwise.
    private static func asciiCompare(
        _ string: String, _ operand: String,
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Bool? {
        with(string) { x in
            with(operand) { y in
                guard isASCII(x), isASCII(y) else { return nil }
                return body(x, y)
            }
        }
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var combined: UInt8 = 0
        for byte in bytes { combined |= byte }
        return combined < 0x80
    }

    /// Whether `haystack` at `offset`, ASCII-lowercased, equals the lowercase `needle`.
    private static func lowerEqual(_ haystack: UnsafeBufferPointer<UInt8>, _ offset: Int, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < needle.count {
            var byte = haystack[offset + index]
            if byte >= 0x41, byte <= 0x5A { byte |= 0x20 }
            if byte != needle[index] { return false }
            index += 1
        }
        return true
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
