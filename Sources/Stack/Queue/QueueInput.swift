import JSON
import Wire

/// An SQS operation's input: a wrong type is a `SerializationException` naming the parameter,
/// a missing one is `MissingParameter`, a value out of range `InvalidParameterValue`.
typealias QueueInput = OperationInput<QueueInputErrors>

enum QueueInputErrors: InputVocabulary {
    static func wrongType(_ name: String, expected shape: InputShape, found member: JSONValue) -> AWSError {
        switch shape {
        case .integer: AWSError.serialization("Parameter \(name) must be an integer, not \(member.serialized.prefix(40))")
        case .stringMap: AWSError.serialization("Parameter \(name) must be a map of strings")
        case .structureList: AWSError.serialization("Parameter \(name) must be a list of objects")
        default: shape.serializationError(name, found: member)
        }
    }

    static func missing(_ name: String) -> AWSError { QueueError.missingParameter(name) }

    static func outOfRange(_ name: String, _ value: Int, in range: ClosedRange<Int>, member: JSONValue) -> AWSError {
        QueueError.invalidValue(String(value), parameter: name,
                                reason: "\(name) must be >= \(range.lowerBound) and <= \(range.upperBound), if provided.")
    }
}

extension OperationInput where Vocabulary == QueueInputErrors {
    /// An integer parameter within AWS's range; out of range is AWS's InvalidParameterValue
    /// with the operation's own `reason`.
    func int(_ name: String, in range: ClosedRange<Int>, reason: String) throws(AWSError) -> Int? {
        guard let number = try int(name) else { return nil }
        guard range.contains(number) else {
            throw QueueError.invalidValue(String(number), parameter: name, reason: reason)
        }
        return number
    }
}
