import JSON

/// Many event patterns under ids, answering "which of them match this event" without trying
/// every pattern: the bus router holds one per event bus.
///
/// Most rules pin a field to exact strings (`"source": ["orders"]`, `"detail-type": [...]`).
/// The index files each such rule under its most selective pinned field and value, so an event
/// only meets the rules filed under its own values, plus the few rules that pin nothing; each
/// candidate is then matched in full, so answers never differ from `EventPattern.matches`.
/// Mutations refile every rule (microseconds per rule): rules change rarely, events often.
public struct PatternIndex<ID: Hashable & Sendable>: Sendable {
    @usableFromInline var ids: [ID] = []
    private var patterns: [EventPattern] = []
    private var positions: [ID: Int] = [:]
    @usableFromInline var table = RuleTable(roots: [])

    public init() {}

    /// Builds an index over `(id, pattern)` pairs; a later pair replaces an earlier one's id.
    public init(_ entries: some Sequence<(ID, EventPattern)>) {
        for (id, pattern) in entries { store(pattern, for: id) }
        rebuild()
    }

    public var count: Int { ids.count }
    public var isEmpty: Bool { ids.isEmpty }
    /// The ids in insertion order.
    public var allIDs: [ID] { ids }

    public func pattern(for id: ID) -> EventPattern? {
        positions[id].map { patterns[$0] }
    }

    /// Adds a rule, or replaces the pattern of an id already present (keeping its place).
    public mutating func insert(_ pattern: EventPattern, for id: ID) {
        store(pattern, for: id)
        rebuild()
    }

    /// Removes a rule; false when the id was not there.
    @discardableResult
    public mutating func remove(_ id: ID) -> Bool {
        guard let position = positions.removeValue(forKey: id) else { return false }
        ids.remove(at: position)
        patterns.remove(at: position)
        for index in position..<ids.count { positions[ids[index]] = index }
        rebuild()
        return true
    }

    /// The ids of the rules the event matches, in insertion order.
    public func matches(_ event: JSONValue) -> [ID] {
        matches(document: JSONDocument(event, keeping: table.fields))
    }

    /// Parses the event text and answers as `matches(_:)` does, reading only the fields some
    /// rule reads (`fields`): the fast way in when the event arrives as text. Throws when the
    /// text is not JSON.
    @inlinable
    public func matches(eventText: String) throws(JSONParseError) -> [ID] {
        try matches(eventBytes: eventText.utf8)
    }

    @inlinable
    public func matches(eventBytes: some Collection<UInt8>) throws(JSONParseError) -> [ID] {
        matches(document: try JSONDocument(parsing: eventBytes, keeping: table.fields))
    }

    /// Matches an event already parsed with `fields`.
    @inlinable
    public func matches(document: JSONDocument) -> [ID] {
        let positions = table.matchingPositions(document)
        var result: [ID] = []
        result.reserveCapacity(positions.count)
        for position in positions { result.append(ids[position]) }
        return result
    }

    /// The members of an event any rule here reads: a `JSONDocument` keeping only these is
    /// enough to match.
    public var fields: JSONFieldTree { table.fields }

    /// How many rules pin no exact field and so are tried on every event. Shown by the
    /// benchmark; useful for spotting buses whose rules defeat the index.
    public var unfiledCount: Int { table.unfiled.count }

    private mutating func store(_ pattern: EventPattern, for id: ID) {
        if let position = positions[id] {
            patterns[position] = pattern
        } else {
            positions[id] = ids.count
            ids.append(id)
            patterns.append(pattern)
        }
    }

    private mutating func rebuild() {
        table = RuleTable(roots: patterns.map(\.root))
    }
}

/// The index proper, by rule position. Not generic, so it is compiled once, specialised, in
/// this module, whatever the caller's id type.
@usableFromInline
final class RuleTable: Sendable {
    /// Rules filed under one field: event value → rule positions.
    struct ValueTable: Sendable {
        var values = ByteStringTable()
        var rules: [[Int]] = []

        mutating func file(_ value: UTF8Key, rule: Int) {
            let position = values.insert(Array(value.string.utf8))
            if position == rules.count { rules.append([]) }
            rules[position].append(rule)
        }
    }

