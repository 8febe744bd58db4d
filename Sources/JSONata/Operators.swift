import JSON
import OrderedCollections

extension Evaluator {
    func binary(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value, position: Int) throws(JSONataError) -> Value {
        switch op {
        case .add, .subtract, .multiply, .divide, .modulo:
            if !lhs.isUndefined, try !isNumber(lhs) {
                throw JSONataError("T2001", "The left side of the \(op.rawValue) operator must evaluate to a number", position: position)
            }
            if !rhs.isUndefined, try !isNumber(rhs) {
                throw JSONataError("T2002", "The right side of the \(op.rawValue) operator must evaluate to a number", position: position)
            }
            guard case .number(let l) = lhs, case .number(let r) = rhs else { return .undefined }
            switch op {
            case .add: return .number(l + r)
            case .subtract: return .number(l - r)
            case .multiply: return .number(l * r)
            case .divide: return .number(l / r)
            default: return .number(l.truncatingRemainder(dividingBy: r))
            }
        case .equal, .notEqual:
            if lhs.isUndefined || rhs.isUndefined { return .bool(false) }
            let equal = deepEqual(lhs, rhs)
            return .bool(op == .equal ? equal : !equal)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let comparable: (Value) -> Bool = { value in
                switch value {
                case .undefined, .string: true
                case .number(let number): number.isFinite
                default: false
                }
            }
            guard comparable(lhs), comparable(rhs) else {
                throw JSONataError("T2010", "The expressions either side of operator \"\(op.rawValue)\" must evaluate to numeric or string values", position: position)
            }
            if lhs.isUndefined || rhs.isUndefined { return .undefined }
            let ordering: Int
            switch (lhs, rhs) {
            case (.number(let l), .number(let r)): ordering = l < r ? -1 : (l > r ? 1 : 0)
            case (.string(let l), .string(let r)): ordering = compareUTF16(l, r)
            default:
                throw JSONataError("T2009", "The values \(describe(lhs)) and \(describe(rhs)) either side of operator \"\(op.rawValue)\" must be of the same data type", position: position)
            }
            switch op {
            case .less: return .bool(ordering < 0)
            case .lessOrEqual: return .bool(ordering <= 0)
            case .greater: return .bool(ordering > 0)
            default: return .bool(ordering >= 0)
            }
        case .concat:
            let l = lhs.isUndefined ? "" : try stringify(lhs)
            let r = rhs.isUndefined ? "" : try stringify(rhs)
            return .string(l + r)
        case .range:
            if !lhs.isUndefined, !isInteger(lhs) {
                throw JSONataError("T2003", "The left side of the range operator (..) must evaluate to an integer", position: position)
            }
            if !rhs.isUndefined, !isInteger(rhs) {
                throw JSONataError("T2004", "The right side of the range operator (..) must evaluate to an integer", position: position)
            }
            guard case .number(let l) = lhs, case .number(let r) = rhs else { return .undefined }
            guard l <= r else { return .array(Value.Sequence()) }
            guard r - l < 10_000_000 else {
                throw JSONataError("D2014", "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate \(numberText(r - l + 1)).", position: position)
            }
            return .array(Value.Sequence((Int(l)...Int(r)).map { .number(Double($0)) }))
        case .in:
            if lhs.isUndefined || rhs.isUndefined { return .bool(false) }
            let members = rhs.arrayItems ?? [rhs]
            return .bool(members.contains { deepEqual($0, lhs) })
        }
    }

    private func isNumber(_ value: Value) throws(JSONataError) -> Bool {
        guard case .number(let number) = value, !number.isNaN else { return false }
        guard number.isFinite else { throw JSONataError("D1001", "Number out of range: \(number)") }
        return true
    }

    private func isInteger(_ value: Value) -> Bool {
        if case .number(let number) = value { return number.isFinite && number.rounded() == number }
        return false
    }
}

/// JavaScript compares strings by UTF-16 code units; so does JSONata.
func compareUTF16(_ l: String, _ r: String) -> Int {
    var a = l.utf16.makeIterator(), b = r.utf16.makeIterator()
    while true {
        switch (a.next(), b.next()) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (let x?, let y?): if x != y { return x < y ? -1 : 1 }
        }
    }
}

