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
    case strings(Set<UTF8Key>)
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
    let strings: Set<UTF8Key>
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

    func matches(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let string):
            if !strings.isEmpty, strings.contains(UTF8Key(string)) { return true }
            if !addresses.isEmpty, let address = IPAddress(string), addresses.contains(address) { return true }
        case .number(let number):
            if !numbers.isEmpty, numbers.contains(number) { return true }
        case .null:
            if matchesNull { return true }
        case .bool(let flag):
            if flag ? matchesTrue : matchesFalse { return true }
        case .array, .object:
            return false
        }
        if tests.isEmpty { return false }
        var lowered: String? = nil
        for test in tests where LeafMatcher.passes(test, value, &lowered) { return true }
        return false
    }

    private static func lower(_ string: String, _ cache: inout String?) -> String {
        if let cache { return cache }
        let result = string.lowercased()
        cache = result
        return result
    }

    private static func passes(_ test: ValueTest, _ value: JSONValue, _ lowered: inout String?) -> Bool {
        switch test {
        case .exists:
            return true
        case .prefix(let prefix):
            guard case .string(let string) = value else { return false }
            return Bytes.hasPrefix(string, prefix)
        case .suffix(let suffix):
            guard case .string(let string) = value else { return false }
            return Bytes.hasSuffix(string, suffix)
        case .prefixIgnoringCase(let prefix):
            guard case .string(let string) = value else { return false }
            return Bytes.hasPrefixIgnoringCase(string, lowered: prefix)
        case .suffixIgnoringCase(let suffix):
            guard case .string(let string) = value else { return false }
            return Bytes.hasSuffixIgnoringCase(string, lowered: suffix)
        case .equalsIgnoringCase(let expected):
            guard case .string(let string) = value else { return false }
            return Bytes.equalIgnoringCase(string, lowered: expected)
        case .wildcard(let wildcard):
            guard case .string(let string) = value else { return false }
            return wildcard.matches(string)
        case .numeric(let range):
            guard case .number(let number) = value else { return false }
            return range.contains(number)
        case .cidr(let range):
            guard case .string(let string) = value, let address = IPAddress(string) else { return false }
            return range.contains(address)
        case .anythingBut(let excluded):
            return !excludes(excluded, value, &lowered)
        }
    }

    /// Whether `anything-but`'s inner test matches the value (so the value is excluded).
    private static func excludes(_ excluded: AnythingBut, _ value: JSONValue, _ lowered: inout String?) -> Bool {
        switch excluded {
        case .numbers(let numbers):
            guard case .number(let number) = value else { return false }
            return numbers.contains(number)
        case .strings(let strings):
            guard case .string(let string) = value else { return false }
            return strings.contains(UTF8Key(string))
        case .prefixes(let prefixes):
            guard case .string(let string) = value else { return false }
            return prefixes.contains { Bytes.hasPrefix(string, $0) }
        case .suffixes(let suffixes):
            guard case .string(let string) = value else { return false }
            return suffixes.contains { Bytes.hasSuffix(string, $0) }
        case .ignoringCase(let values):
            guard case .string(let string) = value else { return false }
            return values.contains(lower(string, &lowered))
        case .wildcards(let wildcards):
            guard case .string(let string) = value else { return false }
            return wildcards.contains { $0.matches(string) }
        }
    }
}
