import JSON
import JSONata

/// Which language a state's fields are written in: the machine's `QueryLanguage`, or the
/// state's own when it sets one.
public enum QueryLanguage: String, Sendable, Hashable, Codable {
    case jsonPath = "JSONPath"
    case jsonata = "JSONata"
}

/// A field of a JSONata state (`Arguments`, `Output`, `Assign`, `Condition`, `Items`, …): any
/// JSON, in which a string written `{% expression %}` is replaced by the expression's value,
/// at any depth. Compiled once, when the definition is read.
public indirect enum QueryTemplate: Sendable, Hashable {
    case literal(JSONValue)
    case expression(JSONataExpression)
    case object(keys: [String], values: [QueryTemplate])
    case array([QueryTemplate])

    /// The expression text of a `{% … %}` string (its delimiters must be the string's very
    /// first and last characters); nil for any other string.
    static func expressionText(_ text: String) -> String? {
        guard text.hasPrefix("{%"), text.hasSuffix("%}"), text.utf8.count >= 4 else { return nil }
        return String(text.dropFirst(2).dropLast(2)).trimmingWhitespace()
    }

    /// Compiles a field value; `problems` receives a (code, location, message) diagnostic for
    /// each expression that does not parse or that reads the context value Step Functions
    /// does not give.
    static func compile(_ value: JSONValue, location: String, problems: inout [(String, String, String)]) -> QueryTemplate {
        switch value {
        case .string(let text):
            guard let source = expressionText(text) else { return .literal(value) }
            do {
                let expression = try JSONataExpression(source)
                for name in expression.topLevelReferences {
                    problems.append(("UNSUPPORTED_JSONATA_EXPRESSION", location, "Reference to '\(name)' at the top level is not supported."))
                }
                return .expression(expression)
            } catch {
                problems.append(("INVALID_JSONATA_EXPRESSION", location, error.message))
                return .literal(value)
            }
        case .object(let object):
            var keys: [String] = []
            var values: [QueryTemplate] = []
            var dynamic = false
            for (key, child) in object {
                let compiled = compile(child, location: "\(location)/\(key)", problems: &problems)
                if case .literal = compiled {} else { dynamic = true }
                keys.append(key)
                values.append(compiled)
            }
            return dynamic ? .object(keys: keys, values: values) : .literal(value)
        case .array(let items):
            var compiled: [QueryTemplate] = []
            var dynamic = false
            for (index, item) in items.enumerated() {
                let template = compile(item, location: "\(location)[\(index)]", problems: &problems)
                if case .literal = template {} else { dynamic = true }
                compiled.append(template)
            }
            return dynamic ? .array(compiled) : .literal(value)
        default:
            return .literal(value)
        }
    }

    /// The field's value. An expression that fails, or yields nothing, is a
    /// `States.QueryEvaluationError` whose cause names the expression and the field as AWS's does.
    func evaluate(_ scope: inout JSONataScope, field: String) throws(StatesError) -> JSONValue {
        switch self {
        case .literal(let value): return value
        case .expression(let expression):
            let result: JSONValue?
            do {
                result = try expression.evaluate(nil, bindings: scope.bindings, functions: StepFunctionsFunctions.all,
                                                 nowMillis: scope.nowMillis, random: &scope.random)
            } catch {
                throw StatesError(StatesErrorName.queryEvaluationError,
                                  "The JSONata expression '\(expression.source)' specified for the field '\(field)' threw an error during evaluation. \(error.code): \(error.message)")
            }
            guard let result else {
                throw StatesError(StatesErrorName.queryEvaluationError,
                                  "The JSONata expression '\(expression.source)' specified for the field '\(field)' returned nothing (undefined).")
            }
            return result
        case .object(let keys, let values):
            var object = JSONObject()
            object.reserveCapacity(keys.count)
            for (key, value) in zip(keys, values) { object[key] = try value.evaluate(&scope, field: "\(field)/\(key)") }
            return .object(object)
        case .array(let items):
            var values: [JSONValue] = []
            values.reserveCapacity(items.count)
            for (index, item) in items.enumerated() { values.append(try item.evaluate(&scope, field: "\(field)[\(index)]")) }
            return .array(values)
        }
    }

    /// The JSONata expressions in the template, for counting in the bench.
    var expressionCount: Int {
        switch self {
        case .literal: 0
        case .expression: 1
        case .object(_, let values): values.reduce(0) { $0 + $1.expressionCount }
        case .array(let items): items.reduce(0) { $0 + $1.expressionCount }
        }
    }
}

/// A state's `Assign`: variable names and what each takes, in the state's language (JSONPath
/// states use `name.$` keys for paths and intrinsics, as Parameters does).
public enum Assignment: Sendable, Hashable {
    case jsonata(keys: [String], values: [QueryTemplate])
    case jsonPath(PayloadTemplate)
}

/// What a JSONata expression of a state sees: `$states` (input, context, and result or
/// errorOutput where the field allows them), the workflow's variables, the execution's clock
/// reading and its stored random generator.
struct JSONataScope {
    var bindings: [String: JSONValue]
    var nowMillis: Double
    var random: SplitMix64
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
