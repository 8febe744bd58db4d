/// The parsed form of an expression, after the reference implementation's path processing:
/// `a.b[0].c` is one `path` of three steps, a predicate after a step filters that step's own
/// results (`stages`), and a predicate after anything else filters the whole value.
indirect enum Expr: Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case regex(RegexLiteral)
    /// A field name (a path step, or a one-step path on its own).
    case name(String)
    /// `$name`; `$` alone is the context value ("") and `$$` the input root ("$").
    case variable(String)
    case wildcard
    case descendants
    case path(Path)
    case negate(Expr, position: Int)
    case arrayConstructor([Expr], consArray: Bool)
    /// `{k: v, …}`: a grouping over the context value (over the whole sequence after a path).
    case objectConstructor([(Expr, Expr)], position: Int)
    case binary(BinaryOperator, Expr, Expr, position: Int)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case condition(Expr, Expr, Expr?)
    case block([Expr])
    case bind(String, Expr, position: Int)
    case lambda(Lambda)
    /// A call; a `placeholder` among the arguments makes it a partial application.
    case call(Expr, [Expr], position: Int)
    case placeholder
    /// `lhs ~> rhs`
    case chain(Expr, Expr, position: Int)
    /// Predicates and a grouping applied to a value that is not a path.
    case filtered(Expr, predicates: [Expr], group: [(Expr, Expr)]?, position: Int)
    /// `^(…)` as a path step.
    case sort([SortTerm], position: Int)
}

struct SortTerm: Sendable {
    let descending: Bool
    let expression: Expr
}

struct RegexLiteral: Sendable, Equatable {
    let pattern: String
    let caseInsensitive: Bool
    let multiline: Bool
}

enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case concat = "&", range = "..", `in` = "in"
}

struct Lambda: Sendable {
    let parameters: [String]
    let body: Expr
}

struct PathStep: Sendable {
    var expression: Expr
    /// Predicates applied to the results of this step for each input item.
    var stages: [Expr] = []
    /// `[]` after the step: keep a singleton result as an array.
    var keepArray = false
}

struct Path: Sendable {
    var steps: [PathStep]
    var keepSingletonArray = false
    var group: [(Expr, Expr)]?
    var groupPosition = 0
}
