import JSON

/// Many event patterns under ids, answering "which of them match this event" without trying
/// every pattern: the bus router holds one per event bus.
///
/// Most rules pin a field to exact strings (`"source": ["orders"]`, `"detail-type": [...]`).
/// The index files each such rule under its most selective pinned field and value, so an event
/// only meets the rules filed under its own values, plus the few rules that pin nothing; each
/// candidate is then matched in full, so answers never differ from `EventPattern.matches`.
public struct PatternIndex<ID: Hashable & Sendable>: Sendable {
    private struct Rule: Sendable {
        let id: ID
        let pattern: EventPattern
    }

    /// Rules filed under one field path: event value → rule positions.
    private struct PathTable: Sendable {
        let path: [String]
        var rules: [UTF8Key: [Int]] = [:]
    }

    private var rules: [Rule] = []
    private var positions: [ID: Int] = [:]
    private var tables: [PathTable] = []
    /// Rules that pin no field to exact strings: tried for every event.
    private var unfiled: [Int] = []

    public init() {}

    /// Builds an index over `(id, pattern)` pairs; a later pair replaces an earlier one's id.
    public init(_ entries: some Sequence<(ID, EventPattern)>) {
        for (id, pattern) in entries { store(pattern, for: id) }
        rebuild()
    }

    public var count: Int { rules.count }
    public var isEmpty: Bool { rules.isEmpty }
    public var ids: [ID] { rules.map(\.id) }

    public func pattern(for id: ID) -> EventPattern? {
        positions[id].map { rules[$0].pattern }
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
        rules.remove(at: position)
        for index in position..<rules.count { positions[rules[index].id] = index }
        rebuild()
        return true
    }

    /// The ids of the rules the event matches, in insertion order.
    public func matches(_ event: JSONValue) -> [ID] {
        var candidates = unfiled
        for table in tables {
            PatternIndex.forEachString(at: table.path[...], in: event) { string in
                if let filed = table.rules[UTF8Key(string)] { candidates.append(contentsOf: filed) }
            }
        }
        if candidates.isEmpty { return [] }
        candidates.sort()
        var result: [ID] = []
        var previous = -1
        for position in candidates where position != previous {
            previous = position
            let rule = rules[position]
            if rule.pattern.matches(event) { result.append(rule.id) }
        }
        return result
    }

    /// How many rules an event meets before full matching, at worst: the unfiled ones. Shown by
    /// the benchmark and useful for spotting buses whose rules pin nothing.
    public var unfiledCount: Int { unfiled.count }

    private mutating func store(_ pattern: EventPattern, for id: ID) {
        if let position = positions[id] {
            rules[position] = Rule(id: id, pattern: pattern)
        } else {
            positions[id] = rules.count
            rules.append(Rule(id: id, pattern: pattern))
        }
    }

    /// Refiles every rule. Each rule goes under the pinned field whose values are shared by the
    /// fewest other rules, so a bus where every rule says `"source": ["shop"]` still spreads
    /// its rules by `detail-type`.
    private mutating func rebuild() {
        let keysByRule = rules.map { PatternIndex.pinnedFields($0.pattern.root) }
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
            let best = keys.min { a, b in
                let costA = a.values.reduce(0) { $0 + (sharing[a.path]?[$1] ?? 0) }
                let costB = b.values.reduce(0) { $0 + (sharing[b.path]?[$1] ?? 0) }
                return costA < costB
            }
            guard let best else { unfiled.append(position); continue }
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

    /// The fields a pattern pins to exact strings outside `$or`: any match must have one of the
    /// values at that path (through arrays), so the rule can be filed under them.
    private static func pinnedFields(_ root: ObjectMatcher) -> [(path: [String], values: Set<UTF8Key>)] {
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

    private static func forEachString(at path: ArraySlice<String>, in value: JSONValue, _ body: (String) -> Void) {
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
