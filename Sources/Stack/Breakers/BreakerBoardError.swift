import JSON

/// A breaker board request that failed, in the AWS error shape the rest of the stack uses:
/// `{"__type": "...", "message": "..."}` with its HTTP status. The message names what was wrong.
public struct BreakerBoardError: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: Int
    public var type: String
    public var message: String

    public init(status: Int, type: String, message: String) {
        self.status = status
        self.type = type
        self.message = message
    }

    public var description: String { "\(type): \(message)" }

    public var json: JSONValue { ["__type": .string(type), "message": .string(message)] }

    static func notFound(service: String, dependency: String) -> BreakerBoardError {
        BreakerBoardError(status: 404, type: "BreakerNotFoundException",
                          message: "Breaker \(service)/\(dependency) is not on the board: no service has reported it")
    }

    static func validation(_ message: String) -> BreakerBoardError {
        BreakerBoardError(status: 400, type: "ValidationException", message: message)
    }

    static var readOnly: BreakerBoardError {
        BreakerBoardError(status: 403, type: "ReadOnlyModeException",
                          message: "This stack was started with --readonly: breaker overrides are refused")
    }

    static func boardFull(_ maximum: Int) -> BreakerBoardError {
        BreakerBoardError(status: 400, type: "LimitExceededException",
                          message: "The board already holds \(maximum) breakers, its maximum: a new breaker cannot be added")
    }

    static func noRoute(method: String, path: String) -> BreakerBoardError {
        BreakerBoardError(status: 404, type: "UnknownOperationException",
                          message: "No breaker board route for \(method) \(path.prefix(200))")
    }

    static func methodNotAllowed(method: String, path: String, allowed: String) -> BreakerBoardError {
        BreakerBoardError(status: 405, type: "UnknownOperationException",
                          message: "\(method) is not supported on \(path.prefix(200)); use \(allowed)")
    }

    static func internalFailure(_ message: String) -> BreakerBoardError {
        BreakerBoardError(status: 500, type: "InternalFailure", message: message)
    }
}
