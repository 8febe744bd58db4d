import JSON
import Wire

/// Typed access to an EventBridge operation's input: a wrong type is a `SerializationException`
/// naming the member, a missing required member or a value outside AWS's constraints is a
/// `ValidationException` worded as AWS words it.
struct BusInput {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    func string(_ name: String) throws(AWSError) -> String? {
        guard let member = value[name], member != .null else { return nil }
        guard let text = member.stringValue else {
            throw AWSError.serialization("Parameter \(name) must be a string, not \(member.typeName)")
        }
        return text
    }

    func requiredString(_ name: String) throws(AWSError) -> String {
        guard let text = try string(name) else {
            throw BusError.constraint("null", member: Self.member(name), "Member must not be null")
        }
        return text
    }

    /// A resource name: 1–64 of letters, digits, `.`, `-`, `_` (AWS's rule and target id syntax).
    func name(_ name: String, maxLength: Int = 64) throws(AWSError) -> String {
        let text = try requiredString(name)
        try Self.checkName(text, member: Self.member(name), maxLength: maxLength)
        return text
    }

    static func checkName(_ text: String, member: String, maxLength: Int = 64) throws(AWSError) {
        guard !text.isEmpty, text.utf8.count <= maxLength else {
            throw BusError.constraint(text, member: member, "Member must have length between 1 and \(maxLength)")
        }
        guard text.utf8.allSatisfy(isNameByte) else {
            throw BusError.constraint(text, member: member, "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
        }
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws(AWSError) -> Int? {
        guard let member = value[name], member != .null else { return nil }
        guard let number = member.intValue else {
            throw AWSError.serialization("Parameter \(name) must be an integer, not \(member.typeName)")
        }
        guard range.contains(number) else {
            throw BusError.constraint(String(number), member: Self.member(name),
                                      "Member must have value between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    func bool(_ name: String) throws(AWSError) -> Bool? {
        guard let member = value[name], member != .null else { return nil }
        guard let flag = member.boolValue else {
            throw AWSError.serialization("Parameter \(name) must be a boolean, not \(member.typeName)")
        }
        return flag
    }

    func stringList(_ name: String) throws(AWSError) -> [String]? {
        guard let member = value[name], member != .null else { return nil }
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

    func objects(_ name: String) throws(AWSError) -> [JSONValue]? {
        guard let member = value[name], member != .null else { return nil }
        guard let items = member.arrayValue, items.allSatisfy({ $0.objectValue != nil }) else {
            throw AWSError.serialization("Parameter \(name) must be a list of structures")
        }
        return items
    }

    func object(_ name: String) throws(AWSError) -> BusInput? {
        guard let member = value[name], member != .null else { return nil }
        guard member.objectValue != nil else {
            throw AWSError.serialization("Parameter \(name) must be a structure, not \(member.typeName)")
        }
        return BusInput(member)
    }

    /// AWS names members in lower camel case in validation messages (`eventBusName`).
    static func member(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }

    /// `Tags: [{Key, Value}]` as pairs, validated as AWS does.
    func tags(_ name: String = "Tags") throws(AWSError) -> [(String, String)]? {
        guard let items = try objects(name) else { return nil }
        var out: [(String, String)] = []
        for item in items {
            let entry = BusInput(item)
            let key = try entry.requiredString("Key")
            let value = try entry.requiredString("Value")
            guard !key.isEmpty, key.utf8.count <= 128, value.utf8.count <= 256 else {
                throw BusError.validation("Tag keys must be 1 to 128 characters and values at most 256.")
            }
            out.append((key, value))
        }
        return out
    }
}
