/// Re-keying members whose names hold dots to the nested paths they spell, for trees that join
/// dotted keys (`JSONFieldTree.joinsDottedKeys`): `{"detail.state": "x"}` reads as
/// `{"detail": {"state": "x"}}`, merged with whatever `detail` the event also has. Only events
/// with such a member pay for it; the parse finds them while it looks members up.
extension JSONDocument {
    /// A member of `object` named "n1.n2.….nk" whose value sits in `slot`, already tagged with
    /// node nk; `path` holds n1 … n(k-1), the objects it belongs under.
    struct DottedMember: Sendable {
        var object: Int32
        var slot: Int32
        var path: [Int32]
    }

    /// For a member of `object` the tree does not name: when its name is a dotted path the tree
    /// names, files it in `dottedMembers` (tagged with the path's last node; its slot is set by
    /// `finishDottedMember` once its value is built) and answers that node and the entry's
    /// position; (nil, -1) otherwise. Rare, so kept out of the member loops that call it.
    @inline(never)
    static func fileDottedMember(_ key: UnsafeBufferPointer<UInt8>, tree: JSONFieldTree, treeNode: Int, object: Int32,
                                 dottedMembers: inout [DottedMember]) -> (Int?, Int) {
        guard let path = tree.dottedPath(treeNode, key) else { return (nil, -1) }
        dottedMembers.append(DottedMember(object: object, slot: none, path: Array(path.dropLast())))
        return (Int(path[path.count - 1]), dottedMembers.count - 1)
    }

    /// Records the slot of the member filed at `position`. It was filed before its value, so the
    /// dotted members inside the value came after it: moved to the end, the list keeps the order
    /// members finished in, which `nest` needs.
    static func finishDottedMember(at position: Int, slot: Int32, dottedMembers: inout [DottedMember]) {
        var member = dottedMembers.remove(at: position)
        member.slot = slot
        dottedMembers.append(member)
    }

    /// Moves each dotted member under its path. `members` comes in the order the parse
    /// finished them (a member's inner dotted members before it), so a member's object still
    /// holds it when its turn comes.
    mutating func nest(_ members: [DottedMember]) {
        for member in members where slots[Int(member.slot)].node != Self.noNode {
            guard unlink(member.slot, from: member.object) else { continue }
            // The value wrapped in one new object per name of its path, innermost first...
            var wrapped = member.slot
            for node in member.path.reversed() {
                var object = Slot(kind: .object, node: node)
                object.first = wrapped
                wrapped = Int32(slots.count)
                slots.append(object)
            }
            // ...then merged into the object that held it.
            attach(wrapped, to: member.object)
        }
    }

    /// Takes `slot` out of `object`'s members; false when it is not one of them.
    private mutating func unlink(_ slot: Int32, from object: Int32) -> Bool {
        var previous = Self.none
        var child = slots[Int(object)].first
        while child != Self.none, child != slot {
            previous = child
            child = slots[Int(child)].next
        }
        guard child == slot else { return false }
        if previous == Self.none {
            slots[Int(object)].first = slots[Int(slot)].next
        } else {
            slots[Int(previous)].next = slots[Int(slot)].next
        }
        slots[Int(slot)].next = Self.none
        return true
    }

    /// Adds the lone slot `slot` (a member tagged with its node) to `object`. When `object`
    /// already has that member, two objects merge member by member, as the flattened paths AWS
    /// matches would; otherwise both values are kept as elements of one array, which matching
    /// treats as either value being there.
    private mutating func attach(_ slot: Int32, to object: Int32) {
        let added = slots[Int(slot)]
        guard let existing = member(object, node: added.node) else {
            slots[Int(slot)].next = slots[Int(object)].first
            slots[Int(object)].first = slot
            return
        }
        let kept = slots[Int(existing)]
        if kept.kind == .object, added.kind == .object {
            var child = added.first
            while child != Self.none {
                let next = slots[Int(child)].next
                slots[Int(child)].next = Self.none
                attach(child, to: existing)
                child = next
            }
            return
        }
        if kept.kind == .array {
            // Elements of an array share its node; the new value becomes the last element.
            var last = kept.first
            if last == Self.none {
                slots[Int(existing)].first = slot
                return
            }
            while slots[Int(last)].next != Self.none { last = slots[Int(last)].next }
            slots[Int(last)].next = slot
            return
        }
        // A single value: it and the new one become the elements of a new array in its place.
        var array = Slot(kind: .array, node: added.node)
        array.first = existing
        array.next = kept.next
        let arraySlot = Int32(slots.count)
        slots.append(array)
        replace(existing, with: arraySlot, in: object)
        slots[Int(existing)].next = slot
    }

    /// Puts `replacement` where `slot` was among `object`'s members.
    private mutating func replace(_ slot: Int32, with replacement: Int32, in object: Int32) {
        if slots[Int(object)].first == slot {
            slots[Int(object)].first = replacement
            return
        }
        var child = slots[Int(object)].first
        while slots[Int(child)].next != slot { child = slots[Int(child)].next }
        slots[Int(child)].next = replacement
    }
}
