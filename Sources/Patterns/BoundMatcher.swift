import JSON

/// A pattern object bound to a field tree: its keys are the tree's node numbers, so matching a
/// `JSONDocument` parsed with that tree compares integers, never strings. Rules of one router
/// share one tree; a lone `EventPattern` has its own.
///
/// AWS matches dot-joined paths, so an event may spell the pattern path `a → b` as nested
/// members or as one member named "a.b" (aws/event-ruler flattens events and rules to such
/// paths). Patterns are bound to nested paths only (the compiler splits dotted pattern keys);
/// the document parse re-keys an event's dotted members to the nested paths they spell
/// (`JSONFieldTree.joinsDottedKeys`), so the matcher sees one spelling and pays nothing for
/// the others on events without a dotted key.
final class BoundMatcher: Sendable {
    /// Leaf fields (cheap, selective) are checked before nested objects, `$or` groups last.
    private let leafNodes: [Int32]
    private let leaves: [LeafMatcher]
    private let objectNodes: [Int32]
    private let objects: [BoundMatcher]
    private let orGroups: [[BoundMatcher]]
    let isAbsenceOnly: Bool

    /// Binds `object`, which sits at `node` of `tree`, adding the members it reads to the tree.
    init(_ object: ObjectMatcher, tree: inout JSONFieldTree, node: Int) {
        var leafNodes: [Int32] = [], leaves: [LeafMatcher] = []
        var objectNodes: [Int32] = [], objects: [BoundMatcher] = []
        for field in object.fields {
            let child = tree.child(field.key, of: node)
            switch field.body {
            case .object(let nested):
                objectNodes.append(Int32(child))
                objects.append(BoundMatcher(nested, tree: &tree, node: child))
            case .leaf(let leaf):
                leafNodes.append(Int32(child))
                leaves.append(leaf)
            }
        }
        // `$or` alternatives read members of the object they sit in.
        var groups: [[BoundMatcher]] = []
        for group in object.orGroups {
            var bound: [BoundMatcher] = []
            for alternative in group { bound.append(BoundMatcher(alternative, tree: &tree, node: node)) }
            groups.append(bound)
        }
        self.orGroups = groups
        self.leafNodes = leafNodes
        self.leaves = leaves
        self.objectNodes = objectNodes
        self.objects = objects
        self.isAbsenceOnly = object.isAbsenceOnly
    }

    /// Matches this object against the value in `slot` (nil when the member is missing).
    /// Arrays are crushed: any element may match (array-consistently, since one element is
    /// chosen for all of this object's fields); an empty array or a scalar has no fields.
    func matches(_ document: JSONDocument, _ slot: Int32?) -> Bool {
        guard let slot else { return matchesFields(document, nil) }
        let value = document.slots[Int(slot)]
        switch value.kind {
        case .object:
            return matchesFields(document, slot)
        case .array:
            var element = value.first
            if element == JSONDocument.none { return matchesFields(document, nil) }
            while element != JSONDocument.none {
                let matched = matches(document, element)
                if isAbsenceOnly, !matched { return false }
                if !isAbsenceOnly, matched { return true }
                element = document.slots[Int(element)].next
            }
            return isAbsenceOnly
        default:
            return matchesFields(document, nil)
        }
    }

    private func matchesFields(_ document: JSONDocument, _ object: Int32?) -> Bool {
        for index in leafNodes.indices {
            let value = object.flatMap { document.member($0, node: leafNodes[index]) }
            if !BoundMatcher.leafMatches(leaves[index], document, value) { return false }
        }
        for index in objectNodes.indices {
            let value = object.flatMap { document.member($0, node: objectNodes[index]) }
            if !objects[index].matches(document, value) { return false }
        }
        for group in orGroups where !group.contains(where: { $0.matchesFields(document, object) }) {
            return false
        }
        return true
    }

    /// A leaf field matches when any leaf value under it (arrays flattened, nested objects
    /// ignored: they are not leaves) is accepted, or, with `exists: false`, when there is none.
    private static func leafMatches(_ leaf: LeafMatcher, _ document: JSONDocument, _ slot: Int32?) -> Bool {
        guard let slot else { return leaf.matchesAbsence }
        var sawLeaf = false
        if anyLeaf(document, slot, leaf, &sawLeaf) { return true }
        return !sawLeaf && leaf.matchesAbsence
    }

    private static func anyLeaf(_ document: JSONDocument, _ slot: Int32, _ leaf: LeafMatcher, _ sawLeaf: inout Bool) -> Bool {
        let value = document.slots[Int(slot)]
        switch value.kind {
        case .array:
            var element = value.first
            while element != JSONDocument.none {
                if anyLeaf(document, element, leaf, &sawLeaf) { return true }
                element = document.slots[Int(element)].next
            }
            return false
        case .object:
            return false
        default:
            sawLeaf = true
            return leaf.matches(document, value)
        }
    }
}
