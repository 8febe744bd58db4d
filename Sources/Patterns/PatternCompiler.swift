import JSON

/// Turns a pattern's JSON into matchers, refusing what AWS refuses with AWS's reasons.
struct PatternCompiler {
    /// Operator names that may not be used as field names inside `$or` (AWS refuses them there,
    /// since a misplaced operator would otherwise silently become a field).
    static let reservedInsideOr: Set<String> = [
        "anything-but", "cidr", "equals-ignore-case", "exact", "exists", "numeric", "prefix", "suffix", "wildcard",
    ]

    var path: [String] = []

    func fail(_ reason: String) -> EventPatternError {
        EventPatternError(reason: reason, path: path)
    }

    mutating func compileRoot(_ json: JSONValue) throws(EventPatternError) -> ObjectMatcher {
        guard case .object(let object) = json else { throw fail("Filter is not an object") }
        return try compileObject(object, insideOr: false)
    }

    mutating func compileObject(_ object: JSONObject, insideOr: Bool) throws(EventPatternError) -> ObjectMatcher {
        guard !object.isEmpty else { throw fail("Empty objects are not allowed") }
        var matcher = ObjectBuilder()
        for (key, value) in object {
            if key == "$or" {
                matcher.orGroups.append(try compileOr(value, insideOr: insideOr))
                continue
            }
            if insideOr, PatternCompiler.reservedInsideOr.contains(key) {
                throw fail("\(key) is Ruler reserved fieldName which cannot be used inside $or.")
            }
            path.append(key)
            defer { path.removeLast() }
            let body: ObjectMatcher.Body
            switch value {
            case .object(let nested):
                body = .object(try compileObject(nested, insideOr: insideOr))
            case .array(let entries):
                body = .leaf(try compileLeaf(entries))
            default:
                throw fail("\"\(key)\" must be an object or an array")
            }
            matcher.fields.append(PatternCompiler.field(key, body))
        }
        // Cheap, selective checks first: leaves before nested objects, `$or` last.
        return ObjectMatcher(matcher)
    }

    /// A field whose key holds dots becomes nested fields, one per dot-separated name: AWS
    /// matches on dot-joined paths, so `"a.b": X` and `"a": {"b": X}` are one pattern (aws/event-ruler
    /// joins a nested key's names with "." before matching). The matcher then finds such a path in
    /// the event however its keys spell it (the document parse re-keys dotted event members,
    /// `JSONFieldTree.joinsDottedKeys`).
    static func field(_ key: String, _ body: ObjectMatcher.Body) -> ObjectMatcher.Field {
        guard key.utf8.contains(UInt8(ascii: ".")) else { return .init(key: key, body: body) }
        let names = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var inner = body
        for name in names.dropFirst().reversed() {
            inner = .object(ObjectMatcher(ObjectBuilder(fields: [.init(key: name, body: inner)])))
        }
        return .init(key: names[0], body: inner)
    }

    mutating func compileOr(_ value: JSONValue, insideOr: Bool) throws(EventPatternError) -> [ObjectMatcher] {
        guard case .array(let alternatives) = value else { throw fail("It must be an Array followed with $or.") }
        var result: [ObjectMatcher] = []
        for alternative in alternatives {
            guard case .object(let object) = alternative else {
                throw fail("Only JSON object is allowed in array of $or relationship.")
            }
            result.append(try compileObject(object, insideOr: true))
        }
        guard result.count >= 2 else { throw fail("There must have at least 2 Objects in $or relationship.") }
        return result
    }

