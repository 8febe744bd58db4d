/// A compiled `wildcard` operand: literal byte runs separated by `*`, matched on UTF-8 bytes as
/// AWS matches them. `\*` is a literal star and `\\` a literal backslash.
struct Wildcard: Hashable, Sendable {
    /// The literal runs between stars, in order.
    let segments: [[UInt8]]
    let leadingStar: Bool
    let trailingStar: Bool

    /// Refuses what AWS refuses: consecutive stars and a backslash escaping anything but `*` or
    /// `\`. Positions count bytes from 1, as AWS's messages do (its operand starts after a quote).
    init(parsing text: String) throws(PatternFault) {
        let bytes = Array(text.utf8)
        var segments: [[UInt8]] = []
        var current: [UInt8] = []
        var leading = false
        var trailing = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "*") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                    throw PatternFault("Consecutive wildcard characters at pos \(index + 1)")
                }
                if index == 0 { leading = true } else { segments.append(current) }
                current = []
                trailing = index == bytes.count - 1
                index += 1
            } else if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count,
                      bytes[index + 1] == UInt8(ascii: "*") || bytes[index + 1] == UInt8(ascii: "\\")
                else { throw PatternFault("Invalid escape character at pos \(index + 1)") }
                current.append(bytes[index + 1])
                index += 2
            } else {
                current.append(byte)
                index += 1
            }
        }
        if !trailing { segments.append(current) }
        self.leadingStar = leading
        self.trailingStar = trailing
        self.segments = segments
    }

    func matches(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { matches(bytes: $0) }
    }

    func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if !leadingStar && !trailingStar && segments.count == 1 {
            return bytes.elementsEqual(segments[0])
        }
        var runs = segments[...]
        var start = 0
        var end = bytes.count
        if !leadingStar, let first = runs.first {
            guard bytes.count >= first.count, bytes[0..<first.count].elementsEqual(first) else { return false }
            start = first.count
            runs = runs.dropFirst()
        }
        if !trailingStar, let last = runs.last {
            guard end - start >= last.count, bytes[(end - last.count)..<end].elementsEqual(last) else { return false }
            end -= last.count
            runs = runs.dropLast()
        }
        // Each remaining run floats between stars: leftmost placement is always safe.
        for run in runs where !run.isEmpty {
            guard let found = Wildcard.find(run, in: bytes, from: start, to: end) else { return false }
            start = found + run.count
        }
        return start <= end
    }

    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        let count = needle.count
        guard to - from >= count else { return nil }
        let first = needle[0]
        var index = from
        while index <= to - count {
            if haystack[index] == first {
                var offset = 1
                while offset < count, haystack[index + offset] == needle[offset] { offset += 1 }
                if offset == count { return index }
            }
            index += 1
        }
        return nil
    }
}
