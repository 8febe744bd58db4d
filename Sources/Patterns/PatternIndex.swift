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
    private var ids: [ID] = []
    private var patterns: [EventPattern] = []
    private var positions: [ID: Int] = [:]
    private var table = RuleTable(roots: [])

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
        table.matchingPositions(event).map { ids[$0] }
    }

    /// Parses the event text and answers as `matches(_:)` does, building only the fields some
    /// rule reads (`fields`): the fast way in when the event arrives as text. Throws when the
    /// text is not JSON.
    public func matches(eventText: String) throws(JSONParseError) -> [ID] {
        try matches(event: JSONValue(parsing: eventText.utf8, keeping: table.fields))
    }

    public func matches(eventBytes: some Collection<UInt8>) throws(JSONParseError) -> [ID] {
        try matches(event: JSONValue(parsing: eventBytes, keeping: table.fields))
    }

    private func matches(event: JSONValue) -> [ID] {
        table.matchingPositions(event).map { ids[$0] }
    }

    /// The members of an event any rule here reads: a parse keeping only these is enough to
    /// match (see `JSONValue(parsing:keeping:)`).
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
final class RuleTable: Sendable {
    /// Rules filed under one field path: event value → rule positions.
    struct PathTable: Sendable {
        let path: [String]
        var rules: [UTF8Key: [Int]] = [:]
    }

    let roots: [ObjectMatcher]
    let tables: [PathTable]
    /// Every member any rule reads, for pruned parsing of event text.
    let fields: JSONFieldTree
    /// Rules that pin no field to exact strings: tried for every event.
    let unfiled: [Int]

    /// Files each rule under the pinned field whose values are shared by the fewest other
    /// rules, so a bus where every rule says `"source": ["shop"]` still spreads its rules by
    /// `detail-type`.
    init(roots: [ObjectMatcher]) {
        self.roots = roots
        self.fields = RuleTable.fieldTree(roots)
        let keysByRule = roots.map { RuleTable.pinnedFields($0) }
        var sharing: [[String]: [UTF8Key: Int]] = [:]
        for keys in keysByRule {
            for (path, values) in keys {
                for value in values { sharing[path, default: [:]][value, default: 0] += 1 }
            }
        }
        var tableIndex: [[String]: Int] = [:]
        var tables: [PathTable] = []
        var unfiled: [Int] = []
        for (position, keys) in keysByRule.enumerated() {
            let costs = keys.map { key in key.values.reduce(0) { $0 + (sharing[key.path]?[$1] ?? 0) } }
            guard let best = costs.indices.min(by: { costs[$0] < costs[$1] }).map({ keys[$0] }) else {
                unfiled.append(position)
                continue
            }
            let index: Int
            if let existing = tableIndex[best.path] {
                index = existing
            } else {
                index = tables.count
                tableIndex[best.path] = index
                tables.append(PathTable(path: best.path))
            }
            for value in best.values { tables[index].rules[value, default: []].append(position) }
        }
        self.tables = tables
        self.unfiled = unfiled
    }

    func matchingPositions(_ event: JSONValue) -> [Int] {
        var candidates = unfiled
        for table in tables {
            RuleTable.forEachString(at: table.path[...], in: event) { string in
                if let filed = table.rules[UTF8Key(string)] { candidates.append(contentsOf: filed) }
            }
        }
        if candidates.isEmpty { return [] }
        candidates.sort()
        var result: [Int] = []
        var previous = -1
        for position in candidates where position != previous {
            previous = position
            if roots[position].matches(event) { result.append(position) }
        }
        return result
    }

    /// The members the rules read, as a tree from the event's root (`$or` alternatives read
    /// members of the object they sit in).
    static func fieldTree(_ roots: [ObjectMatcher]) -> JSONFieldTree {
        var tree = JSONFieldTree()
        func walk(_ object: ObjectMatcher, _ node: Int) {
            for field in object.fields {
                let child = tree.child(field.key, of: node)
                if case .object(let nested) = field.body { walk(nested, child) }
            }
            for group in object.orGroups {
                for alternative in group { walk(alternative, node) }
            }
        }
        for root in roots { walk(root, JSONFieldTree.root) }
        return tree
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

    static func forEachString(at path: ArraySlice<String>, in value: JSONValue, _ body: (String) -> Void) {
        switch value {
        case .array(let elements):
            for element in elements { forEachString(at: path, in: element, body) }
        case .object(let object):
            guard let key = path.first, let next = object[key] else { return }
            forEachString(at: path.dropFirst(), in: next, body)
        case .string(let string):
            if path.isEmpty { body(string) }
        default:
            return
        }
    }
}
