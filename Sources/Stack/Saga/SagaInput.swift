import Foundation
import JSON
import Wire

/// Reads a Step Functions request's members, answering a wrong or missing one with AWS's
/// ValidationException wording.
struct SagaInput {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    func string(_ name: String, maxLength: Int = 262_144) throws(AWSError) -> String? {
        guard let member = value[name], !member.isNull else { return nil }
        guard let text = member.stringValue else {
            throw SagaError.validation("1 validation error detected: Value at '\(name)' must be a string")
        }
        guard text.utf8.count <= maxLength else {
            throw SagaError.validation("1 validation error detected: Value at '\(name)' failed to satisfy constraint: Member must have length less than or equal to \(maxLength)")
        }
        return text
    }

    func required(_ name: String, maxLength: Int = 262_144) throws(AWSError) -> String {
        guard let text = try string(name, maxLength: maxLength), !text.isEmpty else {
            throw SagaError.validation("1 validation error detected: Value null at '\(name)' failed to satisfy constraint: Member must not be null")
        }
        return text
    }

    func bool(_ name: String) throws(AWSError) -> Bool? {
        guard let member = value[name], !member.isNull else { return nil }
        guard let flag = member.boolValue else {
            throw SagaError.validation("1 validation error detected: Value at '\(name)' must be a boolean")
        }
        return flag
    }

    func int(_ name: String, in range: ClosedRange<Int>) throws(AWSError) -> Int? {
        guard let member = value[name], !member.isNull else { return nil }
        guard let number = member.intValue, range.contains(number) else {
            throw SagaError.validation("1 validation error detected: Value '\(member.serialized)' at '\(name)' failed to satisfy constraint: Member must have value between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    /// A page's start: `NextToken`s are opaque to clients; here they carry an offset or key.
    func pageToken(_ name: String = "nextToken") throws(AWSError) -> String? {
        guard let token = try string(name, maxLength: 1024) else { return nil }
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else {
            throw SagaError.make("InvalidToken", "Invalid Token: '\(token.prefix(100))'")
        }
        return text
    }

    static func pageToken(_ text: String) -> JSONValue { .string(Data(text.utf8).base64EncodedString()) }
}
