/// A read-only parse of only the members a `JSONFieldTree` names, laid out flat in two arrays:
/// what the event-pattern matcher reads instead of a `JSONValue`.
///
/// Matching a bus's rules against a 1 KB event must cost a few microseconds. A `JSONValue` tree
/// costs an allocation per object, array and long string, plus string hashing per member
/// lookup. Here values are slots in one array, linked first-child/next-sibling; every member
/// is tagged with its field-tree node, so a matcher finds a member by comparing integers, and
/// strings are ranges of one copy of the text. Members the tree doesn't name are checked
/// for syntax and skipped; an object under a member with no named children has no members.
public struct JSONDocument: Sendable {
    public enum Kind: UInt8, Sendable {
        case null, bool, number, string, array, object
    }

    /// One value. `node` is the field-tree node of the member holding it (elements of an
    /// array share the array's node); `noNode` marks the root and members dropped as
    /// duplicates (the last duplicate key wins, as in a full parse).
    public struct Slot: Sendable {
        public internal(set) var kind: Kind
        public internal(set) var flag: Bool
        public internal(set) var node: Int32
        /// The next element or member of the same parent; `none` at the end.
        public internal(set) var next: Int32
        /// The first element or member of an array or object; `none` when empty.
        public internal(set) var first: Int32
        /// A string's bytes in `strings`. For an array or object parsed from text, its own text
        /// (in `strings`, which begins with the text); `count` 0 when built from a `JSONValue`.
        public internal(set) var start: Int32
        public internal(set) var count: Int32
        public internal(set) var number: Double

        init(kind: Kind, node: Int32, flag: Bool = false, number: Double = 0, start: Int32 = 0, count: Int32 = 0) {
            self.kind = kind
            self.flag = flag
            self.node = node
            self.next = JSONDocument.none
            self.first = JSONDocument.none
            self.start = start
            self.count = count
            self.number = number
        }
    }

    public static let none: Int32 = -1
    public static let noNode: Int32 = -1
    /// The document's top-level value.
    public static let root: Int32 = 0

    public internal(set) var slots: [Slot] = []
    /// The bytes string slots point into: a parse copies the whole text here once (a plain
    /// string is its bytes in the text) and appends the unescaped form of strings with escapes.
    public internal(set) var strings: [UInt8] = []

    init(capacity: Int) {
        slots.reserveCapacity(capacity)
    }