    let roots: [BoundMatcher]
    /// Every member any rule reads; documents are parsed with it.
    @usableFromInline let fields: JSONFieldTree
    let tables: [ValueTable]
    /// Per field-tree node: its table in `tables`, or -1.
    let tableByNode: [Int]
    /// Rules that pin no field to exact strings: tried for every event.
    let unfiled: [Int]

    /// Files each rule under the pinned field whose values are shared by the fewest other
    /// rules, so a bus where every rule says `"source": ["shop"]` still spreads its rules by
    /// `detail-type`.
    init(roots: [ObjectMatcher]) {
        var tree = JSONFieldTree(joiningDottedKeys: true)
        self.roots = roots.map { BoundMatcher($0, tree: &tree, node: JSONFieldTree.root) }
        let keysByRule = roots.map { RuleTable.pinnedFields($0) }
        var sharing: [[String]: [UTF8Key: Int]] = [:]
        for keys in keysByRule {
            for (path, values) in keys {
                for value in values { sharing[path, default: [:]][value, default: 0] += 1 }
            }
        }
        var tableByNode: [Int: Int] = [:]
        var tables: [ValueTable] = []
        var unfiled: [Int] = []
        for (position, keys) in keysByRule.enumerated() {
            let costs = keys.map { key in key.values.reduce(0) { $0 + (sharing[key.path]?[$1] ?? 0) } }
            guard let best = costs.indices.min(by: { costs[$0] < costs[$1] }).map({ keys[$0] }) else {
                unfiled.append(position)
                continue
            }
            let node = tree.insert(path: best.path)
            let index: Int
            if let existing = tableByNode[node] {
                index = existing
            } else {
                index = tables.count
                tableByNode[node] = index
                tables.append(ValueTable())
            }
            for value in best.values { tables[index].file(value, rule: position) }
        }
        self.fields = tree
        self.tables = tables
        self.tableByNode = (0..<tree.nodeCount).map { tableByNode[$0] ?? -1 }
        self.unfiled = unfiled
    }

    @usableFromInline
    func matchingPositions(_ document: JSONDocument) -> [Int] {
        // Candidates are marked in a bitset on the stack: sorted and deduplicated for free.
        let words = (roots.count + 63) / 64
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(words, 1)) { marks in
            marks.initialize(repeating: 0)
            var any = false
            for position in unfiled {
                marks[position >> 6] |= 1 << UInt64(position & 63)
                any = true
            }
            if !tables.isEmpty {
                document.strings.withUnsafeBufferPointer { strings in
                    for slot in document.slots where slot.kind == .string && slot.node != JSONDocument.noNode {
                        let table = tableByNode[Int(slot.node)]
                        if table < 0 { continue }
                        let bytes = UnsafeBufferPointer(rebasing: strings[Int(slot.start)..<Int(slot.start + slot.count)])
                        guard let position = tables[table].values.position(of: bytes) else { continue }
                        for rule in tables[table].rules[position] {
                            marks[rule >> 6] |= 1 << UInt64(rule & 63)
                            any = true
                        }
                    }
                }
            }
            guard any else { return [] }
            var result: [Int] = []
            for word in 0..<words {
                var bits = marks[word]
                while bits != 0 {
                    let position = word << 6 | bits.trailingZeroBitCount
                    bits &= bits - 1
                    if roots[position].matches(document, JSONDocument.root) { result.append(position) }
                }
            }
            return result
        }
    }

    /// The fields a pattern pins to exact strings outside `$or`: any match must have one of the
    /// values at that path (through arrays), so the rule can be filed under them.
    static func pinnedFields(_ root: ObjectMatcher) -> [(path: [String], values: Set<UTF8Key>)] {
        var result: [(path: [String], values: Set<UTF8Key>)] = []
        func walk(_ object: ObjectMatcher, _ path: [String]) {
            guard !object.isAbsenceOnly else { return }
            for field in object.fields {
                switch field.body {
                case .leaf(let leaf) where leaf.isExactStringsOnly:
                    result.append((path + [field.key], leaf.strings))
                // However the event spells the path, its parse files the values at the nested
                // path (dotted members are re-keyed), so dotted pattern keys are filed too.
                case .object(let nested):
                    walk(nested, path + [field.key])
                default:
                    break
                }
            }
        }
        walk(root, [])
        return result
    }
}
