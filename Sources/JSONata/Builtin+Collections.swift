import OrderedCollections

extension Builtin {
    func collectionFunction(_ evaluator: Evaluator, _ args: Arguments, input: Value) throws(JSONataError) -> Value {
        switch self {
        case .boolean:
            return args[0].isUndefined ? .undefined : .bool(truthy(args[0]))
        case .not:
            return args[0].isUndefined ? .undefined : .bool(!truthy(args[0]))
        case .exists:
            return .bool(!args[0].isUndefined)
        case .count:
            return .number(Double(args.array(0)?.count ?? 0))
        case .append:
            return JSONata.append(args[0], args[1])
        case .sort:
            guard let items = args.array(0) else { return .undefined }
            if items.count <= 1 { return .array(Value.Sequence(items)) }
            if let comparator = try args.function(1) {
                var failure: JSONataError?
                let sorted = stableSort(items) { a, b in
                    do throws(JSONataError) {
                        return truthy(try evaluator.apply(comparator, [b, a], input: input))
                    } catch {
                        failure = failure ?? error
                        return false
                    }
                }
                if let failure { throw failure }
                return .array(Value.Sequence(sorted))
            }
            if items.allSatisfy({ if case .number = $0 { true } else { false } }) {
                return .array(Value.Sequence(stableSort(items) { if case .number(let a) = $0, case .number(let b) = $1 { a < b } else { false } }))
            }
            if items.allSatisfy({ if case .string = $0 { true } else { false } }) {
                return .array(Value.Sequence(stableSort(items) { if case .string(let a) = $0, case .string(let b) = $1 { compareUTF16(a, b) < 0 } else { false } }))
            }
            throw JSONataError("D3070", "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function")
        case .reverse:
            guard let items = args.array(0) else { return .undefined }
            return .array(Value.Sequence(items.reversed()))
        case .shuffle:
            guard var items = args.array(0) else { return .undefined }
            if items.count > 1 {
                for index in stride(from: items.count - 1, to: 0, by: -1) {
                    let other = Int(evaluator.random.next() % UInt64(index + 1))
                    items.swapAt(index, other)
                }
            }
            return .array(Value.Sequence(items))
        case .distinct:
            guard let items = args.array(0) else { return .undefined }
            guard args[0].isArray else { return args[0] }
            var unique: [Value] = []
            for item in items where !unique.contains(where: { deepEqual($0, item) }) { unique.append(item) }
            return .array(Value.Sequence(unique))
        case .zip:
            let arrays = args.values.map { $0.arrayItems ?? ($0.isUndefined ? [] : [$0]) }
            let length = arrays.map(\.count).min() ?? 0
            return .array(Value.Sequence((0..<length).map { index in .array(Value.Sequence(arrays.map { $0[index] })) }))
        case .keys:
            var keys = OrderedSet<String>()
            for item in args.array(0) ?? [] {
                for key in item.objectKeys ?? [] { keys.append(key) }
            }
            return .sequence(keys.map(Value.string))
        case .lookup:
            guard let key = try args.string(1) else { throw args.mismatch(1) }
            return evaluator.lookup(args[0], key)
        case .spread:
            let value = args[0]
            if value.isUndefined { return .undefined }
            if let items = value.arrayItems {
                var results: [Value] = []
                for item in items {
                    let spread = try collectionFunction(evaluator, Arguments(name: args.name, values: [item]), input: input)
                    results.append(contentsOf: spread.arrayItems ?? [spread])
                }
                return .sequence(results)
            }
            guard let entries = value.objectEntries else { return value }
            return .sequence(entries.map { key, member in .object([key: member]) })
        case .merge:
            guard let items = args.array(0) else { return .undefined }
            var merged = OrderedDictionary<String, Value>()
            for item in items {
                guard let entries = item.objectEntries else { throw args.mismatch(0) }
                for (key, member) in entries { merged[key] = member }
            }
            return .object(merged)
        case .sift, .each:
            guard let entries = args[0].objectEntries else {
                if args[0].isUndefined { return .undefined }
                throw args.mismatch(0)
            }
            guard let function = try args.function(1) else { throw args.mismatch(1) }
            var kept = OrderedDictionary<String, Value>()
            var results: [Value] = []
            for (key, member) in entries {
                let outcome = try evaluator.applyCallback(function, [member, .string(key), args[0]], input: input)
                if self == .sift {
                    if truthy(outcome) { kept[key] = member }
                } else if !outcome.isUndefined {
                    results.append(outcome)
                }
            }
            if self == .each { return .sequence(results) }
            return kept.isEmpty ? .undefined : .object(kept)
        case .error:
            let message = try args.string(0) ?? "$error() function evaluated"
            throw JSONataError("D3137", message)
        case .assert:
            guard let condition = try args.bool(0) else { throw args.mismatch(0) }
            if !condition { throw JSONataError("D3141", try args.string(1) ?? "$assert() statement failed") }
            return .undefined
        case .type:
            return args[0].isUndefined ? .undefined : .string(args[0].typeName)
        case .map, .filter:
            guard let items = args.array(0) else { return .undefined }
            guard let function = try args.function(1) else { throw args.mismatch(1) }
            var results: [Value] = []
            let whole = Value.array(Value.Sequence(items))
            for (index, item) in items.enumerated() {
                let outcome = try evaluator.applyCallback(function, [item, .number(Double(index)), whole], input: input)
                if self == .map {
                    if !outcome.isUndefined { results.append(outcome) }
                } else if truthy(outcome) {
                    results.append(item)
                }
            }
            return .sequence(results)
        case .single:
            guard let items = args.array(0) else { return .undefined }
            let function = try args.function(1)
            var found: Value?
            let whole = Value.array(Value.Sequence(items))
            for (index, item) in items.enumerated() {
                let matches = try function.map { fn throws(JSONataError) in
                    truthy(try evaluator.applyCallback(fn, [item, .number(Double(index)), whole], input: input))
                } ?? true
                guard matches else { continue }
                guard found == nil else {
                    throw JSONataError("D3138", "The $single() function expected exactly 1 matching result.  Instead it matched more.")
                }
                found = item
            }
            guard let found else {
                throw JSONataError("D3139", "The $single() function expected exactly 1 matching result.  Instead it matched 0.")
            }
            return found
        case .reduce:
            guard let items = args.array(0) else { return .undefined }
            guard let function = try args.function(1) else { throw args.mismatch(1) }
            guard function.arity >= 2 else {
                throw JSONataError("D3050", "The second argument of reduce function must be a function with at least two arguments")
            }
            var index = 0
            var accumulator: Value
            if args.count > 2, !args[2].isUndefined {
                accumulator = args[2]
            } else {
                guard let first = items.first else { return .undefined }
                accumulator = first
                index = 1
            }
            let whole = Value.array(Value.Sequence(items))
            while index < items.count {
                let candidates: [Value] = [accumulator, items[index], .number(Double(index)), whole]
                accumulator = try evaluator.apply(function, Array(candidates.prefix(Swift.max(2, Swift.min(function.arity, 4)))), input: input)
                index += 1
            }
            return accumulator
        default:
            preconditionFailure("not a collection function: \(rawValue)")
        }
    }

    func dateFunction(_ evaluator: Evaluator, _ args: Arguments) throws(JSONataError) -> Value {
        switch self {
        case .millis:
            return .number(evaluator.nowMillis)
        case .now:
            guard try args.string(0) == nil, try args.string(1) == nil else {
                throw JSONataError("D3135", "Picture strings in $now are not supported by this evaluator")
            }
            return .string(Dates.iso8601(millis: evaluator.nowMillis))
        case .fromMillis:
            guard let millis = try args.number(0) else { return .undefined }
            guard try args.string(1) == nil, try args.string(2) == nil else {
                throw JSONataError("D3135", "Picture strings in $fromMillis are not supported by this evaluator")
            }
            return .string(Dates.iso8601(millis: millis))
        case .toMillis:
            guard let text = try args.string(0) else { return .undefined }
            guard try args.string(1) == nil else {
                throw JSONataError("D3135", "Picture strings in $toMillis are not supported by this evaluator")
            }
            guard let millis = Dates.millis(fromISO8601: text) else {
                throw JSONataError("D3110", "The timestamp \"\(text)\" is not an ISO 8601 timestamp")
            }
            return .number(millis)
        default:
            preconditionFailure("not a date function: \(rawValue)")
        }
    }
}
