extension JSONataExpression {
    /// What the expression reads from its context value where that value is the input root:
    /// field names of a path's first step, and `$` and `$$` themselves. Step Functions
    /// evaluates with no context value and refuses definitions that read one; names inside
    /// predicates and later path steps are relative to other values and are not listed.
    public var topLevelReferences: [String] {
        var names: [String] = []
        Self.collect(root, atRoot: true, into: &names)
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// The `$name` variables the expression reads (bound by `:=` inside it or not).
    public var variableReferences: Set<String> { Set(variableUses.keys) }

    private static func collect(_ expr: Expr, atRoot: Bool, into names: inout [String]) {
        switch expr {
        case .string, .number, .bool, .null, .regex, .placeholder, .wildcard, .descendants:
            if atRoot, case .wildcard = expr { names.append("*") }
            if atRoot, case .descendants = expr { names.append("**") }
        case .name(let name): if atRoot { names.append(name) }
        case .variable(let name):
            if name == "$" { names.append("$$") } else if name.isEmpty, atRoot { names.append("$") }
        case .path(let path):
            for (index, step) in path.steps.enumerated() {
                collect(step.expression, atRoot: atRoot && index == 0, into: &names)
                for stage in step.stages { collect(stage, atRoot: false, into: &names) }
            }
            for (key, value) in path.group ?? [] {
                collect(key, atRoot: false, into: &names)
                collect(value, atRoot: false, into: &names)
            }
        case .negate(let operand, _): collect(operand, atRoot: atRoot, into: &names)
        case .arrayConstructor(let items, _): for item in items { collect(item, atRoot: atRoot, into: &names) }
        case .objectConstructor(let pairs, _):
            for (key, value) in pairs {
                collect(key, atRoot: atRoot, into: &names)
                collect(value, atRoot: atRoot, into: &names)
            }
        case .binary(_, let lhs, let rhs, _), .and(let lhs, let rhs), .or(let lhs, let rhs), .chain(let lhs, let rhs, _):
            collect(lhs, atRoot: atRoot, into: &names)
            collect(rhs, atRoot: atRoot, into: &names)
        case .condition(let condition, let then, let otherwise):
            for part in [condition, then] + (otherwise.map { [$0] } ?? []) { collect(part, atRoot: atRoot, into: &names) }
        case .block(let expressions): for item in expressions { collect(item, atRoot: atRoot, into: &names) }
        case .bind(_, let value, _): collect(value, atRoot: atRoot, into: &names)
        case .lambda(let lambda): collect(lambda.body, atRoot: atRoot, into: &names)
        case .call(let procedure, let arguments, _):
            collect(procedure, atRoot: atRoot, into: &names)
            for argument in arguments { collect(argument, atRoot: atRoot, into: &names) }
        case .filtered(let inner, let predicates, let group, _):
            collect(inner, atRoot: atRoot, into: &names)
            for predicate in predicates { collect(predicate, atRoot: false, into: &names) }
            for (key, value) in group ?? [] {
                collect(key, atRoot: false, into: &names)
                collect(value, atRoot: false, into: &names)
            }
        case .sort(let terms, _): for term in terms { collect(term.expression, atRoot: false, into: &names) }
        }
    }

    /// How the expression reads each `$name` variable it mentions: the analysis behind
    /// `variableUses`, made once when the expression is parsed.
    static func uses(of root: Expr) -> [String: VariableUse] {
        var uses: [String: VariableUse] = [:]
        variables(root, into: &uses)
        return uses
    }

    private static func variables(_ expr: Expr, into uses: inout [String: VariableUse]) {
        func visit(_ expr: Expr) { variables(expr, into: &uses) }
        switch expr {
        case .string, .number, .bool, .null, .regex, .placeholder, .wildcard, .descendants, .name: break
        case .variable(let name): if !name.isEmpty, name != "$" { uses[name] = .whole }
        case .path(let path):
            var steps = path.steps[...]
            // `$name.member…`: only the member is read from the variable's value.
            if steps.count >= 2, case .variable(let name) = steps[steps.startIndex].expression, !name.isEmpty, name != "$",
               steps[steps.startIndex].stages.isEmpty, case .name(let member) = steps[steps.startIndex + 1].expression {
                switch uses[name] {
                case .whole: break
                case .members(var members)?:
                    members.insert(member)
                    uses[name] = .members(members)
                case nil: uses[name] = .members([member])
                }
                steps = steps.dropFirst()
            }
            for step in steps {
                visit(step.expression)
                step.stages.forEach(visit)
            }
            for (key, value) in path.group ?? [] { visit(key); visit(value) }
        case .negate(let operand, _): visit(operand)
        case .arrayConstructor(let items, _): items.forEach(visit)
        case .objectConstructor(let pairs, _): for (key, value) in pairs { visit(key); visit(value) }
        case .binary(_, let lhs, let rhs, _), .and(let lhs, let rhs), .or(let lhs, let rhs), .chain(let lhs, let rhs, _):
            visit(lhs); visit(rhs)
        case .condition(let condition, let then, let otherwise):
            visit(condition); visit(then); otherwise.map(visit)
        case .block(let expressions): expressions.forEach(visit)
        case .bind(_, let value, _): visit(value)
        case .lambda(let lambda): visit(lambda.body)
        case .call(let procedure, let arguments, _): visit(procedure); arguments.forEach(visit)
        case .filtered(let inner, let predicates, let group, _):
            visit(inner); predicates.forEach(visit)
            for (key, value) in group ?? [] { visit(key); visit(value) }
        case .sort(let terms, _): for term in terms { visit(term.expression) }
        }
    }
}

/// How an expression reads a variable it mentions.
public enum VariableUse: Sendable, Hashable {
    /// Only through paths that start `$name.member`: the members named. Nothing else of the
    /// value can reach the result.
    case members(Set<String>)
    /// Any other way (on its own, as an argument, bound to another name, under a predicate,
    /// a wildcard…): all of it may be read.
    case whole

    /// Whether `member` of the value may be read.
    public func reads(_ member: String) -> Bool {
        switch self {
        case .whole: true
        case .members(let members): members.contains(member)
        }
    }
}
