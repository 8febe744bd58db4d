#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Timekeeping

/// One data-test comparison operator of a Choice rule. The `…Path` forms compare against a
/// value selected from the input rather than a literal.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case stringEquals = "StringEquals", stringEqualsPath = "StringEqualsPath"
    case stringLessThan = "StringLessThan", stringLessThanPath = "StringLessThanPath"
    case stringGreaterThan = "StringGreaterThan", stringGreaterThanPath = "StringGreaterThanPath"
    case stringLessThanEquals = "StringLessThanEquals", stringLessThanEqualsPath = "StringLessThanEqualsPath"
    case stringGreaterThanEquals = "StringGreaterThanEquals", stringGreaterThanEqualsPath = "StringGreaterThanEqualsPath"
    case stringMatches = "StringMatches"
    case numericEquals = "NumericEquals", numericEqualsPath = "NumericEqualsPath"
    case numericLessThan = "NumericLessThan", numericLessThanPath = "NumericLessThanPath"
    case numericGreaterThan = "NumericGreaterThan", numericGreaterThanPath = "NumericGreaterThanPath"
    case numericLessThanEquals = "NumericLessThanEquals", numericLessThanEqualsPath = "NumericLessThanEqualsPath"
    case numericGreaterThanEquals = "NumericGreaterThanEquals", numericGreaterThanEqualsPath = "NumericGreaterThanEqualsPath"
    case booleanEquals = "BooleanEquals", booleanEqualsPath = "BooleanEqualsPath"
    case timestampEquals = "TimestampEquals", timestampEqualsPath = "TimestampEqualsPath"
    case timestampLessThan = "TimestampLessThan", timestampLessThanPath = "TimestampLessThanPath"
    case timestampGreaterThan = "TimestampGreaterThan", timestampGreaterThanPath = "TimestampGreaterThanPath"
    case timestampLessThanEquals = "TimestampLessThanEquals", timestampLessThanEqualsPath = "TimestampLessThanEqualsPath"
    case timestampGreaterThanEquals = "TimestampGreaterThanEquals", timestampGreaterThanEqualsPath = "TimestampGreaterThanEqualsPath"
    case isNull = "IsNull", isPresent = "IsPresent", isNumeric = "IsNumeric", isString = "IsString"
    case isBoolean = "IsBoolean", isTimestamp = "IsTimestamp"

    enum Family { case string, numeric, boolean, timestamp, matches, typeTest }
    enum Relation { case equal, less, greater, lessOrEqual, greaterOrEqual }

    var isPathForm: Bool { rawValue.hasSuffix("Path") }

    var family: Family {
        let name = rawValue
        if self == .stringMatches { return .matches }
        if name.hasPrefix("Is") { return .typeTest }
        if name.hasPrefix("String") { return .string }
        if name.hasPrefix("Numeric") { return .numeric }
        if name.hasPrefix("Boolean") { return .boolean }
        return .timestamp
    }

    var relation: Relation {
        let name = isPathForm ? String(rawValue.dropLast(4)) : rawValue
        if name.hasSuffix("LessThanEquals") { return .lessOrEqual }
        if name.hasSuffix("GreaterThanEquals") { return .greaterOrEqual }
        if name.hasSuffix("LessThan") { return .less }
        if name.hasSuffix("GreaterThan") { return .greater }
        return .equal
    }
}

