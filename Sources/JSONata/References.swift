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
    public var variableReferences: Set<String> {
        var names = Set<String>()
        Self.variables(root, into: &names)
        return names
    }

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

    private static func variables(_ expr: Expr, into names: inout Set<String>) {
        func visit(_ expr: Expr) { variables(expr, into: &names) }
        switch expr {
        case .string, .number, .bool, .null, .regex, .placeholder, .wildcard, .descendants, .name: break
        case .variable(let name): if !name.isEmpty, name != "$" { names.insert(name) }
        case .path(let path):
            for step in path.steps {
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