    func compileLeaf(_ entries: [JSONValue]) throws(EventPatternError) -> LeafMatcher {
        guard !entries.isEmpty else { throw fail("Empty arrays are not allowed") }
        var leaf = LeafBuilder()
        for entry in entries {
            switch entry {
            case .string(let string):
                if let address = IPAddress(string) {
                    leaf.addresses.insert(address)
                } else {
                    leaf.strings.insert(UTF8Key(string))
                }
            case .number(let number):
                leaf.numbers.insert(number)
            case .null:
                leaf.matchesNull = true
            case .bool(let flag):
                if flag { leaf.matchesTrue = true } else { leaf.matchesFalse = true }
            case .array:
                throw fail("Match value must be String, number, true, false, or null")
            case .object(let expression):
                do throws(PatternFault) {
                    try addExpression(expression, to: &leaf)
                } catch {
                    throw fail(error.reason)
                }
            }
        }
        return LeafMatcher(leaf)
    }

    /// One `{"operator": operand}` entry.
    func addExpression(_ expression: JSONObject, to leaf: inout LeafBuilder) throws(PatternFault) {
        guard let (name, operand) = expression.elements.first else { throw PatternFault("Match expression name not found") }
        let onlyOneKey = "Only one key allowed in match expression"
        switch name {
        case "exact":
            guard case .string(let string) = operand else { throw PatternFault("exact match pattern must be a string") }
            leaf.strings.insert(UTF8Key(string))
        case "prefix", "suffix":
            let isPrefix = name == "prefix"
            switch operand {
            case .string(let string):
                leaf.tests.append(isPrefix ? .prefix(string) : .suffix(string))
            case .object(let inner):
                let label = isPrefix ? "Prefix" : "Suffix"
                guard let (innerName, innerOperand) = inner.elements.first else {
                    throw PatternFault("\(label) expression name not found")
                }
                guard innerName == "equals-ignore-case" else {
                    throw PatternFault("Unsupported \(name) pattern: \(innerName)")
                }
                guard case .string(let string) = innerOperand else {
                    throw PatternFault("equals-ignore-case match pattern must be a string")
                }
                guard inner.count == 1 else { throw PatternFault(onlyOneKey) }
                let lowered = string.lowercased()
                leaf.tests.append(isPrefix ? .prefixIgnoringCase(lowered) : .suffixIgnoringCase(lowered))
            default:
                throw PatternFault("\(name) match pattern must be a string")
            }
        case "equals-ignore-case":
            guard case .string(let string) = operand else {
                throw PatternFault("equals-ignore-case match pattern must be a string")
            }
            leaf.tests.append(.equalsIgnoringCase(string.lowercased()))
        case "wildcard":
            guard case .string(let string) = operand else { throw PatternFault("wildcard match pattern must be a string") }
            leaf.tests.append(.wildcard(try Wildcard(parsing: string)))
        case "numeric":
            guard case .array(let terms) = operand else { throw PatternFault("Value of numeric must be an array.") }
            leaf.tests.append(try PatternCompiler.numeric(terms))
        case "anything-but":
            leaf.tests.append(.anythingBut(try PatternCompiler.anythingBut(operand)))
        case "exists":
            guard case .bool(let flag) = operand else {
                throw PatternFault("exists match pattern must be either true or false.")
            }
            if flag { leaf.tests.append(.exists) } else { leaf.matchesAbsence = true }
        case "cidr":
            // AWS's parser reuses the prefix operator's wording here (aws/event-ruler JsonRuleCompiler).
            guard case .string(let string) = operand else { throw PatternFault("prefix match pattern must be a string") }
            leaf.tests.append(.cidr(try CIDRRange(parsing: string)))
        default:
            throw PatternFault("Unrecognized match type \(name)")
        }
        if expression.count > 1 {
            throw PatternFault(name == "numeric" || name == "anything-but"
                ? "Too many elements in numeric expression" : onlyOneKey)
        }
    }

    static func describe(_ value: JSONValue?) -> String {
        switch value {
        case nil: "]"
        case .string(let string)?: string
        case let value?: value.serialized
        }
    }

