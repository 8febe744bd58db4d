// JSONata — the JSONata query and transformation language (jsonata.org, version 2.0, the one
// AWS Step Functions runs), evaluated over the project's `JSONValue`.
//
// Hand-written: no Swift implementation of JSONata exists among the packages this project can
// use, and the language is small enough to carry. It follows the reference implementation's
// semantics — sequences that collapse to a single value, paths that map over arrays and
// flatten, predicates per step, grouping, order-by, lambdas with closures, partial
// application, `~>` chaining — and its error codes (`S0201`, `T2001`, `D3030`, …) with
// positions, because Step Functions reports them.
//
// Left out, each refused with a clear error rather than half done: `$eval` (Step Functions
// removes it too), the parent operator `%`, the `@` and `#` binding operators, the transform
// operator `| … |`, and the date/time picture strings of `$now`, `$fromMillis` and
// `$toMillis` (ISO 8601 is supported).
//
// Pure: no clock, no randomness, no I/O of its own. `$now()`/`$millis()` read the time the
// caller passes, `$random()`/`$shuffle()` draw from the caller's generator, and the caller may
// add or replace functions (Step Functions' `$partition`, `$uuid`, its seedable `$random`).
import JSON

/// A parsed JSONata expression: parse once (syntax errors come out here, with their
/// position), evaluate many times.
public struct JSONataExpression: Sendable, Hashable, CustomStringConvertible {
    public let source: String
    let root: Expr
    /// The `$name` variables it mentions and how it reads each: a caller may leave out
    /// values it would not read (no `$eval`, so no name is looked up that is not written here).
    public let variableUses: [String: VariableUse]

    public init(_ source: String) throws(JSONataError) {
        self.source = source
        var parser = try Parser(source)
        root = try parser.parseAll()
        variableUses = Self.uses(of: root)
    }

    public var description: String { source }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }

    /// Evaluates against `input` (nil: no input). Returns nil when the result is undefined.
    ///
    /// - Parameters:
    ///   - bindings: variables in scope, by name without the `$`.
    ///   - functions: the host's functions, by name without the `$`; they take precedence over
    ///     the standard library's.
    ///   - nowMillis: what `$now()` and `$millis()` report, in milliseconds since 1970 (UTC).
    ///   - random: the source of `$random()` and `$shuffle()`.
    public func evaluate<R: RandomNumberGenerator>(
        _ input: JSONValue?,
        bindings: [String: JSONValue] = [:],
        functions: [String: JSONataFunction] = [:],
        nowMillis: Double = 0,
        random: inout R
    ) throws(JSONataError) -> JSONValue? {
        try evaluate(input, variable: { bindings[$0] }, functions: functions, nowMillis: nowMillis, random: &random)
    }

    /// Evaluates against `input`, asking `variable` for the value of each `$name` the
    /// expression mentions (nil: not bound), once per name, before it starts; a name it does
    /// not mention is never asked for.
    public func evaluate<R: RandomNumberGenerator>(
        _ input: JSONValue?,
        variable: (String) -> JSONValue?,
        functions: [String: JSONataFunction] = [:],
        nowMillis: Double = 0,
        random: inout R
    ) throws(JSONataError) -> JSONValue? {
        let evaluator = Evaluator(random: random, nowMillis: nowMillis, hostFunctions: functions)
        defer { random = evaluator.random as! R }
        let frame = Frame(parent: nil)
        var context = input.map(Value.init) ?? .undefined
        for name in variableUses.keys {
            if let value = variable(name) { frame.bind(name, Value(value)) }
        }
        frame.bind("$", context)
        if context.isArray {
            // A top-level array is one input item, not a sequence to map over.
            var wrapper = Value.Sequence([context], isSequence: true)
            wrapper.outerWrapper = true
            context = .array(wrapper)
        }
        let result = try evaluator.evaluate(root, context, frame)
        return try result.json()
    }

    /// Evaluates with no clock reading and a fixed random source: for expressions that use
    /// neither (tests, validation).
    public func evaluate(_ input: JSONValue?, bindings: [String: JSONValue] = [:]) throws(JSONataError) -> JSONValue? {
        var random = FixedRandom()
        return try evaluate(input, bindings: bindings, random: &random)
    }
}

/// A generator for callers that have none: the same sequence every time.
private struct FixedRandom: RandomNumberGenerator {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
