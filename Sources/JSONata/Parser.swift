/// A Pratt parser for JSONata, with the binding powers of the reference implementation, that
/// builds paths as it goes (see `Expr`).
struct Parser {
    private var lexer: Lexer
    private var token: Token
    /// Whether the token just consumed ended an operand, so a following `/` divides.
    private var lastEndedOperand = false

    init(_ text: String) throws(JSONataError) {
        lexer = Lexer(text)
        token = try lexer.next(operandExpected: true)
    }

    mutating func parseAll() throws(JSONataError) -> Expr {
        let expr = try expression(0)
        guard case .end = token.kind else {
            throw JSONataError("S0201", "Syntax error: \(describe(token))", position: token.start)
        }
        return expr
    }

    // MARK: Tokens

    private mutating func advance() throws(JSONataError) -> Token {
        let current = token
        switch current.kind {
        case .name, .variable, .string, .number, .value, .regex: lastEndedOperand = true
        case .op(let op): lastEndedOperand = op == ")" || op == "]" || op == "}"
        case .end: lastEndedOperand = false
        }
        token = try lexer.next(operandExpected: !lastEndedOperand)
        return current
    }

    private mutating func expect(_ op: String) throws(JSONataError) {
        guard case .op(op) = token.kind else {
            if case .end = token.kind {
                throw JSONataError("S0203", "Expected \"\(op)\" before end of expression", position: token.start)
            }
            throw JSONataError("S0202", "Expected \"\(op)\", got \(describe(token))", position: token.start)
        }
        _ = try advance()
    }

