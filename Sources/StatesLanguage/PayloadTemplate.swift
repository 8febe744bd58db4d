import JSON
import Timekeeping

/// A Parameters / ItemSelector / ResultSelector / Pass Result template. Keys ending in `.$`
/// take their value from a path or an intrinsic function; everything else is copied.
/// Compiled once, when the definition is read.
public indirect enum PayloadTemplate: Sendable, Hashable {
    case literal(JSONValue)
    case object([(key: String, value: PayloadTemplate)])
    case array([PayloadTemplate])
    case path(field: String, JSONPath)
    case intrinsic(field: String, IntrinsicCall)

    public static func == (lhs: PayloadTemplate, rhs: PayloadTemplate) -> Bool {
        switch (lhs, rhs) {
        case (.literal(let a), .literal(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let a), .array(let b)): a == b
        case (.path(let f1, let p1), .path(let f2, let p2)): f1 == f2 && p1 == p2
        case (.intrinsic(let f1, let c1), .intrinsic(let f2, let c2)): f1 == f2 && c1 == c2
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .literal(let value): hasher.combine(value)
        case .object(let fields): for field in fields { hasher.combine(field.key); hasher.combine(field.value) }
        case .array(let items): hasher.combine(items)
        case .path(let field, let path): hasher.combine(field); hasher.combine(path)
        case .intrinsic(let field, let call): hasher.combine(field); hasher.combine(call)
        }
    }

    /// Compiles a template; `problems` receives (location suffix, message) for each bad `.$` field.
    static func compile(_ value: JSONValue, location: String, problems: inout [(String, String)]) -> PayloadTemplate {
        switch value {
        case .object(let object):
            var fields: [(key: String, value: PayloadTemplate)] = []
            var dynamic = false
            for (key, child) in object {
                if key.hasSuffix(".$") {
                    dynamic = true
                    let name = String(key.dropLast(2))
                    guard case .string(let expression) = child else {
                        problems.append(("\(location)/\(key)", "The value for the field '\(key)' must be a STRING that contains a JSONPath or an intrinsic function"))
                        continue
                    }
                    if expression.hasPrefix("$") {
                        do {
                            fields.append((name, .path(field: key, try JSONPath(expression))))
                        } catch {
                            problems.append(("\(location)/\(key)", "The value for the field '\(key)' must be a valid JSONPath or a valid intrinsic function call"))
                        }
                    } else if expression.hasPrefix("States.") {
                        do {
                            fields.append((name, .intrinsic(field: key, try IntrinsicCall(parsing: expression))))
                        } catch {
                            problems.append(("\(location)/\(key)", "The value for the field '\(key)' must be a valid JSONPath or a valid intrinsic function call (\(error.reason))"))
                        }
                    } else {
                        problems.append(("\(location)/\(key)", "The value for the field '\(key)' must be a valid JSONPath or a valid intrinsic function call"))
                    }
                } else {
                    let compiled = compile(child, location: "\(location)/\(key)", problems: &problems)
                    if case .literal = compiled {} else { dynamic = true }
                    fields.append((key, compiled))
                }
            }
            return dynamic ? .object(fields) : .literal(value)
        case .array(let items):
            let compiled = items.enumerated().map { compile($1, location: "\(location)[\($0)]", problems: &problems) }
            if compiled.allSatisfy({ if case .literal = $0 { true } else { false } }) { return .literal(value) }
            return .array(compiled)
        default:
            return .literal(value)
        }
    }

    /// Builds the payload from `data` (the state's effective input or the task result), the
    /// context object and the workflow variables. A path that selects nothing is
    /// `States.Runtime`, as AWS reports it (see `StatesError.pathNotFound`).
    func evaluate(data: JSONValue, context: JSONValue, variables: JSONObject, random: inout SplitMix64) throws(StatesError) -> JSONValue {
        switch self {
        case .literal(let value):
            return value
        case .array(let items):
            var output: [JSONValue] = []
            output.reserveCapacity(items.count)
            for item in items { output.append(try item.evaluate(data: data, context: context, variables: variables, random: &random)) }
            return .array(output)
        case .object(let fields):
            var object = JSONObject()
            object.reserveCapacity(fields.count)
            for field in fields { object[field.key] = try field.value.evaluate(data: data, context: context, variables: variables, random: &random) }
            return .object(object)
        case .path(let field, let path):
            guard let value = path.select(in: data, context: context, variables: variables) else {
                throw StatesError.pathNotFound(path, field: field, data: data, context: context)
            }
            return value
        case .intrinsic(_, let call):
            return try call.evaluate(data: data, context: context, variables: variables, random: &random)
        }
    }
}