/// A Choice rule's condition: a comparison on `Variable`, or And / Or / Not of conditions.
public indirect enum ChoiceCondition: Sendable, Hashable {
    case and([ChoiceCondition])
    case or([ChoiceCondition])
    case not(ChoiceCondition)
    case compare(variable: JSONPath, ComparisonOperator, Operand)

    public enum Operand: Sendable, Hashable {
        case value(JSONValue)
        case path(JSONPath)
    }

    /// Evaluates against the Choice state's effective input. A Variable that selects nothing
    /// is a `States.Runtime` error, except for IsPresent.
    func evaluate(_ input: JSONValue, context: JSONValue, variables: JSONObject) throws(StatesError) -> Bool {
        switch self {
        case .and(let conditions):
            for condition in conditions where !(try condition.evaluate(input, context: context, variables: variables)) { return false }
            return true
        case .or(let conditions):
            for condition in conditions where try condition.evaluate(input, context: context, variables: variables) { return true }
            return false
        case .not(let condition):
            return !(try condition.evaluate(input, context: context, variables: variables))
        case .compare(let variable, let op, let operand):
            let selected = variable.select(in: input, context: context, variables: variables)
            if op == .isPresent {
                let present: Bool
                if let selected, variable.isDefinite || selected != .array([]) { present = true } else { present = false }
                return present == (operand == .value(.bool(true)))
            }
            // AWS: "An error occurred while executing the state 'IsDataset' (entered at the
            // event id #2). Invalid path '$.processing_type': The choice state's condition path
            // references an invalid value." (the prefix is added by the interpreter).
            guard let actual = selected else {
                throw StatesError.inState("Invalid path '\(variable.text)': The choice state's condition path references an invalid value.")
            }
            let expected: JSONValue
            switch operand {
            case .value(let value): expected = value
            case .path(let path):
                guard let value = path.select(in: input, context: context, variables: variables) else {
                    throw StatesError.inState("Invalid path '\(path.text)': The choice state's condition path references an invalid value.")
                }
                expected = value
            }
            return Self.compare(actual, op, expected)
        }
    }

    static func compare(_ actual: JSONValue, _ op: ComparisonOperator, _ expected: JSONValue) -> Bool {
        switch op.family {
        case .typeTest:
            let wanted = expected == .bool(true)
            let result: Bool
            switch op {
            case .isNull: result = actual == .null
            case .isNumeric: if case .number = actual { result = true } else { result = false }
            case .isString: if case .string = actual { result = true } else { result = false }
            case .isBoolean: if case .bool = actual { result = true } else { result = false }
            case .isTimestamp: result = actual.stringValue.flatMap(RFC3339.parse) != nil
            default: result = true
            }
            return result == wanted
        case .matches:
            guard case .string(let text) = actual, case .string(let pattern) = expected else { return false }
            return wildcardMatch(Array(text), pattern: Array(pattern))
        case .boolean:
            guard case .bool(let a) = actual, case .bool(let b) = expected else { return false }
            return a == b
        case .string:
            guard case .string(let a) = actual, case .string(let b) = expected else { return false }
            return relate(a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : (a == b ? 0 : 1), op.relation)
        case .numeric:
            guard case .number(let a) = actual, case .number(let b) = expected else { return false }
            return relate(a < b ? -1 : (a == b ? 0 : 1), op.relation)
        case .timestamp:
            guard let a = actual.stringValue.flatMap(RFC3339.parse), let b = expected.stringValue.flatMap(RFC3339.parse) else { return false }
            return relate(a < b ? -1 : (a == b ? 0 : 1), op.relation)
        }
    }

    private static func relate(_ ordering: Int, _ relation: ComparisonOperator.Relation) -> Bool {
        switch relation {
        case .equal: ordering == 0
        case .less: ordering < 0
        case .greater: ordering > 0
        case .lessOrEqual: ordering <= 0
        case .greaterOrEqual: ordering >= 0
        }
    }

    /// `*` matches any run of characters; `\*` and `\\` are literal.
    static func wildcardMatch(_ text: [Character], pattern: [Character]) -> Bool {
        enum Token: Equatable { case star, literal(Character) }
        var tokens: [Token] = []
        var index = 0
        while index < pattern.count {
            let character = pattern[index]
            if character == "\\", index + 1 < pattern.count {
                tokens.append(.literal(pattern[index + 1]))
                index += 2
                continue
            }
            tokens.append(character == "*" ? .star : .literal(character))
            index += 1
        }
        var t = 0, p = 0, starToken = -1, starText = 0
        while t < text.count {
            if p < tokens.count, tokens[p] == .literal(text[t]) {
                t += 1; p += 1
            } else if p < tokens.count, tokens[p] == .star {
                starToken = p; starText = t; p += 1
            } else if starToken >= 0 {
                p = starToken + 1; starText += 1; t = starText
            } else {
                return false
            }
        }
        while p < tokens.count, tokens[p] == .star { p += 1 }
        return p == tokens.count
    }
}

/// A top-level Choice rule: a condition and the state to go to when it holds.
public struct ChoiceRule: Sendable, Hashable {
    /// A JSONPath state's comparison tree, or a JSONata state's `Condition`.
    public enum Test: Sendable, Hashable {
        case jsonPath(ChoiceCondition)
        case jsonata(QueryTemplate)
    }

    public let test: Test
    public let next: String
    /// JSONata states: the rule's own `Output` and `Assign`, used when it matches.
    public let output: QueryTemplate?
    public let assign: Assignment?
}
