import JSON

/// The two AWS JSON protocol versions; they differ only in content type (and in which services
/// use them: SQS and Step Functions 1.0, EventBridge and Cloud Map 1.1).
public enum AWSJSONVersion: String, Sendable, Hashable, CaseIterable {
    case v1_0 = "1.0"
    case v1_1 = "1.1"

    public var contentType: String { "application/x-amz-json-\(rawValue)" }

    /// Recognises a request's content type (parameters such as `; charset=utf-8` ignored).
    public init?(contentType: String) {
        let base = contentType.split(separator: ";").first?.trimmedHorizontalSpace ?? ""
        switch base.lowercased() {
        case "application/x-amz-json-1.0": self = .v1_0
        case "application/x-amz-json-1.1": self = .v1_1
        default: return nil
        }
    }
}

/// `X-Amz-Target: Prefix.Operation`, split once so the front door can route on the prefix.
public struct AWSTarget: Sendable, Hashable, CustomStringConvertible {
    public var prefix: String
    public var operation: String

    public init(prefix: String, operation: String) {
        self.prefix = prefix
        self.operation = operation
    }

    /// Parses the header; nil when it has no `.` separating a non-empty prefix and operation.
    public init?(header: String) {
        guard let dot = header.lastIndex(of: "."), dot != header.startIndex,
              header.index(after: dot) != header.endIndex else { return nil }
        prefix = String(header[..<dot])
        operation = String(header[header.index(after: dot)...])
    }

    public var description: String { "\(prefix).\(operation)" }
}

/// Request and response body handling shared by the stack and the console's client.
public enum AWSJSONCodec {
    /// Parses a request or response body. An empty body is `{}`, as AWS services accept it.
    /// The top level must be an object; anything else is AWS's `SerializationException`.
    public static func decodeBody(_ bytes: some Collection<UInt8>) throws(AWSError) -> JSONValue {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .object([:])
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw AWSError.serialization("Request body is not valid JSON: \(error.description)")
        }
        guard case .object = value else {
            throw AWSError.serialization("Request body must be a JSON object, not \(value.typeName)")
        }
        return value
    }

    /// The headers a client sends with an AWS JSON request (signing is separate).
    public static func requestHeaders(target: AWSTarget, version: AWSJSONVersion) -> [(String, String)] {
        [("Content-Type", version.contentType), ("X-Amz-Target", target.description)]
    }

    /// Encodes a request or response body.
    public static func encodeBody(_ value: JSONValue) -> [UInt8] {
        Array(value.serialized.utf8)
    }
}

extension StringProtocol {
    /// Drops leading and trailing spaces and tabs (header values, parameters).
    var trimmedHorizontalSpace: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
