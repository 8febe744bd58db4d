import JSON
import Wire

/// Typed access to an operation's input; a wrong type or a missing member is the error AWS
/// gives, naming the parameter.
struct QueueInput {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    func has(_ name: String) -> Bool {
        if let member = value[name], member != .null { return true }
        return false
    }

    func string(_ name: String) throws(AWSError) -> String? {
        guard let member = value[name], member != .null else { return nil }
        guard let text = member.stringValue else {
            throw AWSError.serialization("Parameter \(name) must be a string, not \(member.typeName)")
        }
        return text
    }

    func requiredString(_ name: String) throws(AWSError) -> String {
        guard let text = try string(name) else { throw QueueError.missingParameter(name) }
        return text
    }

    func int(_ name: String) throws(AWSError) -> Int? {
        guard let member = value[name], member != .null else { return nil }
        guard let number = member.intValue else {
            throw AWSError.serialization("Parameter \(name) must be an integer, not \(member.serialized.prefix(40))")
        }
        return number
    }

    /// An integer parameter within AWS's range; out of range is AWS's InvalidParameterValue.
    func int(_ name: String, in range: ClosedRange<Int>, reason: String) throws(AWSError) -> Int? {
        guard let number = try int(name) else { return nil }
        guard range.contains(number) else {
            throw QueueError.invalidValue(String(number), parameter: name, reason: reason)
        }
        return number
    }

    func stringList(_ name: String) throws(AWSError) -> [String]? {
        guard let member = value[name], member != .null else { return nil }
        guard let items = member.arrayValue else {
            throw AWSError.serialization("Parameter \(name) must be a list of strings")
        }
        var out: [String] = []
        for item in items {
            guard let text = item.stringValue else {
                throw AWSError.serialization("Parameter \(name) must be a list of strings")
            }
            out.append(text)
        }
        return out
    }

    func stringMap(_ name: String) throws(AWSError) -> [(String, String)]? {
        guard let member = value[name], member != .null else { return nil }
        guard let object = member.objectValue else {
            throw AWSError.serialization("Parameter \(name) must be a map of strings")
        }
        var out: [(String, String)] = []
        for (key, item) in object {
            guard let text = item.stringValue else {
                throw AWSError.serialization("Parameter \(name).\(key) must be a string, not \(item.typeName)")
            }
            out.append((key, text))
        }
        return out
    }

    func objects(_ name: String) throws(AWSError) -> [JSONValue]? {
        guard let member = value[name], member != .null else { return nil }
        guard let items = member.arrayValue, items.allSatisfy({ $0.objectValue != nil }) else {
            throw AWSError.serialization("Parameter \(name) must be a list of objects")
        }
        return items
    }
}
