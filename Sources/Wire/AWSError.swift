import JSON

/// An error in the shape AWS puts on the wire, so SDK error handling written against AWS works
/// unchanged against the local stack (and the console can show AWS's own codes when it talks to
/// a real account).
public struct AWSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Whether the caller or the service is to blame; AWS reports it in query-compatible headers.
    public enum Fault: String, Sendable, Hashable {
        case sender = "Sender"
        case receiver = "Receiver"
    }

    /// The short error code as SDKs expose it, e.g. `QueueDoesNotExist`.
    public var code: String
    public var message: String
    /// The HTTP status code of the response.
    public var status: Int
    /// The namespace AWS prefixes to `__type` (e.g. `com.amazonaws.sqs`); nil sends the bare code.
    public var namespace: String?
    /// The legacy query-protocol code (e.g. `AWS.SimpleQueueService.NonExistentQueue`) that
    /// awsQueryCompatible services (SQS) send in `x-amzn-query-error`; boto3 reports it as the code.
    public var queryCode: String?
    public var fault: Fault

    public init(
        code: String, message: String, status: Int = 400, namespace: String? = nil,
        queryCode: String? = nil, fault: Fault = .sender
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.namespace = namespace
        self.queryCode = queryCode
        self.fault = fault
    }

    /// The `__type` member of a JSON-protocol error body.
    public var wireType: String {
        if let namespace { return "\(namespace)#\(code)" }
        return code
    }

    /// The `x-amzn-query-error` header value, when this error has a query-protocol code.
    public var queryErrorHeader: String? {
        queryCode.map { "\($0);\(fault.rawValue)" }
    }

    /// The JSON body AWS JSON 1.0/1.1 services send with an error.
    public var body: JSONValue {
        ["__type": .string(wireType), "message": .string(message)]
    }

    public var description: String { "\(queryCode ?? code): \(message)" }
}

extension AWSError {
    /// Parses an error response (status, headers, body) the way SDKs do: `__type` with any
    /// namespace and `:`-suffix removed, `message` or `Message`, and the query-compatible header.
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        let parsed = try? JSONValue(parsing: body)
        var type = parsed?["__type"]?.stringValue ?? parsed?["code"]?.stringValue ?? "HTTP\(status)"
        if let colon = type.firstIndex(of: ":") { type = String(type[..<colon]) }
        var namespace: String?
        if let hash = type.lastIndex(of: "#") {
            namespace = String(type[..<hash])
            type = String(type[type.index(after: hash)...])
        }
        let message = parsed?["message"]?.stringValue ?? parsed?["Message"]?.stringValue
            ?? String(decoding: body.prefix(512), as: UTF8.self)
        var queryCode: String?
        var fault = status >= 500 ? Fault.receiver : Fault.sender
        let header = headers.first { $0.key.lowercased() == "x-amzn-query-error" }?.value
        if let header {
            let parts = header.split(separator: ";", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[0].isEmpty {
                queryCode = String(parts[0])
                fault = Fault(rawValue: String(parts[1])) ?? fault
            }
        }
        self.init(code: type, message: message, status: status, namespace: namespace,
                  queryCode: queryCode, fault: fault)
    }
}

extension AWSError {
    // Errors common to every AWS JSON service (the front door raises them before any service).

    public static func unknownOperation(_ target: String) -> AWSError {
        AWSError(code: "UnknownOperationException", message: "Unknown operation \(target)",
                 namespace: "com.amazon.coral.service")
    }

    public static func serialization(_ detail: String) -> AWSError {
        AWSError(code: "SerializationException", message: detail, namespace: "com.amazon.coral.service")
    }

    public static func validation(_ detail: String) -> AWSError {
        AWSError(code: "ValidationException", message: detail, namespace: "com.amazon.coral.validate")
    }

    public static func internalFailure(_ detail: String) -> AWSError {
        AWSError(code: "InternalFailure", message: detail, status: 500,
                 namespace: "com.amazon.coral.service", fault: .receiver)
    }

    public static func requestTooLarge(limit: Int) -> AWSError {
        AWSError(code: "RequestEntityTooLargeException",
                 message: "Request body must be no longer than \(limit) bytes", status: 413)
    }

    public static func missingAuthentication() -> AWSError {
        AWSError(code: "MissingAuthenticationTokenException",
                 message: "Request is missing Authentication Token", status: 403,
                 namespace: "com.amazon.coral.service", queryCode: "MissingAuthenticationToken")
    }

    public static func incompleteSignature(_ detail: String) -> AWSError {
        AWSError(code: "IncompleteSignatureException", message: detail, status: 400,
                 namespace: "com.amazon.coral.service", queryCode: "IncompleteSignature")
    }

    public static func unrecognizedClient() -> AWSError {
        AWSError(code: "UnrecognizedClientException",
                 message: "The security token included in the request is invalid.", status: 403,
                 namespace: "com.amazon.coral.service", queryCode: "InvalidClientTokenId")
    }

    public static func signatureDoesNotMatch() -> AWSError {
        AWSError(code: "InvalidSignatureException",
                 message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
                 status: 403, namespace: "com.amazon.coral.service", queryCode: "SignatureDoesNotMatch")
    }

    public static func signatureExpired(_ detail: String) -> AWSError {
        AWSError(code: "InvalidSignatureException", message: detail, status: 403,
                 namespace: "com.amazon.coral.service", queryCode: "RequestExpired")
    }
}
