import JSON
import Wire

/// A Cloud Map operation's input: a wrong type is a SerializationException, a missing or
/// out-of-range member is InvalidInput naming the parameter.
typealias RegistryInput = OperationInput<RegistryInputErrors>

enum RegistryInputErrors: InputVocabulary {
    static func missing(_ name: String) -> AWSError {
        RegistryError.invalidInput("Missing required parameter \(name)")
    }

    static func outOfRange(_ name: String, _ value: Int, in range: ClosedRange<Int>, member: JSONValue) -> AWSError {
        RegistryError.invalidInput("\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
    }

    static var emptyRequiredStringIsMissing: Bool { true }
}

extension OperationInput where Vocabulary == RegistryInputErrors {
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