    /// Parses JSON text keeping the members `fields` names. Throws what a full parse throws:
    /// the whole text is checked.
    public init(parsing bytes: some Collection<UInt8>, keeping fields: JSONFieldTree) throws(JSONParseError) {
        var document = JSONDocument(capacity: max(16, bytes.count / 12))
        var failure: JSONParseError?
        let parsed: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            document.strings = Array(buffer)
            do throws(JSONParseError) {
                var parser = JSONParser(bytes: buffer)
                try parser.parseDocument(into: &document, keeping: fields)
            } catch { failure = error }
        }
        if parsed == nil {
            let copy = Array(bytes)
            document.strings = copy
            copy.withUnsafeBufferPointer { buffer in
                do throws(JSONParseError) {
                    var parser = JSONParser(bytes: buffer)
                    try parser.parseDocument(into: &document, keeping: fields)
                } catch { failure = error }
            }
        }
        if let failure { throw failure }
        self = document
    }

    /// The same from an array of bytes, which the document keeps as the start of `strings`
    /// instead of copying it: a live-stream batch is up to 512 KiB, 20 a second, and its copy
    /// (with the fresh pages it touched) was a tenth of what parsing it cost. The array is
    /// shared, not copied, until a string with escapes is kept (then `strings` is copied once,
    /// as the other initializer always does). Its slots are the last recycled document's
    /// (`recycle`) when there is one.
    public init(parsing bytes: [UInt8], keeping fields: JSONFieldTree) throws(JSONParseError) {
        var document = JSONDocument(capacity: 0)
        document.slots = Self.freshSlots(capacity: max(16, bytes.count / 12))
        document.strings = bytes
        var failure: JSONParseError?
        bytes.withUnsafeBufferPointer { buffer in
            do throws(JSONParseError) {
                var parser = JSONParser(bytes: buffer)
                try parser.parseDocument(into: &document, keeping: fields)
            } catch { failure = error }
        }
        if let failure { throw failure }
        self = document
    }

    /// The same document built from a value already parsed (console filters, stream subjects).
    public init(_ value: JSONValue, keeping fields: JSONFieldTree) {
        self.init(capacity: 16)
        var dottedMembers: [DottedMember] = []
        append(value, node: Self.noNode, tree: fields, treeNode: JSONFieldTree.root, hasMembers: true,
               dottedMembers: &dottedMembers)
        if !dottedMembers.isEmpty { nest(dottedMembers) }
    }

    /// The bytes of a string slot, valid while `body` runs.
    @inlinable
    public func withBytes<R>(of slot: Slot, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        strings.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[Int(slot.start)..<Int(slot.start + slot.count)]))
        }
    }

    /// The JSON text of an array or object slot, all of it (members the tree skipped too), when
    /// the document was parsed from text; nil for other slots and for documents built from values.
    public func text(of slot: Int32) -> ArraySlice<UInt8>? {
        let value = slots[Int(slot)]
        guard value.kind == .array || value.kind == .object, value.count > 0 else { return nil }
        return strings[Int(value.start)..<Int(value.start + value.count)]
    }

    /// A string slot's text; nil when the slot is not a string.
    public func string(_ slot: Int32) -> String? {
        let value = slots[Int(slot)]
        guard value.kind == .string else { return nil }
        return withBytes(of: value) { String(decoding: $0, as: UTF8.self) }
    }

    /// A slot as a `JSONValue` (objects hold their kept members only): for tests and display.
    public func value(_ slot: Int32, tree: JSONFieldTree) -> JSONValue {
        let value = slots[Int(slot)]
        switch value.kind {
        case .null: return .null
        case .bool: return .bool(value.flag)
        case .number: return .number(value.number)
        case .string: return .string(withBytes(of: value) { String(decoding: $0, as: UTF8.self) })
        case .array, .object:
            var elements: [JSONValue] = []
            var members = JSONObject()
            var child = value.first
            while child != Self.none {
                let node = slots[Int(child)].node
                if value.kind == .array {
                    elements.append(self.value(child, tree: tree))
                } else if node != Self.noNode {
                    members[tree.name(of: Int(node))] = self.value(child, tree: tree)
                }
                child = slots[Int(child)].next
            }
            return value.kind == .array ? .array(elements) : .object(members)
        }
    }

    /// The member of object slot `object` tagged `node`, if any.
    @inlinable
    public func member(_ object: Int32, node: Int32) -> Int32? {
        var child = slots[Int(object)].first
        while child != Self.none {
            if slots[Int(child)].node == node { return child }
            child = slots[Int(child)].next
        }
        return nil
    }

    /// Appends a slot as the next child of `parent` after `previous` (`none` for the first).
    @inline(__always)
    mutating func link(_ slot: Slot, parent: Int32, previous: Int32) -> Int32 {
        let index = Int32(slots.count)
        slots.append(slot)
        if previous == Self.none {
            if parent != Self.none { slots[Int(parent)].first = index }
        } else {
            slots[Int(previous)].next = index
        }
        return index
    }

    /// Drops an earlier member with the same key: its slots (contiguous, up to its next
    /// sibling) lose their nodes, so neither lookups nor the index see them.
    mutating func retire(member: Int32) {
        let next = slots[Int(member)].next
        let end = next == Self.none ? slots.count : Int(next)
        for index in Int(member)..<end { slots[index].node = Self.noNode }
    }

    /// Appends `value` under `parent` after `previous`; returns its slot. Members named with
    /// dots that the tree re-keys are collected in `dottedMembers`, for `nest`.
    @discardableResult
    private mutating func append(_ value: JSONValue, node: Int32, tree: JSONFieldTree, treeNode: Int,
                                 hasMembers: Bool, parent: Int32 = JSONDocument.none,
                                 previous: Int32 = JSONDocument.none,
                                 dottedMembers: inout [DottedMember]) -> Int32 {
        switch value {
        case .null:
            return link(Slot(kind: .null, node: node), parent: parent, previous: previous)
        case .bool(let flag):
            return link(Slot(kind: .bool, node: node, flag: flag), parent: parent, previous: previous)
        case .number(let number):
            return link(Slot(kind: .number, node: node, number: number), parent: parent, previous: previous)
        case .string(let string):
            let start = Int32(strings.count)
            strings.append(contentsOf: string.utf8)
            return link(Slot(kind: .string, node: node, start: start, count: Int32(strings.count) - start),
                        parent: parent, previous: previous)
        case .array(let elements):
            let array = link(Slot(kind: .array, node: node), parent: parent, previous: previous)
            var last = Self.none
            for element in elements {
                last = append(element, node: node, tree: tree, treeNode: treeNode, hasMembers: hasMembers,
                              parent: array, previous: last, dottedMembers: &dottedMembers)
            }
            return array
        case .object(let members):
            let object = link(Slot(kind: .object, node: node), parent: parent, previous: previous)
            guard hasMembers else { return object }
            var last = Self.none
            for (key, member) in members {
                // As in the text parse: `pending` is the member's entry in `dottedMembers` when
                // its name is a dotted path, else -1, and the rare case is out of the loop. The
                // name's own UTF-8 is read in place (no array per member).
                var name = key
                let (named, pending) = name.withUTF8 { key -> (Int?, Int) in
                    if let child = tree.lookup(treeNode, key) { return (child, -1) }
                    guard tree.mayStartDottedPath(treeNode, key) else { return (nil, -1) }
                    return Self.fileDottedMember(key, tree: tree, treeNode: treeNode, object: object,
                                                 dottedMembers: &dottedMembers)
                }
                guard let child = named else { continue }
                last = append(member, node: Int32(child), tree: tree, treeNode: child,
                              hasMembers: tree.hasMembers(child), parent: object, previous: last,
                              dottedMembers: &dottedMembers)
                if pending >= 0 { Self.finishDottedMember(at: pending, slot: last, dottedMembers: &dottedMembers) }
            }
            return object
        }
    }
}