/// JSONata's truthiness (`$boolean`): empty strings, zero, null, empty arrays and objects,
/// functions and undefined are false; an array is true when any member is.
func truthy(_ value: Value) -> Bool {
    switch value {
    case .undefined, .null, .function: return false
    case .bool(let value): return value
    case .number(let value): return value != 0
    case .string(let value): return !value.isEmpty
    case .jsonArray(let values): return values.contains { truthy(Value($0)) }
    case .array(let sequence): return sequence.items.contains(where: truthy)
    case .jsonObject(let object): return !object.isEmpty
    case .object(let object): return !object.isEmpty
    }
}

/// Structural equality: arrays by position, objects by key regardless of order.
func deepEqual(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.undefined, .undefined), (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.function(let x), .function(let y)): return x === y
    default: break
    }
    if let x = a.arrayItems, let y = b.arrayItems {
        return x.count == y.count && zip(x, y).allSatisfy { deepEqual($0, $1) }
    }
    if let x = a.objectEntries, let y = b.objectEntries {
        guard x.count == y.count else { return false }
        var lookup: [String: Value] = [:]
        for (key, value) in y { lookup[key] = value }
        return x.allSatisfy { key, value in lookup[key].map { deepEqual(value, $0) } ?? false }
    }
    return false
}

/// `$append` semantics: undefined is ignored, non-arrays are wrapped.
func append(_ a: Value, _ b: Value) -> Value {
    if a.isUndefined { return b }
    if b.isUndefined { return a }
    var items = a.arrayItems ?? [a]
    items.append(contentsOf: b.arrayItems ?? [b])
    return .array(Value.Sequence(items))
}

/// A value as error messages quote it.
func describe(_ value: Value) -> String {
    switch value {
    case .undefined: return "undefined"
    case .function: return "function"
    case .string(let text): return "\"\(text)\""
    default: return (try? stringify(value)) ?? value.typeName
    }
}

/// `$string`'s casting: strings as they are, numbers to 15 significant digits, functions to
/// "", everything else as compact JSON (with numbers the same way).
func stringify(_ value: Value, indent: Bool = false) throws(JSONataError) -> String {
    switch value {
    case .undefined: return ""
    case .string(let text): return text
    case .function: return ""
    case .number(let number):
        guard number.isFinite else {
            throw JSONataError("D3001", "Attempting to invoke string function on Infinity or NaN")
        }
        return numberText(roundToPrecision15(number))
    default:
        var output = ""
        try writeJSON(value, to: &output, indent: indent ? 2 : nil, level: 0)
        return output
    }
}

private func writeJSON(_ value: Value, to output: inout String, indent: Int?, level: Int) throws(JSONataError) {
    func newline(_ level: Int) {
        guard let indent else { return }
        output += "\n" + String(repeating: " ", count: indent * level)
    }
    switch value {
    case .undefined, .function: output += "null"
    case .null: output += "null"
    case .bool(let flag): output += flag ? "true" : "false"
    case .number(let number):
        guard number.isFinite else { output += "null"; return }
        output += numberText(roundToPrecision15(number))
    case .string(let text): output += JSONValue.string(text).serialized
    case .jsonArray, .array:
        let items = value.arrayItems ?? []
        guard !items.isEmpty else { output += "[]"; return }
        output += "["
        for (index, item) in items.enumerated() {
            if index > 0 { output += "," }
            newline(level + 1)
            try writeJSON(item, to: &output, indent: indent, level: level + 1)
        }
        newline(level)
        output += "]"
    case .jsonObject, .object:
        let entries = (value.objectEntries ?? []).filter { !$0.1.isFunction && !$0.1.isUndefined }
        guard !entries.isEmpty else { output += "{}"; return }
        output += "{"
        for (index, (key, member)) in entries.enumerated() {
            if index > 0 { output += "," }
            newline(level + 1)
            output += JSONValue.string(key).serialized + (indent == nil ? ":" : ": ")
            try writeJSON(member, to: &output, indent: indent, level: level + 1)
        }
        newline(level)
        output += "}"
    }
}
