import Wire

/// EventBridge's errors as AWS puts them on the wire (`__type` is the bare code on AWS JSON 1.1),
/// so SDK code catching `ResourceNotFoundException` etc. works unchanged.
enum BusError {
    static func make(_ code: String, _ message: String, status: Int = 400) -> AWSError {
        AWSError(code: code, message: message, status: status)
    }

    static func validation(_ message: String) -> AWSError { make("ValidationException", message) }

    static func notFound(_ message: String) -> AWSError { make("ResourceNotFoundException", message) }

    static func alreadyExists(_ message: String) -> AWSError { make("ResourceAlreadyExistsException", message) }

    static func limitExceeded(_ message: String) -> AWSError { make("LimitExceededException", message) }

    static func invalidPattern(_ message: String) -> AWSError { make("InvalidEventPatternException", message) }

    static func busNotFound(_ bus: String) -> AWSError { notFound("Event bus \(bus) does not exist.") }

    static func ruleNotFound(_ rule: String, bus: String) -> AWSError {
        notFound("Rule \(rule) does not exist on EventBus \(bus).")
    }

    static func unknownOperation(_ operation: String) -> AWSError {
        AWSError(code: "UnknownOperationException", message: "Unknown operation AWSEvents.\(operation)",
                 namespace: "com.amazon.coral.service")
    }

    /// AWS's "1 validation error detected" wording for a member outside its constraint.
    static func constraint(_ value: String, member: String, _ constraint: String) -> AWSError {
        validation("1 validation error detected: Value '\(value.prefix(256))' at '\(member)' failed to satisfy constraint: \(constraint)")
    }
}
