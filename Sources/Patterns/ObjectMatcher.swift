import JSON

/// A pattern object while the compiler collects it.
struct ObjectBuilder {
    var fields: [ObjectMatcher.Field] = []
    var orGroups: [[ObjectMatcher]] = []
}

/// A compiled pattern object: every field must match, and in every `$or` group one alternative
/// must match, all against the same event object. A class, so matching walks the compiled tree
/// without copying it.
final class ObjectMatcher: Sendable {
    enum Body: Sendable {
        case object(ObjectMatcher)
        case leaf(LeafMatcher)
    }

    struct Field: Sendable {
        let key: String
        let body: Body
    }

    let fields: [Field]
    /// The fields' keys and bodies side by side, so matching reads them without copying fields.
    private let keys: [String]
    private let bodies: [Body]
    let orGroups: [[ObjectMatcher]]

    /// True when the object only asks for absences (`{"exists": false}` everywhere under it).
    /// Such an object is satisfied by an array only when no element has any of the fields, as in
    /// AWS, where an absence is absence from the whole array unless another field pinned one
    /// element.
    let isAbsenceOnly: Bool

    init(_ built: ObjectBuilder) {
        // Cheap, selective checks first: leaves before nested objects; `$or` groups come last.
        let leaves = built.fields.filter { if case .leaf = $0.body { true } else { false } }
        let objects = built.fields.filter { if case .object = $0.body { true } else { false } }
        fields = leaves + objects
        keys = fields.map(\.key)
        bodies = fields.map(\.body)
        orGroups = built.orGroups
        isAbsenceOnly = built.fields.allSatisfy { field in
            switch field.body {
            case .object(let object): object.isAbsenceOnly
            case .leaf(let leaf): leaf.isAbsenceOnly
            }
        } && built.orGroups.allSatisfy { group in group.allSatisfy(\.isAbsenceOnly) }
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
        for index in keys.indices {
            let value = object?[keys[index]]
            switch bodies[index] {
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
