import JSON

/// Why a path text is not a JSONPath the States Language accepts.
public struct JSONPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "invalid JSONPath '\(path)': \(reason)" }
}

/// A JSONPath as used by InputPath, OutputPath, ItemsPath, `.$` fields, Choice variables and
/// intrinsic arguments: `$` (the state's data), `$$` (the context object) or `$name` (the
/// workflow variable `name`, as AWS's variables page documents for JSONPath states), then
/// names, indexes, wildcards, slices, unions, recursive descent and simple filters.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Root: Sendable, Hashable {
        case data
        case context
        case variable(String)
    }

    enum Segment: Sendable, Hashable {
        case name(String)
        case index(Int)
        case wildcard
        case slice(start: Int?, end: Int?, step: Int?)
        case names([String])
        case indexes([Int])
        case descendant(String?)   // `..name` or `..*`
        case filter(Filter)
    }

    public let text: String
    public let root: Root
    let segments: [Segment]

    public var description: String { text }

    /// True when the path names one location (no wildcard, slice, union, descent or filter):
    /// its result is the value itself rather than a list of matches.
    public var isDefinite: Bool {
        segments.allSatisfy { if case .name = $0 { true } else if case .index = $0 { true } else { false } }
    }

    /// True when the path may be used as a ResultPath: `$` then names and indexes only.
    public var isReferencePath: Bool { root == .data && isDefinite }

    public init(_ text: String) throws(JSONPathError) {
        var parser = PathParser(text: text)
        let (root, segments) = try parser.parse()
        self.text = text
        self.root = root
        self.segments = segments
    }

    /// The workflow variable the path reads, if it starts with `$name`.
    public var variable: String? {
        if case .variable(let name) = root { name } else { nil }
    }

    /// The value(s) the path selects. A definite path gives the value or nil when absent; an
    /// indefinite one gives an array of every match (possibly empty). A variable that is not
    /// set selects nothing.
    public func select(in data: JSONValue, context: JSONValue = .null) -> JSONValue? {
        select(in: data, context: context, variables: [:])
    }

    public func select(in data: JSONValue, context: JSONValue, variables: JSONObject) -> JSONValue? {
        let start: JSONValue
        switch root {
        case .data: start = data
        case .context: start = context
        case .variable(let name):
            guard let value = variables[name] else { return nil }
            start = value
        }
        var nodes = [start]
        for segment in segments {
            var next: [JSONValue] = []
            for node in nodes { Self.apply(segment, to: node, into: &next) }
            nodes = next
            if nodes.isEmpty { break }
        }
        if isDefinite { return nodes.first }
        return .array(nodes)
    }

    /// `$['a']['b'][0]`: the normalised form AWS prints in path errors.
    public var normalized: String {
        var output: String
        switch root {
        case .data: output = "$"
        case .context: output = "$$"
        case .variable(let name): output = "$" + name
        }
        for segment in segments {
            switch segment {
            case .name(let name): output += "['\(name)']"
            case .index(let index): output += "[\(index)]"
            case .wildcard: output += "[*]"
            case .slice(let start, let end, let step):
                output += "[\(start.map(String.init) ?? ""):\(end.map(String.init) ?? "")\(step.map { ":\($0)" } ?? "")]"
            case .names(let names): output += "[" + names.map { "'\($0)'" }.joined(separator: ",") + "]"
            case .indexes(let indexes): output += "[" + indexes.map(String.init).joined(separator: ",") + "]"
            case .descendant(let name): output += ".." + (name.map { "['\($0)']" } ?? "[*]")
            case .filter: output += "[?]"
            }
        }
        return output
    }

    private static func apply(_ segment: Segment, to node: JSONValue, into output: inout [JSONValue]) {
        switch segment {
        case .name(let name):
            if case .object(let object) = node, let value = object[name] { output.append(value) }
        case .index(let index):
            if case .array(let array) = node {
                let resolved = index < 0 ? array.count + index : index
                if array.indices.contains(resolved) { output.append(array[resolved]) }
            }
        case .wildcard:
            switch node {
            case .array(let array): output.append(contentsOf: array)
            case .object(let object): output.append(contentsOf: object.values)
            default: break
            }
        case .slice(let start, let end, let step):
            guard case .array(let array) = node else { return }
            let count = array.count
            let step = step ?? 1
            guard step != 0 else { return }
            func clamp(_ value: Int?, _ fallback: Int) -> Int {
                guard let value else { return fallback }
                return value < 0 ? max(0, count + value) : min(count, value)
            }
            if step > 0 {
                var index = clamp(start, 0)
                let stop = clamp(end, count)
                while index < stop { output.append(array[index]); index += step }
            } else {
                var index = start.map { $0 < 0 ? count + $0 : min($0, count - 1) } ?? count - 1
                let stop = end.map { $0 < 0 ? count + $0 : $0 } ?? -1
                while index > stop, index >= 0 { output.append(array[index]); index += step }
            }
        case .names(let names):
            if case .object(let object) = node {
                for name in names { if let value = object[name] { output.append(value) } }
            }
        case .indexes(let indexes):
            for index in indexes { apply(.index(index), to: node, into: &output) }
        case .descendant(let name):
            collectDescendants(of: node, name: name, into: &output)
        case .filter(let filter):
            switch node {
            case .array(let array): output.append(contentsOf: array.filter(filter.matches))
            case .object(let object): output.append(contentsOf: object.values.filter(filter.matches))
            default: break
            }
        }
    }

    private static func collectDescendants(of node: JSONValue, name: String?, into output: inout [JSONValue]) {
        switch node {
        case .object(let object):
            if let name {
                if let value = object[name] { output.append(value) }
            } else {
                output.append(contentsOf: object.values)
            }
            for value in object.values { collectDescendants(of: value, name: name, into: &output) }
        case .array(let array):
            if name == nil { output.append(contentsOf: array) }
            for value in array { collectDescendants(of: value, name: name, into: &output) }
        default:
            break
        }
    }
}

