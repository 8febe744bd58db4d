import JSON
import Wire

/// Typed access to a Cloud Map operation's input: a wrong type is a SerializationException, a
/// missing or out-of-range member is InvalidInput naming the parameter.
struct RegistryInput {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    func member(_ name: String) -> JSONValue? {
        guard let member = value[name], member != .null else { return nil }
        return member
    }

    func string(_ name: String) throws(AWSError) -> String? {
        guard let member = member(name) else { return nil }
        guard let text = member.stringValue else {
            throw AWSError.serialization("Parameter \(name) must be a string, not \(member.typeName)")
        }
        return text
    }

    func requiredString(_ name: String) throws(AWSError) -> String {
        guard let text = try string(name), !text.isEmpty else {
            throw RegistryError.invalidInput("Missing required parameter \(name)")
        }
        return text
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws(AWSError) -> Int? {
        guard let member = member(name) else { return nil }
        guard let number = member.intValue else {
            throw AWSError.serialization("Parameter \(name) must be an integer, not \(member.typeName)")
        }
        guard range.contains(number) else {
            throw RegistryError.invalidInput("\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
        }
        return number
    }

    /// A map of strings, in the order given.
    func stringMap(_ name: String) throws(AWSError) -> [(String, String)]? {
        guard let member = member(name) else { return nil }
        guard let object = member.objectValue else {
            throw AWSError.serialization("Parameter \(name) must be a map of strings, not \(member.typeName)")
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

    func object(_ name: String) throws(AWSError) -> JSONObject? {
        guard let member = member(name) else { return nil }
        guard let object = member.objectValue else {
            throw AWSError.serialization("Parameter \(name) must be a structure, not \(member.typeName)")
        }
        return object
    }

    func stringList(_ name: String) throws(AWSError) -> [String]? {
        guard let member = member(name) else { return nil }
        guard let items = member.arrayValue else {
            throw AWSError.serialization("Parameter \(name) must be a list of strings")
        }
        var out: [String] = []
        for item in items {
            guard let text = item.stringValue else { throw AWSError.serialization("Parameter \(name) must be a list of strings") }
            out.append(text)
        }
        return out
    }

    /// `Filters: [{Name, Values, Condition}]` of the List operations.
    func filters(_ name: String = "Filters") throws(AWSError) -> [RegistryFilter] {
        guard let member = member(name) else { return [] }
        guard let items = member.arrayValue else { throw AWSError.serialization("Parameter \(name) must be a list of filters") }
        var out: [RegistryFilter] = []
        for item in items {
            let filter = RegistryInput(item)
            guard item.objectValue != nil else { throw AWSError.serialization("Parameter \(name) must be a list of filters") }
            let filterName = try filter.requiredString("Name")
            guard let values = try filter.stringList("Values"), !values.isEmpty else {
                throw RegistryError.invalidInput("Filter \(filterName) needs at least one value in Values")
            }
            let condition = try filter.string("Condition") ?? "EQ"
            out.append(RegistryFilter(name: filterName, values: values, condition: condition))
        }
        return out
    }

    /// `Tags: [{Key, Value}]`, at most 200.
    func tags(_ name: String = "Tags") throws(AWSError) -> [RegistryTag] {
        guard let member = member(name) else { return [] }
        guard let items = member.arrayValue else { throw AWSError.serialization("Parameter \(name) must be a list of tags") }
        var out: [RegistryTag] = []
        for item in items {
            let tag = RegistryInput(item)
            let key = try tag.requiredString("Key")
            guard (1...128).contains(key.count) else { throw RegistryError.invalidInput("Tag key must be 1 to 128 characters: \(key.prefix(40))") }
            guard let value = try tag.string("Value") else { throw RegistryError.invalidInput("Tag \(key) is missing its Value") }
            guard value.count <= 256 else { throw RegistryError.invalidInput("Tag value of \(key) is longer than 256 characters") }
            out.removeAll { $0.key == key }
            out.append(RegistryTag(key: key, value: value))
        }
        if out.count > 200 { throw RegistryError.tooManyTags() }
        return out
    }
}

/// One `Filters` entry of ListNamespaces / ListServices / ListOperations.
struct RegistryFilter: Sendable, Hashable {
    var name: String
    var values: [String]
    var condition: String

    /// Whether `candidate` passes under EQ (one value), IN or BEGINS_WITH.
    func matches(_ candidate: String) -> Bool {
        switch condition {
        case "BEGINS_WITH": return values.contains { candidate.hasPrefix($0) }
        default: return values.contains(candidate)
        }
    }

    /// Rejects conditions and value counts AWS rejects for this filter.
    func validate(allowed conditions: Set<String>) throws(AWSError) {
        guard conditions.contains(condition) else {
            throw RegistryError.invalidInput("Condition \(condition) is not supported for filter \(name); use one of \(conditions.sorted().joined(separator: ", "))")
        }
        if condition == "EQ", values.count != 1 {
            throw RegistryError.invalidInput("Filter \(name) with condition EQ takes exactly one value")
        }
        if condition == "BETWEEN", values.count != 2 {
            throw RegistryError.invalidInput("Filter \(name) with condition BETWEEN takes exactly two values")
        }
    }
}

struct RegistryTag: Sendable, Hashable, Codable {
    var key: String
    var value: String
}
