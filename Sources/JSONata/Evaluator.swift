import JSON
import OrderedCollections

/// One evaluation: the clock reading and random source it was given, the host's functions,
/// and a depth count that turns runaway recursion into an error instead of a crash (the
/// stack engine runs on threads with small stacks).
final class Evaluator {
    var random: any RandomNumberGenerator
    let nowMillis: Double
    let hostFunctions: [String: JSONataFunction]
    private var depth = 0
    static let maximumDepth = 160

    init(random: any RandomNumberGenerator, nowMillis: Double, hostFunctions: [String: JSONataFunction]) {
        self.random = random
        self.nowMillis = nowMillis
        self.hostFunctions = hostFunctions
    }

    func evaluate(_ expr: Expr, _ input: Value, _ frame: Frame) throws(JSONataError) -> Value {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw JSONataError("U1001", "Stack overflow error: Check for non-terminating recursive function. Consider rewriting as tail-recursive.")
        }
        var result: Value
        switch expr {
        case .string(let text): result = .string(text)
        case .number(let value): result = .number(value)
        case .bool(let value): result = .bool(value)
        case .null: result = .null
        case .regex(let regex): result = .function(Function(.native(.regexMatcher(regex))))
        case .name(let name): result = lookup(input, name)
        case .variable(let name):
            if name.isEmpty {
                if case .array(let sequence) = input, sequence.outerWrapper, let first = sequence.items.first {
                    result = first
                } else {
                    result = input
                }
            } else if let value = frame.lookup(name) {
                result = value
            } else if let native = NativeFunction.named(name, host: hostFunctions) {
                result = .function(Function(.native(native)))
            } else {
                result = .undefined
            }
        case .wildcard: result = wildcard(input)
        case .descendants: result = descendants(input)
        case .path(let path): result = try evaluatePath(path, input, frame)
        case .negate(let operand, let position):
            let value = try evaluate(operand, input, frame)
            switch value {
            case .undefined: result = .undefined
            case .number(let number): result = .number(-number)
            default: throw JSONataError("D1002", "Cannot negate a non-numeric value: \(describe(value))", position: position)
            }
        case .arrayConstructor(let items, let consArray):
            var values: [Value] = []
            for item in items {
                let value = try evaluate(item, input, frame)
                if value.isUndefined { continue }
                if case .arrayConstructor = item {
                    values.append(value)
                } else if let members = value.arrayItems {
                    values.append(contentsOf: members)
                } else {
                    values.append(value)
                }
            }
            var sequence = Value.Sequence(values)
            sequence.cons = consArray
            result = .array(sequence)
        case .objectConstructor(let pairs, let position):
            result = try group(pairs, input, frame, position: position)
        case .binary(let op, let lhs, let rhs, let position):
            result = try binary(op, try evaluate(lhs, input, frame), try evaluate(rhs, input, frame), position: position)
        case .and(let lhs, let rhs):
            // Short-circuits: the right side is not evaluated when the left is false.
            result = .bool(false)
            if truthy(try evaluate(lhs, input, frame)) { result = .bool(truthy(try evaluate(rhs, input, frame))) }
        case .or(let lhs, let rhs):
            result = .bool(true)
            if !truthy(try evaluate(lhs, input, frame)) { result = .bool(truthy(try evaluate(rhs, input, frame))) }
        case .condition(let condition, let then, let otherwise):
            if truthy(try evaluate(condition, input, frame)) {
                result = try evaluate(then, input, frame)
            } else if let otherwise {
                result = try evaluate(otherwise, input, frame)
            } else {
                result = .undefined
            }
        case .block(let expressions):
            let inner = Frame(parent: frame)
            result = .undefined
            for expression in expressions { result = try evaluate(expression, input, inner) }
        case .bind(let name, let valueExpr, _):
            result = try evaluate(valueExpr, input, frame)
            frame.bind(name, result)
        case .lambda(let lambda):
            result = .function(Function(.lambda(lambda, frame, input: input)))
        case .call(let procedure, let arguments, let position):
            result = try call(procedure, arguments, input, frame, prepending: nil, position: position)
        case .placeholder:
            throw JSONataError("S0209", "A placeholder (?) can only be an argument of a function call")
        case .chain(let lhs, let rhs, let position):
            let value = try evaluate(lhs, input, frame)
            if case .call(let procedure, let arguments, let callPosition) = rhs {
                result = try call(procedure, arguments, input, frame, prepending: value, position: callPosition)
            } else {
                let function = try evaluate(rhs, input, frame)
                guard case .function(let second) = function else {
                    throw JSONataError("T2006", "The right side of the function application operator ~> must be a function", position: position)
                }
                if case .function(let first) = value {
                    // Function composition: a function that applies the left, then the right.
                    result = .function(Function(.native(.composition(first, second))))
                } else {
                    result = try apply(second, [value], input: input, position: position)
                }
            }
        case .filtered(let inner, let predicates, let grouping, let position):
            result = try evaluate(inner, input, frame)
            for predicate in predicates { result = try filter(predicate, result, frame) }
            if let grouping { result = try group(grouping, result, frame, position: position) }
        case .sort(let terms, let position):
            result = try sort(terms, input.arrayItems ?? [input], frame, position: position)
        }
        if case .array(let sequence) = result, sequence.isSequence {
            if sequence.items.isEmpty { return .undefined }
            if sequence.items.count == 1, !sequence.keepSingleton { return sequence.items[0] }
        }
        return result
    }

    // MARK: Paths

    private func evaluatePath(_ path: Path, _ input: Value, _ frame: Frame) throws(JSONataError) -> Value {
        var inputs: [Value]
        if case .variable = path.steps[0].expression {
            inputs = [input]
        } else {
            inputs = input.arrayItems ?? [input]
        }
        var result: Value = .undefined
        let last = path.steps.count - 1
        for (index, step) in path.steps.enumerated() {
            if index == 0, case .arrayConstructor(_, true) = step.expression {
                result = try evaluate(step.expression, .sequence(inputs), frame)
                for stage in step.stages { result = try filter(stage, result, frame) }
            } else {
                result = try evaluateStep(step, inputs, frame, isLast: index == last)
            }
            let items = result.arrayItems ?? (result.isUndefined ? [] : [result])
            if items.isEmpty { result = .undefined; break }
            inputs = items
        }
        if path.keepSingletonArray {
            var sequence: Value.Sequence
            switch result {
            case .array(let existing) where existing.isSequence: sequence = existing
            case .array, .jsonArray: sequence = Value.Sequence([result], isSequence: true)
            case .undefined: sequence = Value.Sequence([], isSequence: true)
            default: sequence = Value.Sequence([result], isSequence: true)
            }
            sequence.keepSingleton = true
            result = .array(sequence)
        }
        if let grouping = path.group {
            result = try group(grouping, result, frame, position: path.groupPosition)
        }
        return result
    }

    private func evaluateStep(_ step: PathStep, _ inputs: [Value], _ frame: Frame, isLast: Bool) throws(JSONataError) -> Value {
        if case .sort(let terms, let position) = step.expression {
            var sorted = try sort(terms, inputs, frame, position: position)
            for stage in step.stages { sorted = try filter(stage, sorted, frame) }
            return sorted
        }
        var results: [Value] = []
        results.reserveCapacity(inputs.count)
        for item in inputs {
            var value = try evaluate(step.expression, item, frame)
            for stage in step.stages { value = try filter(stage, value, frame) }
            if value.isUndefined { continue }
            if case .array(let sequence) = value, sequence.isSequence, sequence.items.isEmpty { continue }
            results.append(value)
        }
        if isLast, results.count == 1, results[0].isArray, !results[0].isSequence {
            return results[0]
        }
        var flat: [Value] = []
        flat.reserveCapacity(results.count)
        for value in results {
            switch value {
            case .array(let sequence) where !sequence.cons: flat.append(contentsOf: sequence.items)
            case .jsonArray(let values): flat.append(contentsOf: values.map(Value.init))
            default: flat.append(value)
            }
        }
        return .sequence(flat)
    }

    /// A field of an object, or of each object in an array (arrays found are flattened once).
    func lookup(_ input: Value, _ key: String) -> Value {
        switch input {
        case .jsonObject(let object): return object[key].map(Value.init) ?? .undefined
        case .object(let object): return object[key] ?? .undefined
        case .jsonArray, .array:
            var results: [Value] = []
            for item in input.arrayItems ?? [] {
                let value = lookup(item, key)
                if let members = value.arrayItems { results.append(contentsOf: members) } else if !value.isUndefined { results.append(value) }
            }
            return .sequence(results)
        default: return .undefined
        }
    }

    private func wildcard(_ input: Value) -> Value {
        var input = input
        if case .array(let sequence) = input, sequence.outerWrapper, let first = sequence.items.first { input = first }
        var results: [Value] = []
        for (_, value) in input.objectEntries ?? [] {
            if value.isArray { flatten(value, into: &results) } else { results.append(value) }
        }
        return .sequence(results)
    }

    func flatten(_ value: Value, into results: inout [Value]) {
        if let items = value.arrayItems {
            for item in items { flatten(item, into: &results) }
        } else {
            results.append(value)
        }
    }

    private func descendants(_ input: Value) -> Value {
        if input.isUndefined { return .undefined }
        var results: [Value] = []
        func recurse(_ value: Value) {
            if let items = value.arrayItems {
                for item in items { recurse(item) }
                return
            }
            results.append(value)
            for (_, member) in value.objectEntries ?? [] { recurse(member) }
        }
        recurse(input)
        return results.count == 1 ? results[0] : .sequence(results)
    }

    // MARK: Predicates, grouping, sorting

    func filter(_ predicate: Expr, _ input: Value, _ frame: Frame) throws(JSONataError) -> Value {
        if input.isUndefined { return .sequence() }
        let items = input.arrayItems ?? [input]
        if case .number(let literal) = predicate {
            var index = Int(literal.rounded(.down))
            if index < 0 { index += items.count }
            guard items.indices.contains(index) else { return .sequence() }
            let item = items[index]
            if let members = item.arrayItems { return .sequence(members) }
            return .sequence([item])
        }
        var results: [Value] = []
        for (index, item) in items.enumerated() {
            let value = try evaluate(predicate, item, frame)
            if case .number(let number) = value {
                var wanted = Int(number.rounded(.down))
                if wanted < 0 { wanted += items.count }
                if wanted == index { results.append(item) }
            } else if let members = value.arrayItems, !members.isEmpty, members.allSatisfy({ if case .number = $0 { true } else { false } }) {
                for member in members {
                    guard case .number(let number) = member else { continue }
                    var wanted = Int(number.rounded(.down))
                    if wanted < 0 { wanted += items.count }
                    if wanted == index { results.append(item); break }
                }
            } else if truthy(value) {
                results.append(item)
            }
        }
        return .sequence(results)
    }

    /// `{k: v}` over each item of the input: items are grouped by their key, and the value
    /// expression is evaluated once per group with the group's items as its context.
    func group(_ pairs: [(Expr, Expr)], _ input: Value, _ frame: Frame, position: Int) throws(JSONataError) -> Value {
        var items = input.arrayItems ?? [input]
        if items.isEmpty { items = [.undefined] }
        var groups: OrderedDictionary<String, (data: Value, pair: Int)> = [:]
        for item in items {
            for (pairIndex, pair) in pairs.enumerated() {
                let key = try evaluate(pair.0, item, frame)
                if key.isUndefined { continue }
                guard case .string(let name) = key else {
                    throw JSONataError("T1003", "Key in object structure must evaluate to a string; got: \(describe(key))", position: position)
                }
                if let existing = groups[name] {
                    guard existing.pair == pairIndex else {
                        throw JSONataError("D1009", "Multiple key definitions evaluate to same key: \(name)", position: position)
                    }
                    groups[name] = (append(existing.data, item), pairIndex)
                } else {
                    groups[name] = (item, pairIndex)
                }
            }
        }
        var result = OrderedDictionary<String, Value>()
        for (key, entry) in groups {
            let value = try evaluate(pairs[entry.pair].1, entry.data, frame)
            if !value.isUndefined { result[key] = value }
        }
        return .object(result)
    }

    private func sort(_ terms: [SortTerm], _ items: [Value], _ frame: Frame, position: Int) throws(JSONataError) -> Value {
        var keyed: [(item: Value, keys: [Value])] = []
        keyed.reserveCapacity(items.count)
        for item in items {
            var keys: [Value] = []
            for term in terms { keys.append(try evaluate(term.expression, item, frame)) }
            keyed.append((item, keys))
        }
        var failure: JSONataError?
        func ordered(_ a: [Value], _ b: [Value]) -> Bool {
            for (index, term) in terms.enumerated() {
                let (x, y) = (a[index], b[index])
                if x.isUndefined, y.isUndefined { continue }
                if x.isUndefined { return false }
                if y.isUndefined { return true }
                var comparison = 0
                switch (x, y) {
                case (.number(let l), .number(let r)): comparison = l < r ? -1 : (l > r ? 1 : 0)
                case (.string(let l), .string(let r)): comparison = l < r ? -1 : (l > r ? 1 : 0)
                case (.number, .string), (.string, .number):
                    failure = failure ?? JSONataError("T2007", "Type mismatch when comparing values \(describe(x)) and \(describe(y)) in order-by clause", position: position)
                    return false
                default:
                    failure = failure ?? JSONataError("T2008", "The expressions within an order-by clause must evaluate to numeric or string values", position: position)
                    return false
                }
                if comparison == 0 { continue }
                return term.descending ? comparison > 0 : comparison < 0
            }
            return false
        }
        let sorted = stableSort(keyed) { ordered($0.keys, $1.keys) }
        if let failure { throw failure }
        return .sequence(sorted.map(\.item))
    }

    // MARK: Functions

    private func call(_ procedure: Expr, _ argumentExprs: [Expr], _ input: Value, _ frame: Frame,
                      prepending first: Value?, position: Int) throws(JSONataError) -> Value {
        let target = try evaluate(procedure, input, frame)
        guard case .function(let function) = target else {
            // The reference implementation's hint when a built-in was called without its `$`.
            if case .path(let path) = procedure, path.steps.count == 1, case .name(let name) = path.steps[0].expression,
               frame.lookup(name) != nil || NativeFunction.named(name, host: hostFunctions) != nil {
                throw JSONataError("T1005", "Attempted to invoke a non-function. Did you mean \"$\(name)\"?", position: position)
            }
            throw JSONataError("T1006", "Attempted to invoke a non-function", position: position)
        }
        var arguments: [Value?] = []
        if let first { arguments.append(first) }
        var isPartial = false
        for argument in argumentExprs {
            if case .placeholder = argument {
                isPartial = true
                arguments.append(nil)
            } else {
                arguments.append(try evaluate(argument, input, frame))
            }
        }
        if isPartial { return .function(Function(.partial(function, arguments: arguments))) }
        return try apply(function, arguments.map { $0! }, input: input, position: position)
    }

    func apply(_ function: Function, _ arguments: [Value], input: Value, position: Int? = nil) throws(JSONataError) -> Value {
        switch function.body {
        case .lambda(let lambda, let closure, let definedInput):
            let frame = Frame(parent: closure)
            for (index, name) in lambda.parameters.enumerated() {
                frame.bind(name, index < arguments.count ? arguments[index] : .undefined)
            }
            return try evaluate(lambda.body, definedInput, frame)
        case .native(let native):
            do {
                return try native.invoke(self, arguments, input: input)
            } catch {
                guard error.position == nil, let position else { throw error }
                throw JSONataError(error.code, error.message, position: position)
            }
        case .partial(let inner, let template):
            var remaining = arguments.makeIterator()
            let filled = template.map { $0 ?? (remaining.next() ?? .undefined) }
            return try apply(inner, filled, input: input, position: position)
        }
    }

    /// Calls a function argument of a higher-order function with as many of (value, index,
    /// array) as it declares.
    func applyCallback(_ function: Function, _ candidates: [Value], input: Value) throws(JSONataError) -> Value {
        let count = min(max(function.arity, 1), candidates.count)
        return try apply(function, Array(candidates.prefix(count)), input: input)
    }
}

/// A merge sort: the standard library's sort is not guaranteed stable, and `^(…)` and `$sort` are.
func stableSort<T>(_ items: [T], by before: (T, T) -> Bool) -> [T] {
    guard items.count > 1 else { return items }
    let middle = items.count / 2
    let left = stableSort(Array(items[..<middle]), by: before)
    let right = stableSort(Array(items[middle...]), by: before)
    var merged: [T] = []
    merged.reserveCapacity(items.count)
    var (i, j) = (0, 0)
    while i < left.count, j < right.count {
        if before(right[j], left[i]) { merged.append(right[j]); j += 1 } else { merged.append(left[i]); i += 1 }
    }
    merged.append(contentsOf: left[i...])
    merged.append(contentsOf: right[j...])
    return merged
}