// MARK: - Filters

/// `[?(@.price < 10)]`, `[?(@.isbn)]`, joined by `&&` / `||`.
indirect enum Filter: Sendable, Hashable {
    case exists([String])
    case compare([String], String, JSONValue)
    case and(Filter, Filter)
    case or(Filter, Filter)

    func matches(_ value: JSONValue) -> Bool {
        switch self {
        case .exists(let names): return Self.lookup(names, in: value) != nil
        case .and(let left, let right): return left.matches(value) && right.matches(value)
        case .or(let left, let right): return left.matches(value) || right.matches(value)
        case .compare(let names, let op, let literal):
            guard let actual = Self.lookup(names, in: value) else { return false }
            switch op {
            case "==": return actual == literal
            case "!=": return actual != literal
            default: break
            }
            let ordering: Int
            switch (actual, literal) {
            case (.number(let a), .number(let b)): ordering = a < b ? -1 : (a > b ? 1 : 0)
            case (.string(let a), .string(let b)): ordering = a < b ? -1 : (a > b ? 1 : 0)
            default: return false
            }
            switch op {
            case "<": return ordering < 0
            case "<=": return ordering <= 0
            case ">": return ordering > 0
            case ">=": return ordering >= 0
            default: return false
            }
        }
    }

    static func lookup(_ names: [String], in value: JSONValue) -> JSONValue? {
        var current = value
        for name in names {
            guard let next = current[name] else { return nil }
            current = next
        }
        return current
    }
}

// MARK: - Parser

private struct PathParser {
    let text: String
    let chars: [Character]
    var index = 0

    init(text: String) {
        self.text = text
        self.chars = Array(text)
    }

    func fail(_ reason: String) -> JSONPathError { JSONPathError(path: text, reason: reason) }

    var atEnd: Bool { index >= chars.count }
    var current: Character? { atEnd ? nil : chars[index] }

