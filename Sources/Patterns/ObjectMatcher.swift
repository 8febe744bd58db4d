import JSON

/// A compiled pattern object: every field must match, and in every `$or` group one alternative
/// must match, all against the same event object.
struct ObjectMatcher: Hashable, Sendable {
    enum Body: Hashable, Sendable {
        case object(ObjectMatcher)
        case leaf(LeafMatcher)
    }

    struct Field: Hashable, Sendable {
        let key: String
        let body: Body
    }

    var fields: [Field] = []
    var orGroups: [[ObjectMatcher]] = []

    /// True when the object only asks for absences (`{"exists": false}` everywhere under it).
    /// Such an object is satisfied by an array only when no element has any of the fields, as in
    /// AWS, where an absence is absence from the whole array unless another field pinned one
    /// element.
    private(set) var isAbsenceOnly = false

    mutating func finish() {
        isAbsenceOnly = fields.allSatisfy { field in
            switch field.body {
            case .object(let object): object.isAbsenceOnly
            case .leaf(let leaf): leaf.isAbsenceOnly
            }
        } && orGroups.allSatisfy { group in group.allSatisfy(\.isAbsenceOnly) }
    }

    /// Matches this object against the event value found at its path (nil when missing).
    /// Arrays are crushed: any element may match (array-consistently, since one element is
    /// chosen for all of this object's fields); an empty array or a scalar has no fields.
    func matches(_ value: JSONValue?) -> Bool {
        switch value {
        case .object(let object)?:
            return matchesFields(object)
        case .array(let elements)?:
            if elements.isEmpty { return matchesFields(nil) }
            if isAbsenceOnly { return elements.allSatisfy { matches($0) } }
            return elements.contains { matches($0) }
        default:
            return matchesFields(nil)
        }
    }

    private func matchesFields(_ object: JSONObject?) -> Bool {
        for field in fields {
            let value = object?[field.key]
            switch field.body {
            case .object(let nested):
                if !nested.matches(value) { return false }
            case .leaf(let leaf):
                if !ObjectMatcher.leafMatches(leaf, value) { return false }
            }
        }
        for group in orGroups {
            if !group.contains(where: { $0.matchesFields(object) }) { return false }
        }
        return true
    }

    /// A leaf field matches when any leaf value under it (arrays flattened, nested objects
    /// ignored: they are not leaves) is accepted, or, with `exists: false`, when there is none.
    static func leafMatches(_ leaf: LeafMatcher, _ value: JSONValue?) -> Bool {
        guard let value else { return leaf.matchesAbsence }
        var sawLeaf = false
        if anyLeaf(value, leaf, &sawLeaf) { return true }
        return !sawLeaf && leaf.matchesAbsence
    }

    private static func anyLeaf(_ value: JSONValue, _ leaf: LeafMatcher, _ sawLeaf: inout Bool) -> Bool {
        switch value {
        case .array(let elements):
            for element in elements where anyLeaf(element, leaf, &sawLeaf) { return true }
            return false
        case .object:
            return false
        default:
            sawLeaf = true
            return leaf.matches(value)
        }
    }
}
