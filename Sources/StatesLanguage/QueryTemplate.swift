import JSON
import JSONata
import Timekeeping

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
    /// `States.QueryEvaluationError` whose cause names the expression and the field as AWS's
    /// does. The field's name (`Arguments/orderId`) is spelled out only for that cause.
    func evaluate(_ scope: inout JSONataScope, field: @autoclosure () -> String) throws(StatesError) -> JSONValue {
        do {
            return try value(&scope)
        } catch {
            let name = field() + error.location.reversed().joined()
            if let problem = error.problem {
                throw StatesError(StatesErrorName.queryEvaluationError,
                                  "The JSONata expression '\(error.source)' specified for the field '\(name)' threw an error during evaluation. \(problem.code): \(problem.message)")
            }
            throw StatesError(StatesErrorName.queryEvaluationError,
                              "The JSONata expression '\(error.source)' specified for the field '\(name)' returned nothing (undefined).")
        }
    }

    /// An expression of the template that failed: where it sits below the field (innermost
    /// step first, `/key` or `[index]`), its text, and its error (nil: it yielded nothing).
    private struct Failure: Error {
        var location: [String] = []
        let source: String
        let problem: JSONataError?
    }

    private func value(_ scope: inout JSONataScope) throws(Failure) -> JSONValue {
        switch self {
        case .literal(let value): return value
        case .expression(let expression):
            let result: JSONValue?
            do {
                result = try scope.evaluate(expression)
            } catch {
                throw Failure(source: expression.source, problem: error)
            }
            guard let result else { throw Failure(source: expression.source, problem: nil) }
            return result
        case .object(let keys, let values):
            var object = JSONObject()
            object.reserveCapacity(keys.count)
            for (key, value) in zip(keys, values) {
                do {
                    object[key] = try value.value(&scope)
                } catch {
                    var failure = error
                    failure.location.append("/\(key)")
                    throw failure
                }
            }
            return .object(object)
        case .array(let items):
            var values: [JSONValue] = []
            values.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                do {
                    values.append(try item.value(&scope))
                } catch {
                    var failure = error
                    failure.location.append("[\(index)]")
                    throw failure
                }
            }
            return .array(values)
        }
    }

    /// Whether an expression of the template may read `$states.context`: the context object
    /// is built only for those (it costs more than most expressions).
    var readsContext: Bool {
        switch self {
        case .literal: false
        case .expression(let expression): expression.variableUses["states"]?.reads("context") ?? false
        case .object(_, let values): values.contains { $0.readsContext }
        case .array(let items): items.contains { $0.readsContext }
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
///
/// Each expression is given only the variables it mentions (`JSONataExpression.variableUses`),
/// and `$states.context` is left out until an expression that may read it is evaluated
/// (`Execution.evaluate` adds it then): no expression can tell the difference, and most
/// never pay for the context object.
struct JSONataScope {
    /// The run whose current state the fields belong to.
    let run: Int
    let input: JSONValue
    let result: JSONValue?
    let errorOutput: JSONValue?
    /// `$states.context`, once added.
    private(set) var context: JSONValue?
    /// `$states` as last built; nil until an expression reads it, and again after `context` is added.
    private var states: JSONValue?
    let variables: JSONObject
    var nowMillis: Double
    var random: SplitMix64
    /// What `$states.context.Task` and `.Map` hold for this field, when they are present.
    let taskToken: String?
    let mapItem: (Int, JSONValue)?

    init(run: Int, input: JSONValue, result: JSONValue?, errorOutput: JSONValue?, variables: JSONObject, nowMillis: Double,
         random: SplitMix64, taskToken: String?, mapItem: (Int, JSONValue)?) {
        self.run = run
        self.input = input
        self.result = result
        self.errorOutput = errorOutput
        self.variables = variables
        self.nowMillis = nowMillis
        self.random = random
        self.taskToken = taskToken
        self.mapItem = mapItem
    }

    mutating func addContext(_ context: JSONValue) {
        self.context = context
        states = nil
    }

    /// `$states`, its members in AWS's order.
    private mutating func statesValue() -> JSONValue {
        if let states { return states }
        var object = JSONObject()
        object.reserveCapacity(4)
        object["input"] = input
        if let context { object["context"] = context }
        if let result { object["result"] = result }
        if let errorOutput { object["errorOutput"] = errorOutput }
        let value = JSONValue.object(object)
        states = value
        return value
    }

    mutating func evaluate(_ expression: JSONataExpression) throws(JSONataError) -> JSONValue? {
        let states: JSONValue? = expression.variableUses["states"] == nil ? nil : statesValue()
        let variables = self.variables
        return try expression.evaluate(nil, variable: { name in name == "states" ? states : variables[name] },
                                       functions: StepFunctionsFunctions.all, nowMillis: nowMillis, random: &random)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
