import OrderedCollections

/// Regular expressions for `/…/` literals and the functions that take them, through the
/// standard library's `Regex` (its syntax covers what JSONata expressions use of JavaScript's).
enum Regexes {
    struct Match {
        let text: String
        /// In UTF-16 code units, as JavaScript counts.
        let index: Int
        let groups: [String]
        let range: Range<String.Index>
    }

    static func compile(_ literal: RegexLiteral) throws(JSONataError) -> Regex<AnyRegexOutput> {
        do {
            var regex = try Regex(literal.pattern)
            if literal.caseInsensitive { regex = regex.ignoresCase() }
            if literal.multiline { regex = regex.anchorsMatchLineEndings() }
            return regex
        } catch {
            throw JSONataError("S0302", "Invalid regular expression: /\(literal.pattern)/")
        }
    }

    static func matches(_ literal: RegexLiteral, in text: String, limit: Int? = nil) throws(JSONataError) -> [Match] {
        let regex = try compile(literal)
        var results: [Match] = []
        for match in text.matches(of: regex) {
            if let limit, results.count >= limit { break }
            guard !match.range.isEmpty else {
                throw JSONataError("D1004", "Regular expression matches zero length string")
            }
            var groups: [String] = []
            for index in 1..<max(match.output.count, 1) {
                groups.append(match.output[index].substring.map(String.init) ?? "")
            }
            results.append(Match(text: String(text[match.range]),
                                 index: text.utf16.distance(from: text.startIndex, to: match.range.lowerBound),
                                 groups: groups, range: match.range))
        }
        return results
    }

    /// `{"match": …, "index": …, "groups": […]}` as `$match` and function replacements see it.
    static func matchObject(_ match: Match) -> OrderedDictionary<String, Value> {
        ["match": .string(match.text), "index": .number(Double(match.index)),
         "groups": .array(Value.Sequence(match.groups.map(Value.string)))]
    }
}