    mutating func parse() throws(JSONPathError) -> (JSONPath.Root, [JSONPath.Segment]) {
        guard current == "$" else { throw fail("a path must begin with '$'") }
        index += 1
        var root = JSONPath.Root.data
        if current == "$" {
            root = .context
            index += 1
        } else if let first = current, first == "_" || first.isLetter {
            // `$name`: a workflow variable (letters, digits and `_`, not starting with a digit).
            let start = index
            while let character = current, character == "_" || character.isLetter || character.isNumber { index += 1 }
            root = .variable(String(chars[start..<index]))
        }
        var segments: [JSONPath.Segment] = []
        while let character = current {
            switch character {
            case ".":
                index += 1
                if current == "." {
                    index += 1
                    if current == "*" { index += 1; segments.append(.descendant(nil)); continue }
                    if current == "[" {
                        let inner = try parseBracket()
                        guard case .name(let name) = inner else { throw fail("'..' must be followed by a name") }
                        segments.append(.descendant(name))
                        continue
                    }
                    segments.append(.descendant(try parseDotName()))
                    continue
                }
                if current == "*" { index += 1; segments.append(.wildcard); continue }
                let name = try parseDotName()
                if current == "(" { throw fail("functions such as '\(name)()' are not supported") }
                segments.append(.name(name))
            case "[":
                segments.append(try parseBracket())
            default:
                throw fail("unexpected character '\(character)' at position \(index)")
            }
        }
        return (root, segments)
    }

    mutating func parseDotName() throws(JSONPathError) -> String {
        let start = index
        while let character = current, character != ".", character != "[" , character != "(" {
            if character == " " || character == "]" || character == "'" || character == "\"" {
                throw fail("unexpected character '\(character)' in a name")
            }
            index += 1
        }
        guard index > start else { throw fail("empty name after '.'") }
        return String(chars[start..<index])
    }

    mutating func skipSpaces() { while current == " " { index += 1 } }

    mutating func parseBracket() throws(JSONPathError) -> JSONPath.Segment {
        index += 1  // [
        skipSpaces()
        guard let character = current else { throw fail("unterminated '['") }
        let segment: JSONPath.Segment
        if character == "*" {
            index += 1
            segment = .wildcard
        } else if character == "'" || character == "\"" {
            var names = [try parseQuoted()]
            skipSpaces()
            while current == "," {
                index += 1
                skipSpaces()
                names.append(try parseQuoted())
                skipSpaces()
            }
            segment = names.count == 1 ? .name(names[0]) : .names(names)
        } else if character == "?" {
            index += 1
            guard current == "(" else { throw fail("expected '(' after '?'") }
            index += 1
            let filter = try parseFilterOr()
            skipSpaces()
            guard current == ")" else { throw fail("expected ')' to close the filter") }
            index += 1
            segment = .filter(filter)
        } else {
            // index, union of indexes, or slice
            var parts: [Int?] = [try parseOptionalInt()]
            var separator: Character? = nil
            skipSpaces()
            while let next = current, next == ":" || next == "," {
                if separator != nil, separator != next { throw fail("cannot mix ':' and ',' in brackets") }
                separator = next
                index += 1
                skipSpaces()
                parts.append(try parseOptionalInt())
                skipSpaces()
            }
            switch separator {
            case nil:
                guard let only = parts[0] else { throw fail("expected an index, a quoted name or '*' in brackets") }
                segment = .index(only)
            case ":":
                guard parts.count <= 3 else { throw fail("a slice has at most three parts") }
                segment = .slice(start: parts[0], end: parts.count > 1 ? parts[1] : nil, step: parts.count > 2 ? parts[2] : nil)
            default:
                var indexes: [Int] = []
                for part in parts {
                    guard let part else { throw fail("empty index in a union") }
                    indexes.append(part)
                }
                segment = .indexes(indexes)
            }
        }
        skipSpaces()
        guard current == "]" else { throw fail("expected ']'") }
        index += 1
        return segment
    }

    mutating func parseOptionalInt() throws(JSONPathError) -> Int? {
        skipSpaces()
        let start = index
        if current == "-" { index += 1 }
        while let character = current, character.isASCII, character.isNumber { index += 1 }
        if index == start { return nil }
        guard let value = Int(String(chars[start..<index])) else { throw fail("invalid index") }
        return value
    }

    mutating func parseQuoted() throws(JSONPathError) -> String {
        guard let quote = current, quote == "'" || quote == "\"" else { throw fail("expected a quoted name") }
        index += 1
        var value = ""
        while let character = current {
            index += 1
            if character == quote { return value }
            if character == "\\", let escaped = current {
                index += 1
                value.append(escaped)
            } else {
                value.append(character)
            }
        }
        throw fail("unterminated quoted name")
    }

    mutating func parseFilterOr() throws(JSONPathError) -> Filter {
        var left = try parseFilterAnd()
        skipSpaces()
        while current == "|", index + 1 < chars.count, chars[index + 1] == "|" {
            index += 2
            left = .or(left, try parseFilterAnd())
            skipSpaces()
        }
        return left
    }

