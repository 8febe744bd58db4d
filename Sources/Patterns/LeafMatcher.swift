import JSON

/// A numeric range from a `numeric` operand. Bounds are float64 over the whole range; an open
/// side is infinite.
struct NumericRange: Hashable, Sendable {
    var lower = -Double.infinity
    var lowerInclusive = false
    var upper = Double.infinity
    var upperInclusive = false

    func contains(_ value: Double) -> Bool {
        (lowerInclusive ? value >= lower : value > lower) && (upperInclusive ? value <= upper : value < upper)
    }
}

/// The forms `anything-but` takes. Each excludes what its inner test matches; every other leaf
/// value (of any JSON type) matches, as in AWS.
enum AnythingBut: Hashable, Sendable {
    case strings(ByteStringTable)
    case numbers(Set<Double>)
    case prefixes([String])
    case suffixes([String])
    /// Lowercased.
    case ignoringCase(Set<String>)
    case wildcards([Wildcard])
}

/// One test on a single leaf value that is not a plain equality.
enum ValueTest: Hashable, Sendable {
    case prefix(String)
    /// Lowercased.
    case prefixIgnoringCase(String)
    case suffix(String)
    /// Lowercased.
    case suffixIgnoringCase(String)
    /// Lowercased.
    case equalsIgnoringCase(String)
    case wildcard(Wildcard)
    case numeric(NumericRange)
    case cidr(CIDRRange)
    case anythingBut(AnythingBut)
    /// `{"exists": true}`: any leaf value at all.
    case exists
}

/// What one pattern field's array (`"state": ["a", {"prefix": "b"}, …]`) accepts, while the
/// compiler collects it.
struct LeafBuilder {
    var strings: Set<UTF8Key> = []
    var numbers: Set<Double> = []
    var addresses: Set<IPAddress> = []
    var matchesNull = false
    var matchesTrue = false
    var matchesFalse = false
    var tests: [ValueTest] = []
    var matchesAbsence = false
}

/// What one pattern field's array accepts, compiled: a leaf value matches when any entry
/// accepts it. Equalities sit in hash sets so long value lists stay cheap. A class, so the
/// matcher walks the compiled tree without copying sets.
final class LeafMatcher: Sendable {
    /// The exact strings, for the router's index.
    let strings: Set<UTF8Key>
    /// The same, probed with an event value's bytes.
    private let exactStrings: ByteStringTable
    let numbers: Set<Double>
    /// String literals in the pattern that are IP addresses match any spelling of that address.
    let addresses: Set<IPAddress>
    let matchesNull: Bool
    let matchesTrue: Bool
    let matchesFalse: Bool
    let tests: [ValueTest]
    /// `{"exists": false}` is present: the field matches when it has no leaf value.
    let matchesAbsence: Bool
    /// True when the entry list holds nothing but `{"exists": false}`.
    let isAbsenceOnly: Bool
    /// True when only exact string literals are accepted (the router can index those).
    let isExactStringsOnly: Bool

    init(_ built: LeafBuilder) {
        strings = built.strings
        exactStrings = ByteStringTable(built.strings)
        numbers = built.numbers
        addresses = built.addresses
        matchesNull = built.matchesNull
        matchesTrue = built.matchesTrue
        matchesFalse = built.matchesFalse
        tests = built.tests
        matchesAbsence = built.matchesAbsence
        let noValues = built.strings.isEmpty && built.numbers.isEmpty && built.addresses.isEmpty
            && !built.matchesNull && !built.matchesTrue && !built.matchesFalse && built.tests.isEmpty
        isAbsenceOnly = built.matchesAbsence && noValues
        isExactStringsOnly = !built.strings.isEmpty && built.numbers.isEmpty && built.addresses.isEmpty
            && !built.matchesNull && !built.matchesTrue && !built.matchesFalse && built.tests.isEmpty
            && !built.matchesAbsence
    }

    /// Whether the leaf value in `slot` (a scalar) is accepted.
    func matches(_ document: JSONDocument, _ slot: JSONDocument.Slot) -> Bool {
        switch slot.kind {
        case .string:
            return document.withBytes(of: slot) { bytes in matches(string: bytes) }
        case .number:
            if !numbers.isEmpty, numbers.contains(slot.number) { return true }
        case .null:
            if matchesNull { return true }
        case .bool:
            if slot.flag ? matchesTrue : matchesFalse { return true }
        case .array, .object:
            return false
        }
        for test in tests where LeafMatcher.passes(test, slot) { return true }
        return false
    }

    private func matches(string bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if !exactStrings.isEmpty, exactStrings.contains(bytes) { return true }
        if !addresses.isEmpty, let address = IPAddress(bytes: bytes), addresses.contains(address) { return true }
        for test in tests where LeafMatcher.passes(test, string: bytes) { return true }
        return false
    }

    /// A test on a number, boolean or null (string tests never pass these).
    private static func passes(_ test: ValueTest, _ slot: JSONDocument.Slot) -> Bool {
        switch test {
        case .exists:
            return true
        case .numeric(let range):
            return slot.kind == .number && range.contains(slot.number)
        case .anythingBut(let excluded):
            if case .numbers(let numbers) = excluded, slot.kind == .number { return !numbers.contains(slot.number) }
            return true
        default:
            return false
        }
    }

    private static func passes(_ test: ValueTest, string value: UnsafeBufferPointer<UInt8>) -> Bool {
        switch test {
        case .exists: true
        case .prefix(let prefix): Bytes.hasPrefix(value, prefix)
        case .suffix(let suffix): Bytes.hasSuffix(value, suffix)
        case .prefixIgnoringCase(let prefix): Bytes.hasPrefixIgnoringCase(value, lowered: prefix)
        case .suffixIgnoringCase(let suffix): Bytes.hasSuffixIgnoringCase(value, lowered: suffix)
        case .equalsIgnoringCase(let expected): Bytes.equalIgnoringCase(value, lowered: expected)
        case .wildcard(let wildcard): wildcard.matches(bytes: value)
        case .numeric: false
        case .cidr(let range): IPAddress(bytes: value).map(range.contains) ?? false
        case .anythingBut(let excluded): !excludes(excluded, string: value)
        }
    }

    /// Whether `anything-but`'s inner test matches a string (so the value is excluded).
    private static func excludes(_ excluded: AnythingBut, string value: UnsafeBufferPointer<UInt8>) -> Bool {
        switch excluded {
        case .numbers: false
        case .strings(let strings): strings.contains(value)
        case .prefixes(let prefixes): prefixes.contains { Bytes.hasPrefix(value, $0) }
        case .suffixes(let suffixes): suffixes.contains { Bytes.hasSuffix(value, $0) }
        case .ignoringCase(let values): values.contains(Bytes.lowercased(value))
        case .wildcards(let wildcards): wildcards.contains { $0.matches(bytes: value) }
        }
    }

}
