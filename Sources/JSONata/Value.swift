import JSON
import OrderedCollections

/// A value during evaluation. Beyond JSON it has `undefined` (no value, which JSON cannot
/// hold), sequences (the results of a path, which collapse to their single item), and
/// functions. Objects and arrays read from the input stay `JSONValue` until something builds
/// a new one, so navigating a large input copies nothing.
enum Value {
    case undefined
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case jsonArray([JSONValue])
    case jsonObject(JSONObject)
    case array(Sequence)
    case object(OrderedDictionary<String, Value>)
    case function(Function)

    /// An array built during evaluation, with the flags that steer path flattening.
    struct Sequence {
        var items: [Value]
        /// A path's result sequence (collapses to its item when it has one).
        var isSequence = false
        /// `[]` in a path: a singleton sequence stays an array.
        var keepSingleton = false
        /// Built by an array constructor step: not flattened into the path's results.
        var cons = false
        /// The top-level input array wrapped so a path treats it as one item.
        var outerWrapper = false

        init(_ items: [Value] = [], isSequence: Bool = false) {
            self.items = items
            self.isSequence = isSequence
        }
    }

    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let value): self = .number(value)
        case .string(let value): self = .string(value)
        case .array(let values): self = .jsonArray(values)
        case .object(let object): self = .jsonObject(object)
        }
    }

    static func sequence(_ items: [Value] = []) -> Value { .array(Sequence(items, isSequence: true)) }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    var isArray: Bool {
        switch self {
        case .jsonArray, .array: true
        default: false
        }
    }

    var isSequence: Bool {
        if case .array(let sequence) = self { return sequence.isSequence }
        return false
    }

    var isObject: Bool {
        switch self {
        case .jsonObject, .object: true
        default: false
        }
    }

    var isFunction: Bool {
        if case .function = self { return true }
        return false
    }

    /// The members of an array value; nil for anything else.
    var arrayItems: [Value]? {
        switch self {
        case .jsonArray(let values): values.map(Value.init)
        case .array(let sequence): sequence.items
        default: nil
        }
    }

    var count: Int {
        switch self {
        case .jsonArray(let values): values.count
        case .array(let sequence): sequence.items.count
        default: 1
        }
    }

    /// The object's keys in order; nil for anything else.
    var objectKeys: [String]? {
        switch self {
        case .jsonObject(let object): Array(object.keys)
        case .object(let object): Array(object.keys)
        default: nil
        }
    }

    func member(_ key: String) -> Value {
        switch self {
        case .jsonObject(let object): object[key].map(Value.init) ?? .undefined
        case .object(let object): object[key] ?? .undefined
        default: .undefined
        }
    }

    /// Object entries in order; nil for anything else.
    var objectEntries: [(String, Value)]? {
        switch self {
        case .jsonObject(let object): object.map { ($0.key, Value($0.value)) }
        case .object(let object): object.map { ($0.key, $0.value) }
        default: nil
        }
    }

    /// The JSON form: undefined is nil, functions are dropped from arrays and objects (and
    /// are nil on their own), as JSON.stringify does.
    func json() throws(JSONataError) -> JSONValue? {
        switch self {
        case .undefined, .function: return nil
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .number(let value):
            guard value.isFinite else { throw JSONataError("D1001", "Number out of range: \(value)") }
            return .number(value)
        case .string(let value): return .string(value)
        case .jsonArray(let values): return .array(values)
        case .jsonObject(let object): return .object(object)
        case .array(let sequence):
            var values: [JSONValue] = []
            values.reserveCapacity(sequence.items.count)
            for item in sequence.items {
                // JSON.stringify writes null for an undefined or function array member.
                values.append(try item.json() ?? .null)
            }
            return .array(values)
        case .object(let object):
            var result = JSONObject()
            result.reserveCapacity(object.count)
            for (key, value) in object {
                if let json = try value.json() { result[key] = json }
            }
            return .object(result)
        }
    }

    var typeName: String {
        switch self {
        case .undefined: "undefined"
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .jsonArray, .array: "array"
        case .jsonObject, .object: "object"
        case .function: "function"
        }
    }
}

/// A callable value: a lambda with the frame it closed over, a built-in, or a partial application.
final class Function {
    enum Body {
        case lambda(Lambda, Frame, input: Value)
        case native(NativeFunction)
        case partial(Function, arguments: [Value?])
    }

    let body: Body

    init(_ body: Body) { self.body = body }

    /// How many arguments it declares: the higher-order functions pass only that many.
    var arity: Int {
        switch body {
        case .lambda(let lambda, _, _): lambda.parameters.count
        case .native(let native): native.callbackArity
        case .partial(_, let arguments): arguments.filter { $0 == nil }.count
        }
    }
}

/// The variables in scope: a block or a lambda call opens a frame on its parent's.
final class Frame {
    private var bindings: [String: Value] = [:]
    let parent: Frame?

    init(parent: Frame?) { self.parent = parent }

    func bind(_ name: String, _ value: Value) { bindings[name] = value }

    func lookup(_ name: String) -> Value? {
        var frame: Frame? = self
        while let current = frame {
            if let value = current.bindings[name] { return value }
            frame = current.parent
        }
        return nil
    }
}
