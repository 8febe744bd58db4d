import JSON

/// What `TestEventPattern` can refuse: the pattern (`InvalidEventPatternException`) or the
/// event (`ValidationException`, "Parameter Event is not valid.").
public enum TestEventPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidPattern(EventPatternError)
    /// Why the event is not a usable EventBridge event; sent as `ValidationException`.
    case invalidEvent(String)

    /// The AWS error code for the wire.
    public var errorType: String {
        switch self {
        case .invalidPattern: EventPatternError.exceptionType
        case .invalidEvent: "ValidationException"
        }
    }

    public var description: String {
        switch self {
        case .invalidPattern(let error): error.message
        case .invalidEvent(let reason): reason
        }
    }
}

extension EventPattern {
    /// The envelope fields `TestEventPattern` requires of a test event, as AWS does.
    public static let requiredEventFields = ["id", "account", "source", "time", "region", "detail-type"]

    /// `TestEventPattern`: compiles the pattern and matches one event given as text. The event
    /// must be a JSON object carrying the envelope fields AWS requires.
    public static func test(pattern: String, event: String) throws(TestEventPatternError) -> Bool {
        let compiled: EventPattern
        do {
            compiled = try EventPattern(parsing: pattern, maximumLength: nil)
        } catch {
            throw .invalidPattern(error)
        }
        guard case .object(let object)? = try? JSONValue(parsing: event) else {
            throw .invalidEvent("Parameter Event is not valid.")
        }
        if let missing = requiredEventFields.first(where: { object[$0] == nil }) {
            throw .invalidEvent("Parameter Event is not valid. Reason: Provided Event is missing required field \(missing).")
        }
        return compiled.matches(.object(object))
    }
}
