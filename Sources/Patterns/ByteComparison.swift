/// Byte-level string operations on contiguous UTF-8, as AWS's matcher works on bytes. Event
/// values arrive as byte buffers (from a `JSONDocument`); pattern operands are `String`s.
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

    static func hasPrefix(_ value: UnsafeBufferPointer<UInt8>, _ prefix: String) -> Bool {
        with(prefix) { y in value.count >= y.count && memoryEqual(value, 0, y) }
    }

    static func hasSuffix(_ value: UnsafeBufferPointer<UInt8>, _ suffix: String) -> Bool {
        with(suffix) { y in value.count >= y.count && memoryEqual(value, value.count - y.count, y) }
    }

    /// Case-insensitive comparisons against an already lowercased operand. ASCII text is
    /// compared byte by byte without allocating; other text is lowercased with Unicode rules.
    static func equalIgnoringCase(_ value: UnsafeBufferPointer<UInt8>, lowered operand: String) -> Bool {
        with(operand) { y in
            guard isASCII(value), isASCII(y) else { return equal(lowercased(value), operand) }
            return value.count == y.count && lowerEqual(value, 0, y)
        }
    }

    static func hasPrefixIgnoringCase(_ value: UnsafeBufferPointer<UInt8>, lowered operand: String) -> Bool {
        with(operand) { y in
            guard isASCII(value), isASCII(y) else { return lowercased(value).utf8.starts(with: operand.utf8) }
            return value.count >= y.count && lowerEqual(value, 0, y)
        }
    }

    static func hasSuffixIgnoringCase(_ value: UnsafeBufferPointer<UInt8>, lowered operand: String) -> Bool {
        with(operand) { y in
            guard isASCII(value), isASCII(y) else { return lowercased(value).utf8.reversed().starts(with: operand.utf8.reversed()) }
            return value.count >= y.count && lowerEqual(value, value.count - y.count, y)
        }
    }

    static func lowercased(_ value: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: value, as: UTF8.self).lowercased()
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
