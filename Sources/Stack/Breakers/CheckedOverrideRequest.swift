import CircuitBreaker
import JSON
import StackProtocol

/// An operator's `POST …/override` as the board accepts it: the request's shape read by
/// `BreakerOverrideRequest` (StackProtocol), then its text held to the board's rules for what
/// goes into the audit trail (`BreakerBoardText`), and the default actor filled in.
struct CheckedOverrideRequest: Sendable, Hashable {
    var mode: BreakerOverride.Mode
    var reason: String
    var actor: String

    init(body: [UInt8]) throws(BreakerBoardError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: body) } catch {
            throw .validation("The override body is not valid JSON: \(error)")
        }
        let request: BreakerOverrideRequest
        do throws(StackProtocolError) {
            request = try BreakerOverrideRequest(json: value)
        } catch {
            throw .validation(error.message)
        }
        if request.reason.allSatisfy(\.isWhitespace) { throw .validation("reason must not be empty") }
        try BreakerBoardText.validateText(request.reason, field: "reason", maximum: BreakerBoardText.maximumReasonLength)
        var actor = BreakerBoardText.defaultActor
        if let given = request.actor {
            if given.allSatisfy(\.isWhitespace) { throw .validation("actor must not be empty when given") }
            try BreakerBoardText.validateText(given, field: "actor", maximum: BreakerBoardText.maximumActorLength)
            actor = given
        }
        self.mode = request.mode
        self.reason = request.reason
        self.actor = actor
    }
}