    private func isOp(_ op: String) -> Bool {
        if case .op(op) = token.kind { return true }
        return false
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .op(let op): return "\"\(op)\""
        case .name(let name): return "\"\(name)\""
        case .variable(let name): return "\"$\(name)\""
        case .string(let text): return "\"\(text)\""
        case .number(let value): return "\"\(numberText(value))\""
        case .value(.bool(let value)): return "\"\(value)\""
        case .value(.null): return "\"null\""
        case .regex(let regex): return "\"/\(regex.pattern)/\""
        case .end: return "end of expression"
        }
    }

    private static let bindingPowers: [String: Int] = [
        ".": 75, "[": 80, "{": 70, "(": 80, "@": 80, "#": 80, "?": 20, "+": 50, "-": 50, "*": 60, "/": 60,
        "%": 60, "=": 40, "<": 40, ">": 40, "^": 40, "..": 20, ":=": 10, "!=": 40, "<=": 40, ">=": 40,
        "~>": 40, "and": 30, "or": 25, "in": 40, "&": 50,
    ]

    private var nextBindingPower: Int {
        if case .op(let op) = token.kind { return Self.bindingPowers[op] ?? 0 }
        return 0
    }

    // MARK: Expressions

    mutating func expression(_ rightBindingPower: Int) throws(JSONataError) -> Expr {
        let first = try advance()
        var left = try prefix(first)
        while rightBindingPower < nextBindingPower {
            let op = try advance()
            left = try infix(op, left)
        }
        return left
    }

    private mutating func prefix(_ t: Token) throws(JSONataError) -> Expr {
        switch t.kind {
        case .name(let name): return .path(Path(steps: [PathStep(expression: .name(name))]))
        case .variable(let name): return .variable(name)
        case .string(let text): return .string(text)
        case .number(let value): return .number(value)
        case .value(.bool(let value)): return .bool(value)
        case .value(.null): return .null
        case .regex(let regex): return .regex(regex)
        case .end: throw JSONataError("S0207", "Unexpected end of expression", position: t.start)
        case .op(let op):
            switch op {
            case "and", "or", "in": return .path(Path(steps: [PathStep(expression: .name(op))]))
            case "-":
                let operand = try expression(70)
                if case .number(let value) = operand { return .number(-value) }
                return .negate(operand, position: t.start)
            case "*": return .wildcard
            case "**": return .descendants
            case "?": return .placeholder
            case "(":
                var expressions: [Expr] = []
                while !isOp(")") {
                    expressions.append(try expression(0))
                    guard isOp(";") else { break }
                    _ = try advance()
                }
                try expect(")")
                return .block(expressions)
            case "[":
                var items: [Expr] = []
                if !isOp("]") {
                    while true {
                        items.append(try expression(0))
                        guard isOp(",") else { break }
                        _ = try advance()
                    }
                }
                try expect("]")
                return .arrayConstructor(items, consArray: false)
            case "{":
                return .objectConstructor(try pairs(), position: t.start)
            case "|":
                throw JSONataError("S0217", "The transform operator (| … |) is not supported by this evaluator", position: t.start)
            case "%":
                throw JSONataError("S0217", "The parent operator (%) is not supported by this evaluator", position: t.start)
            default:
                throw JSONataError("S0211", "The symbol \(op) cannot be used as a unary operator", position: t.start)
            }
        }
    }

    /// `k: v, …}` after an opening brace.
    private mutating func pairs() throws(JSONataError) -> [(Expr, Expr)] {
        var pairs: [(Expr, Expr)] = []
        if !isOp("}") {
            while true {
                let key = try expression(0)
                try expect(":")
                let value = try expression(0)
                pairs.append((key, value))
                guard isOp(",") else { break }
                _ = try advance()
            }
        }
        try expect("}")
        return pairs
    }

    private mutating func infix(_ t: Token, _ left: Expr) throws(JSONataError) -> Expr {
        guard case .op(let op) = t.kind else { throw JSONataError("S0201", "Syntax error: \(describe(t))", position: t.start) }
        switch op {
        case ".":
            let right = try expression(75)
            return try joinPath(left, right, position: t.start)
        case "[":
            if isOp("]") {
                _ = try advance()
                if case .path(var path) = left, path.group == nil {
                    path.steps[path.steps.count - 1].keepArray = true
                    path.keepSingletonArray = true
                    return .path(path)
                }
                var path = Path(steps: [PathStep(expression: left, keepArray: true)])
                path.keepSingletonArray = true
                return .path(path)
            }
            let predicate = try expression(0)
            try expect("]")
            if case .path(var path) = left, path.group == nil {
                path.steps[path.steps.count - 1].stages.append(predicate)
                return .path(path)
            }
            if case .filtered(let inner, var predicates, nil, let position) = left {
                predicates.append(predicate)
                return .filtered(inner, predicates: predicates, group: nil, position: position)
            }
            return .filtered(left, predicates: [predicate], group: nil, position: t.start)
        case "{":
            let group = try pairs()
            if case .path(var path) = left {
                guard path.group == nil else {
                    throw JSONataError("S0210", "Each step can only have one grouping expression", position: t.start)
                }
                path.group = group
                path.groupPosition = t.start
                return .path(path)
            }
            if case .filtered(let inner, let predicates, let existing, let position) = left {
                guard existing == nil else {
                    throw JSONataError("S0210", "Each step can only have one grouping expression", position: t.start)
                }
                return .filtered(inner, predicates: predicates, group: group, position: position)
            }
            return .filtered(left, predicates: [], group: group, position: t.start)
        case "(":
            var arguments: [Expr] = []
            if !isOp(")") {
                while true {
                    arguments.append(try expression(0))
                    guard isOp(",") else { break }
                    _ = try advance()
                }
            }
            try expect(")")
            if case .path(let path) = left, path.steps.count == 1, case .name("function") = path.steps[0].expression {
                return try lambda(arguments, position: t.start)
            }
            return .call(left, arguments, position: t.start)
        case "^":
            try expect("(")
            var terms: [SortTerm] = []
            while true {
                var descending = false
                if isOp("<") { _ = try advance() } else if isOp(">") { _ = try advance(); descending = true }
                terms.append(SortTerm(descending: descending, expression: try expression(0)))
                guard isOp(",") else { break }
                _ = try advance()
            }
            try expect(")")
            var path: Path
            if case .path(let existing) = left, existing.group == nil { path = existing } else { path = Path(steps: [PathStep(expression: left)]) }
            path.steps.append(PathStep(expression: .sort(terms, position: t.start)))
            return .path(path)
        case "?":
            let then = try expression(0)
            var otherwise: Expr?
            if isOp(":") {
                _ = try advance()
                otherwise = try expression(0)
            }
            return .condition(left, then, otherwise)
        case ":=":
            guard case .variable(let name) = left else {
                throw JSONataError("S0212", "The left side of := must be a variable name (start with $)", position: t.start)
            }
            return .bind(name, try expression(9), position: t.start)
        case "~>":
            return .chain(left, try expression(40), position: t.start)
        case "and": return .and(left, try expression(30))
        case "or": return .or(left, try expression(25))
        case "@", "#":
            throw JSONataError("S0218", "The \(op) binding operator is not supported by this evaluator", position: t.start)
        default:
            guard let binary = BinaryOperator(rawValue: op), let power = Self.bindingPowers[op] else {
                throw JSONataError("S0201", "Syntax error: \(describe(t))", position: t.start)
            }
            return .binary(binary, left, try expression(power), position: t.start)
        }
    }

    /// `function($a, $b) { body }` (an optional `<signature>` before the body is read and not enforced).
    private mutating func lambda(_ arguments: [Expr], position: Int) throws(JSONataError) -> Expr {
        var parameters: [String] = []
        for argument in arguments {
            guard case .variable(let name) = argument else {
                throw JSONataError("S0208", "Parameter \(parameters.count + 1) of function definition must be a variable name (start with $)", position: position)
            }
            parameters.append(name)
        }
        if isOp("<") {
            // A type signature: skip to the matching `>`.
            var depth = 0
            repeat {
                if isOp("<") { depth += 1 } else if isOp(">") { depth -= 1 }
                if case .end = token.kind { throw JSONataError("S0401", "Type signature is not terminated", position: token.start) }
                _ = try advance()
            } while depth > 0
        }
        try expect("{")
        let body = try expression(0)
        try expect("}")
        return .lambda(Lambda(parameters: parameters, body: body))
    }

    /// `left.right`: one path whose steps are those of both sides.
    private func joinPath(_ left: Expr, _ right: Expr, position: Int) throws(JSONataError) -> Expr {
        var path: Path
        if case .path(let existing) = left, existing.group == nil {
            path = existing
        } else {
            path = Path(steps: [PathStep(expression: left)])
        }
        let firstNewStep = path.steps.count
        switch right {
        case .path(let tail) where tail.group == nil:
            path.steps.append(contentsOf: tail.steps)
            if tail.keepSingletonArray { path.keepSingletonArray = true }
        case .filtered(let inner, let predicates, nil, _):
            path.steps.append(PathStep(expression: inner, stages: predicates))
        default:
            path.steps.append(PathStep(expression: right))
        }
        for index in firstNewStep..<path.steps.count {
            switch path.steps[index].expression {
            case .string(let text): path.steps[index].expression = .name(text)
            case .number(let value):
                throw JSONataError("S0213", "The literal value \(numberText(value)) cannot be used as a step within a path expression", position: position)
            case .bool(let value):
                throw JSONataError("S0213", "The literal value \(value) cannot be used as a step within a path expression", position: position)
            case .null:
                throw JSONataError("S0213", "The literal value null cannot be used as a step within a path expression", position: position)
            default: break
            }
        }
        for index in [0, path.steps.count - 1] {
            if case .arrayConstructor(let items, _) = path.steps[index].expression {
                path.steps[index].expression = .arrayConstructor(items, consArray: true)
            }
        }
        return .path(path)
    }
}