    static func numeric(_ terms: [JSONValue]) throws(PatternFault) -> ValueTest {
        guard case .string(let first)? = terms.first else {
            throw PatternFault("Invalid member in numeric match: \(describe(terms.first))")
        }
        let symbol = first == "=" ? "equals" : first
        guard ["=", "<", "<=", ">", ">="].contains(first) else {
            throw PatternFault("Unrecognized numeric range operator: \(first)")
        }
        guard terms.count > 1, case .number(let value) = terms[1] else {
            throw PatternFault("Value of \(symbol) must be numeric")
        }
        var range = NumericRange()
        switch first {
        case "=":
            guard terms.count == 2 else { throw PatternFault("Too many elements in numeric expression") }
            range.lower = value; range.lowerInclusive = true
            range.upper = value; range.upperInclusive = true
            return .numeric(range)
        case "<", "<=":
            guard terms.count == 2 else { throw PatternFault("Too many elements in numeric expression") }
            range.upper = value; range.upperInclusive = first == "<="
            return .numeric(range)
        default:
            range.lower = value; range.lowerInclusive = first == ">="
            if terms.count == 2 { return .numeric(range) }
        }
        guard case .string(let second) = terms[2] else {
            throw PatternFault("Bad value in numeric range: \(describe(terms[2]))")
        }
        guard second == "<" || second == "<=" else { throw PatternFault("Bad numeric range operator: \(second)") }
        guard terms.count > 3, case .number(let top) = terms[3] else {
            throw PatternFault("Value of \(second) must be numeric")
        }
        guard terms.count == 4 else { throw PatternFault("Too many terms in numeric range expression") }
        guard value < top else { throw PatternFault("Bottom must be less than top") }
        range.upper = top; range.upperInclusive = second == "<="
        return .numeric(range)
    }

    static func anythingBut(_ operand: JSONValue) throws(PatternFault) -> AnythingBut {
        switch operand {
        case .string(let string):
            return .strings(ByteStringTable([UTF8Key(string)]))
        case .number(let number):
            return .numbers([number])
        case .array(let values):
            var strings: Set<UTF8Key> = []
            var numbers: Set<Double> = []
            for value in values {
                switch value {
                case .string(let string): strings.insert(UTF8Key(string))
                case .number(let number): numbers.insert(number)
                default: throw PatternFault("Inside anything but list, start|null|boolean is not supported.")
                }
            }
            guard strings.isEmpty != numbers.isEmpty else {
                throw PatternFault("Inside anything but list, either all values are number or string, mixed type is not supported")
            }
            return strings.isEmpty ? .numbers(numbers) : .strings(ByteStringTable(strings))
        case .object(let inner):
            guard let (name, innerOperand) = inner.elements.first else {
                throw PatternFault("Anything-But expression name not found")
            }
            guard ["equals-ignore-case", "prefix", "suffix", "wildcard"].contains(name) else {
                throw PatternFault("Unsupported anything-but pattern: \(name)")
            }
            let texts: [JSONValue]
            switch innerOperand {
            case .string: texts = [innerOperand]
            case .array(let values): texts = values
            case .number: texts = [innerOperand] // refused below with the operator's own reason
            default: throw PatternFault("Value of anything-but must be an array or single string/number value.")
            }
            var strings: [String] = []
            for text in texts {
                guard case .string(let string) = text else {
                    switch name {
                    case "equals-ignore-case":
                        throw PatternFault("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
                    case "wildcard": throw PatternFault("wildcard match pattern must be a string")
                    default: throw PatternFault("prefix/suffix match pattern must be a string")
                    }
                }
                if (name == "prefix" || name == "suffix"), string.isEmpty {
                    throw PatternFault("Null prefix/suffix not allowed")
                }
                strings.append(string)
            }
            guard inner.count == 1 else { throw PatternFault("Only one key allowed in match expression") }
            switch name {
            case "equals-ignore-case": return .ignoringCase(Set(strings.map { $0.lowercased() }))
            case "prefix": return .prefixes(strings)
            case "suffix": return .suffixes(strings)
            default:
                var wildcards: [Wildcard] = []
                for string in strings { wildcards.append(try Wildcard(parsing: string)) }
                return .wildcards(wildcards)
            }
        default:
            throw PatternFault("Value of anything-but must be an array or single string/number value.")
        }
    }
}
