/// AWS's "Rule is too complex" limit on `wildcard` operands.
///
/// AWS's matcher (aws/event-ruler, `MachineComplexityEvaluator`) compiles each field's values
/// into one byte automaton and refuses a rule when some input string could hold too many
/// wildcard states active at once: the worst case a matching walk must track. This measures
/// the same thing on the same shape of automaton, per field path:
///
/// - operands are matched with their JSON quotes, so `"*.png"` is the bytes `" * . p n g "`;
/// - the bytes before an operand's first star are shared by operands that start alike (a trie),
///   as is that first star's state; a shared state counts once per operand reaching it;
/// - after the first star each operand has its own states: one per literal byte and one per
///   star (entered without consuming a byte from the literal before it, then looping);
/// - identical operands count once; exact, prefix and other values count nothing.
///
/// The complexity is the largest sum, over every input, of the active states' counts. AWS's
/// threshold is not published; 10 (refused at 10 or more) agrees with every case we could
/// observe: `*:*:*:*:*:event-bus/*` alone is refused (it reaches 10), three
/// `*:stack/NAME/*` values in one field are accepted (9) and four refused (12).
enum WildcardComplexity {
    static let limit = 10
    static let reason = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"
    /// Distinct active-state sets explored before giving up and calling the field too complex.
    static let exploration = 20_000

    /// Throws AWS's reason when some field of the pattern is too complex.
    static func check(_ root: ObjectMatcher) throws(EventPatternError) {
        var byPath: [String: Set<[Int]>] = [:]
        collect(root, path: "", into: &byPath)
        for (path, operands) in byPath where complexity(Array(operands)) >= limit {
            throw EventPatternError(reason: reason, path: path.split(separator: ".").map(String.init))
        }
    }

    /// Wildcard operands per dot-joined field path (AWS's view of a path), `$or` branches
    /// included, as token lists: a byte, or `star` for `*`.
    private static func collect(_ object: ObjectMatcher, path: String, into byPath: inout [String: Set<[Int]>]) {
        for field in object.fields {
            let fieldPath = path.isEmpty ? field.key : path + "." + field.key
            switch field.body {
            case .object(let nested):
                collect(nested, path: fieldPath, into: &byPath)
            case .leaf(let leaf):
                for test in leaf.tests {
                    switch test {
                    case .wildcard(let wildcard):
                        byPath[fieldPath, default: []].insert(tokens(wildcard))
                    case .anythingBut(.wildcards(let wildcards)):
                        for wildcard in wildcards { byPath[fieldPath, default: []].insert(tokens(wildcard)) }
                    default:
                        break
                    }
                }
            }
        }
        for group in object.orGroups {
            for alternative in group { collect(alternative, path: path, into: &byPath) }
        }
    }

    static let star = 256
    static let quote = Int(UInt8(ascii: "\""))

    static func tokens(_ wildcard: Wildcard) -> [Int] {
        var result = [quote]
        if wildcard.leadingStar { result.append(star) }
        for (index, segment) in wildcard.segments.enumerated() {
            if index > 0 { result.append(star) }
            result.append(contentsOf: segment.map(Int.init))
        }
        if wildcard.trailingStar, !(wildcard.segments.isEmpty && wildcard.leadingStar) { result.append(star) }
        result.append(quote)
        return result
    }

    /// One automaton state: how many operands it counts for, whether it loops on any byte, its
    /// byte transitions, and the star state entered from it without consuming a byte.
    private struct State {
        var weight = 0
        var loops = false
        var next: [Int: [Int]] = [:]
        var star: Int? = nil
    }

    static func complexity(_ operands: [[Int]]) -> Int {
        guard !operands.isEmpty else { return 0 }
        var states = [State()]
        var alphabet: Set<Int> = []
        for operand in operands {
            var current = 0
            var shared = true
            for token in operand {
                if token == star {
                    if shared, let existing = states[current].star {
                        current = existing
                    } else {
                        states.append(State(loops: true))
                        states[current].star = states.count - 1
                        current = states.count - 1
                    }
                    shared = false
                } else {
                    alphabet.insert(token)
                    if shared, let existing = states[current].next[token]?.first {
                        current = existing
                    } else {
                        states.append(State())
                        states[current].next[token, default: []].append(states.count - 1)
                        current = states.count - 1
                    }
                }
                states[current].weight += 1
            }
        }
        // One byte no operand names stands for all such bytes.
        var inputs = Array(alphabet)
        if let other = (0..<256).first(where: { !alphabet.contains($0) }) { inputs.append(other) }

        func closed(_ set: Set<Int>) -> [Int] {
            var result = set
            for state in set { if let star = states[state].star { result.insert(star) } }
            return result.sorted()
        }
        var seen: Set<[Int]> = [[0]]
        var pending: [[Int]] = [[0]]
        var worst = 0
        while let active = pending.popLast() {
            for byte in inputs {
                var next: Set<Int> = []
                for state in active {
                    if states[state].loops { next.insert(state) }
                    if let targets = states[state].next[byte] { next.formUnion(targets) }
                }
                if next.isEmpty { continue }
                let set = closed(next)
                worst = max(worst, set.reduce(0) { $0 + states[$1].weight })
                if worst >= limit { return worst }
                if seen.insert(set).inserted {
                    if seen.count > exploration { return limit }
                    pending.append(set)
                }
            }
        }
        return worst
    }
}
