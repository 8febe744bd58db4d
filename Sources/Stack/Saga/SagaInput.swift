import Foundation
import JSON
import Wire

/// A Step Functions request's members: a wrong, missing or too long one is answered with AWS's
/// ValidationException wording.
typealias SagaInput = OperationInput<SagaInputErrors>

enum SagaInputErrors: InputVocabulary {
    static func wrongType(_ name: String, expected shape: InputShape, found member: JSONValue) -> AWSError {
        switch shape {
        case .string: SagaError.validation("1 validation error detected: Value at '\(name)' must be a string")
        case .boolean: SagaError.validation("1 validation error detected: Value at '\(name)' must be a boolean")
        case .integer(let range?): outOfRange(name, 0, in: range, member: member)
        case .integer(nil): SagaError.validation("1 validation error detected: Value '\(member.serialized)' at '\(name)' must be an integer")
        case .stringList, .stringMap, .structure, .structureList: shape.serializationError(name, found: member)
        }
    }

    static func missing(_ name: String) -> AWSError {
        SagaError.validation("1 validation error detected: Value null at '\(name)' failed to satisfy constraint: Member must not be null")
    }

    static func outOfRange(_ name: String, _ value: Int, in range: ClosedRange<Int>, member: JSONValue) -> AWSError {
        SagaError.validation("1 validation error detected: Value '\(member.serialized)' at '\(name)' failed to satisfy constraint: Member must have value between \(range.lowerBound) and \(range.upperBound)")
    }

    static var emptyRequiredStringIsMissing: Bool { true }

    static func tooLong(_ name: String, maxLength: Int) -> AWSError {
        SagaError.validation("1 validation error detected: Value at '\(name)' failed to satisfy constraint: Member must have length less than or equal to \(maxLength)")
    }

    /// 256 KiB, Step Functions' payload size.
    static var defaultMaximumStringLength: Int? { 262_144 }
}

extension OperationInput where Vocabulary == SagaInputErrors {
    /// A page's start: `NextToken`s are opaque to clients; here they carry an offset or key.
    func pageToken(_ name: String = "nextToken") throws(AWSError) -> String? {
        guard let token = try string(name, maxLength: 1024) else { return nil }
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else {
            throw SagaError.make("InvalidToken", "Invalid Token: '\(token.prefix(100))'")
        }
        return text
    }

    static func pageToken(_ text: String) -> JSONValue { .string(Data(text.utf8).base64EncodedString()) }

    /// A page's start in a listing asked with `parameters` (the request members that choose
    /// what is listed, e.g. the machine and `statusFilter`). A token issued for other
    /// parameters is `InvalidToken`, as AWS answers a `nextToken` reused with, say, another
    /// `statusFilter`.
    func pageToken(for parameters: String) throws(AWSError) -> String? {
        guard let token = try string("nextToken", maxLength: 1024) else { return nil }
        guard let text = try pageToken(), let separator = text.lastIndex(of: "\n"), text[..<separator] == parameters else {
            throw SagaError.invalidToken("Invalid Token: '\(token.prefix(100))': it was issued for other request parameters")
        }
        return String(text[text.index(after: separator)...])
    }

    static func pageToken(_ position: String, for parameters: String) -> JSONValue { pageToken(parameters + "\n" + position) }
}
