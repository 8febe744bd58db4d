import JSON
import Wire

/// The JSON shapes an operation's members are read as, for error messages.
enum InputShape: Sendable {
    case string
    /// An integer; the range is the one the member was read with, if any.
    case integer(ClosedRange<Int>?)
    case boolean
    case stringList
    case stringMap
    case structure
    case structureList

    /// AWS JSON's `SerializationException` for a member `name` that is not of this shape.
    func serializationError(_ name: String, found member: JSONValue) -> AWSError {
        switch self {
        case .string: AWSError.serialization("Parameter \(name) must be a string, not \(member.typeName)")
        case .integer: AWSError.serialization("Parameter \(name) must be an integer, not \(member.typeName)")
        case .boolean: AWSError.serialization("Parameter \(name) must be a boolean, not \(member.typeName)")
        case .stringList: AWSError.serialization("Parameter \(name) must be a list of strings")
        case .stringMap: AWSError.serialization("Parameter \(name) must be a map of strings, not \(member.typeName)")
        case .structure: AWSError.serialization("Parameter \(name) must be a structure, not \(member.typeName)")
        case .structureList: AWSError.serialization("Parameter \(name) must be a list of structures")
        }
    }
}

/// How one service words the errors for bad input: each AWS service answers a wrong type, a
/// missing member or a value out of range in its own way (a `SerializationException`, a
/// `ValidationException` with a constraint text, `InvalidInput`, …), and the conformance
/// suites hold the stack to those words. The reader is the same for every service.
protocol InputVocabulary {
    /// A member that is present but not of `shape`. Default: AWS JSON's `SerializationException`.
    static func wrongType(_ name: String, expected shape: InputShape, found member: JSONValue) -> AWSError
    /// A required member that is absent or null.
    static func missing(_ name: String) -> AWSError
    /// An integer member (`value`, read from `member`) outside the range the operation allows.
    static func outOfRange(_ name: String, _ value: Int, in range: ClosedRange<Int>, member: JSONValue) -> AWSError
    /// Whether a required string that is empty counts as missing.
    static var emptyRequiredStringIsMissing: Bool { get }
    /// A string longer than `maxLength` UTF-8 bytes (a service without a length rule never
    /// calls it).
    static func tooLong(_ name: String, maxLength: Int) -> AWSError
    /// Every string member's limit unless a read names its own; nil: none.
    static var defaultMaximumStringLength: Int? { get }
}

extension InputVocabulary {
    static func wrongType(_ name: String, expected shape: InputShape, found member: JSONValue) -> AWSError {
        shape.serializationError(name, found: member)
    }

    static var emptyRequiredStringIsMissing: Bool { false }

    static func tooLong(_ name: String, maxLength: Int) -> AWSError {
        AWSError.serialization("Parameter \(name) must be at most \(maxLength) bytes")
    }

    static var defaultMaximumStringLength: Int? { nil }
}

/// Typed access to an operation's input (a JSON object), one reader for every service: absent
/// and `null` members read as nil; anything else of the wrong shape, missing or out of range
/// is the error the service's `Vocabulary` words, naming the member.
struct OperationInput<Vocabulary: InputVocabulary> {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    /// The member, unless it is absent or `null`.
    func member(_ name: String) -> JSONValue? {
        guard let member = value[name], !member.isNull else { return nil }
        return member
    }

    func has(_ name: String) -> Bool { member(name) != nil }

    /// A string member; `maxLength` (UTF-8 bytes) defaults to the vocabulary's limit.
    func string(_ name: String, maxLength: Int? = nil) throws(AWSError) -> String? {
        guard let member = member(name) else { return nil }
        guard let text = member.stringValue else {
            throw Vocabulary.wrongType(name, expected: .string, found: member)
        }
        if let limit = maxLength ?? Vocabulary.defaultMaximumStringLength, text.utf8.count > limit {
            throw Vocabulary.tooLong(name, maxLength: limit)
        }
        return text
    }

    func requiredString(_ name: String, maxLength: Int? = nil) throws(AWSError) -> String {
        guard let text = try string(name, maxLength: maxLength),
              !(Vocabulary.emptyRequiredStringIsMissing && text.isEmpty) else {
            throw Vocabulary.missing(name)
        }
        return text
    }

    func int(_ name: String) throws(AWSError) -> Int? {
        guard let member = member(name) else { return nil }
        guard let number = member.intValue else {
            throw Vocabulary.wrongType(name, expected: .integer(nil), found: member)
        }
        return number
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws(AWSError) -> Int? {
        guard let member = member(name) else { return nil }
        guard let number = member.intValue else {
            throw Vocabulary.wrongType(name, expected: .integer(range), found: member)
        }
        guard range.contains(number) else { throw Vocabulary.outOfRange(name, number, in: range, member: member) }
        return number
    }

    func bool(_ name: String) throws(AWSError) -> Bool? {
        guard let member = member(name) else { return nil }
        guard let flag = member.boolValue else {
            throw Vocabulary.wrongType(name, expected: .boolean, found: member)
        }
        return flag
    }

    func stringList(_ name: String) throws(AWSError) -> [String]? {
        guard let member = member(name) else { return nil }
        guard let items = member.arrayValue else {
            throw Vocabulary.wrongType(name, expected: .stringList, found: member)
        }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let text = item.stringValue else {
                throw Vocabulary.wrongType(name, expected: .stringList, found: member)
            }
            out.append(text)
        }
        return out
    }

    /// A map of strings, in the order given.
    func stringMap(_ name: String) throws(AWSError) -> [(String, String)]? {
        guard let member = member(name) else { return nil }
        guard let object = member.objectValue else {
            throw Vocabulary.wrongType(name, expected: .stringMap, found: member)
        }
        var out: [(String, String)] = []
        for (key, item) in object {
            guard let text = item.stringValue else {
                throw Vocabulary.wrongType("\(name).\(key)", expected: .string, found: item)
            }
            out.append((key, text))
        }
        return out
    }

    /// A structure member, read with the same vocabulary.
    func object(_ name: String) throws(AWSError) -> OperationInput? {
        guard let member = member(name) else { return nil }
        guard member.objectValue != nil else {
            throw Vocabulary.wrongType(name, expected: .structure, found: member)
        }
        return OperationInput(member)
    }

    /// A list of structures.
    func objects(_ name: String) throws(AWSError) -> [JSONValue]? {
        guard let member = member(name) else { return nil }
        guard let items = member.arrayValue, items.allSatisfy({ $0.objectValue != nil }) else {
            throw Vocabulary.wrongType(name, expected: .structureList, found: member)
        }
        return items
    }
}
