import JSON
import Wire

/// An EventBridge operation's input: a wrong type is a `SerializationException` naming the
/// member, a missing required member or a value outside AWS's constraints is a
/// `ValidationException` worded as AWS words it.
typealias BusInput = OperationInput<BusInputErrors>

enum BusInputErrors: InputVocabulary {
    static func missing(_ name: String) -> AWSError {
        BusError.constraint("null", member: BusInput.member(name), "Member must not be null")
    }

    static func outOfRange(_ name: String, _ value: Int, in range: ClosedRange<Int>, member: JSONValue) -> AWSError {
        BusError.constraint(String(value), member: BusInput.member(name),
                            "Member must have value between \(range.lowerBound) and \(range.upperBound)")
    }
}

extension OperationInput where Vocabulary == BusInputErrors {
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
