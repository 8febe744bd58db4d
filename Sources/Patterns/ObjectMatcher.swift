import JSON

/// A pattern object while the compiler collects it.
struct ObjectBuilder {
    var fields: [ObjectMatcher.Field] = []
    var orGroups: [[ObjectMatcher]] = []
}

/// A compiled pattern object: every field must match, and in every `$or` group one alternative
/// must match, all against the same event object. Matching happens on a `BoundMatcher`, this
/// object with its keys resolved to the nodes of a field tree.
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
        orGroups = built.orGroups
        isAbsenceOnly = built.fields.allSatisfy { field in
            switch field.body {
            case .object(let object): object.isAbsenceOnly
            case .leaf(let leaf): leaf.isAbsenceOnly
            }
        } && built.orGroups.allSatisfy { group in group.allSatisfy(\.isAbsenceOnly) }
    }
}