    mutating func parseFilterAnd() throws(JSONPathError) -> Filter {
        var left = try parseFilterTerm()
        skipSpaces()
        while current == "&", index + 1 < chars.count, chars[index + 1] == "&" {
            index += 2
            left = .and(left, try parseFilterTerm())
            skipSpaces()
        }
        return left
    }

    mutating func parseFilterTerm() throws(JSONPathError) -> Filter {
        skipSpaces()
        if current == "(" {
            index += 1
            let inner = try parseFilterOr()
            skipSpaces()
            guard current == ")" else { throw fail("expected ')'") }
            index += 1
            return inner
        }
        guard current == "@" else { throw fail("a filter term must start with '@'") }
        index += 1
        var names: [String] = []
        while current == "." || current == "[" {
            if current == "." {
                index += 1
                let start = index
                while let character = current, character.isLetter || character.isNumber || character == "_" || character == "-" { index += 1 }
                guard index > start else { throw fail("empty name in filter") }
                names.append(String(chars[start..<index]))
            } else {
                index += 1
                names.append(try parseQuoted())
                guard current == "]" else { throw fail("expected ']' in filter") }
                index += 1
            }
        }
        skipSpaces()
        let operators = ["==", "!=", "<=", ">=", "<", ">"]
        for op in operators where text.hasPrefixAt(index, chars: chars, op) {
            index += op.count
            skipSpaces()
            return .compare(names, op, try parseLiteral())
        }
        return .exists(names)
    }

    mutating func parseLiteral() throws(JSONPathError) -> JSONValue {
        guard let character = current else { throw fail("expected a value in filter") }
        if character == "'" || character == "\"" { return .string(try parseQuoted()) }
        let start = index
        while let next = current, next != ")", next != " ", next != "&", next != "|" { index += 1 }
        let word = String(chars[start..<index])
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default:
            guard let number = Double(word) else { throw fail("invalid value '\(word)' in filter") }
            return .number(number)
        }
    }
}

private extension String {
    func hasPrefixAt(_ index: Int, chars: [Character], _ prefix: String) -> Bool {
        var offset = index
        for character in prefix {
            guard offset < chars.count, chars[offset] == character else { return false }
            offset += 1
        }
        return true
    }
}

// MARK: - Writing into a reference path

extension JSONPath {
    /// Places `value` at this reference path inside `document` (ResultPath), creating missing
    /// objects on the way. Fails when a step meets a value of the wrong type.
    func assign(_ value: JSONValue, into document: JSONValue) throws(StatesError) -> JSONValue {
        guard isReferencePath else {
            throw StatesError(StatesErrorName.resultPathMatchFailure, "The ResultPath '\(text)' is not a reference path")
        }
        return try Self.assign(value, segments: segments[...], into: document, path: text)
    }

    private static func assign(_ value: JSONValue, segments: ArraySlice<Segment>, into node: JSONValue, path: String) throws(StatesError) -> JSONValue {
        guard let first = segments.first else { return value }
        let rest = segments.dropFirst()
        switch first {
        case .name(let name):
            var object: JSONObject
            switch node {
            case .object(let existing): object = existing
            case .null: object = JSONObject()
            default:
                throw StatesError(StatesErrorName.resultPathMatchFailure,
                                  "Unable to apply step \"\(name)\" to input \(node.serialized)")
            }
            object[name] = try assign(value, segments: rest, into: object[name] ?? .null, path: path)
            return .object(object)
        case .index(let index):
            guard case .array(var array) = node else {
                throw StatesError(StatesErrorName.resultPathMatchFailure,
                                  "Unable to apply step \"[\(index)]\" to input \(node.serialized)")
            }
            let resolved = index < 0 ? array.count + index : index
            guard array.indices.contains(resolved) else {
                throw StatesError(StatesErrorName.resultPathMatchFailure,
                                  "Unable to apply step \"[\(index)]\" to input \(node.serialized): index out of range")
            }
            array[resolved] = try assign(value, segments: rest, into: array[resolved], path: path)
            return .array(array)
        default:
            throw StatesError(StatesErrorName.resultPathMatchFailure, "The ResultPath '\(path)' is not a reference path")
        }
    }
}
