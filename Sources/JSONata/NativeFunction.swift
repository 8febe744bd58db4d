import JSON

/// A function the host adds to the language (Step Functions' `$partition`, `$uuid`, …), or
/// one it replaces (its seedable `$random`). It sees its arguments as JSON (nil for
/// undefined) and the evaluation's random source.
public struct JSONataFunction: Sendable {
    public typealias Body = @Sendable (_ arguments: [JSONValue?], _ random: inout any RandomNumberGenerator) throws(JSONataError) -> JSONValue?

    public let name: String
    public let maximumArguments: Int
    public let body: Body

    public init(name: String, maximumArguments: Int, body: @escaping Body) {
        self.name = name
        self.maximumArguments = maximumArguments
        self.body = body
    }
}

/// A function implemented here rather than in the language.
struct NativeFunction {
    enum Kind {
        case builtin(Builtin)
        case host(JSONataFunction)
        /// A regular expression literal is a function of a string returning its first match.
        case regexMatcher(RegexLiteral)
        /// `f ~> g` where both are functions.
        case composition(Function, Function)
    }

    let kind: Kind

    var maximumArguments: Int {
        switch kind {
        case .builtin(let builtin): builtin.maximumArguments
        case .host(let host): host.maximumArguments
        case .regexMatcher: 1
        case .composition(let first, _): first.arity
        }
    }

    /// How many of (value, index, array) a higher-order function passes it: a built-in takes
    /// its required arguments only, so `$map(xs, $string)` does not pass an index as `$string`'s
    /// optional `prettify`.
    var callbackArity: Int {
        if case .builtin(let builtin) = kind { return Swift.max(builtin.minimumArguments, 1) }
        return maximumArguments
    }

    static func regexMatcher(_ regex: RegexLiteral) -> NativeFunction { NativeFunction(kind: .regexMatcher(regex)) }
    static func composition(_ first: Function, _ second: Function) -> NativeFunction {
        NativeFunction(kind: .composition(first, second))
    }

    /// `$name` when no variable of that name is bound: the host's function first, then the
    /// standard library.
    static func named(_ name: String, host: [String: JSONataFunction]) -> NativeFunction? {
        if let function = host[name] { return NativeFunction(kind: .host(function)) }
        if let builtin = Builtin(rawValue: name), builtin.isAvailable { return NativeFunction(kind: .builtin(builtin)) }
        return nil
    }

    func invoke(_ evaluator: Evaluator, _ arguments: [Value], input: Value) throws(JSONataError) -> Value {
        switch kind {
        case .builtin(let builtin):
            var arguments = arguments
            if builtin.usesContext, arguments.count < builtin.minimumArguments {
                arguments.insert(input.outerWrapperContent, at: 0)
            }
            return try builtin.invoke(evaluator, Arguments(name: builtin.rawValue, values: arguments), input: input)
        case .host(let host):
            var json: [JSONValue?] = []
            for argument in arguments { json.append(try argument.json()) }
            let result = try host.body(json, &evaluator.random)
            return result.map(Value.init) ?? .undefined
        case .regexMatcher(let regex):
            guard case .string(let text) = arguments.first ?? .undefined else { return .undefined }
            let matches = try Regexes.matches(regex, in: text, limit: 1)
            return matches.first.map { .object(Regexes.matchObject($0)) } ?? .undefined
        case .composition(let first, let second):
            let intermediate = try evaluator.apply(first, arguments, input: input)
            return try evaluator.apply(second, [intermediate], input: input)
        }
    }
}

extension Value {
    /// The top-level input array as `$` sees it.
    var outerWrapperContent: Value {
        if case .array(let sequence) = self, sequence.outerWrapper, let first = sequence.items.first { return first }
        return self
    }
}

/// A built-in's arguments, with the checks its signature implies.
struct Arguments {
    let name: String
    let values: [Value]

    subscript(index: Int) -> Value { index < values.count ? values[index] : .undefined }
    var count: Int { values.count }

    func mismatch(_ index: Int) -> JSONataError {
        JSONataError("T0410", "Argument \(index + 1) of function \"\(name)\" does not match function signature")
    }

    /// A string argument; nil when undefined.
    func string(_ index: Int) throws(JSONataError) -> String? {
        switch self[index] {
        case .undefined: return nil
        case .string(let text): return text
        default: throw mismatch(index)
        }
    }

    func number(_ index: Int) throws(JSONataError) -> Double? {
        switch self[index] {
        case .undefined: return nil
        case .number(let number): return number
        default: throw mismatch(index)
        }
    }

    func integer(_ index: Int) throws(JSONataError) -> Int? {
        guard let number = try number(index) else { return nil }
        guard number.isFinite, abs(number) < 9e15 else { throw mismatch(index) }
        return Int(number.rounded(.down))
    }

    func bool(_ index: Int) throws(JSONataError) -> Bool? {
        switch self[index] {
        case .undefined: return nil
        case .bool(let flag): return flag
        default: throw mismatch(index)
        }
    }

    func function(_ index: Int) throws(JSONataError) -> Function? {
        switch self[index] {
        case .undefined: return nil
        case .function(let function): return function
        default: throw mismatch(index)
        }
    }

    /// An array argument: a single value counts as an array of one; nil when undefined.
    func array(_ index: Int) -> [Value]? {
        let value = self[index]
        if value.isUndefined { return nil }
        return value.arrayItems ?? [value]
    }
}
