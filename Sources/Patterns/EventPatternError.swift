/// Why an event pattern was refused. The stack returns it as AWS's
/// `InvalidEventPatternException` with `message` as the error message, so SDK users see the
/// same wording AWS uses; the console shows it under the filter being typed.
public struct EventPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The AWS error code this maps to on the wire.
    public static let exceptionType = "InvalidEventPatternException"

    /// What is wrong, in AWS's words where AWS has words for it (e.g. "Empty arrays are not allowed").
    public let reason: String
    /// The field names leading to the fault (`["detail", "state"]`), empty for the whole pattern.
    public let path: [String]

    public init(reason: String, path: [String] = []) {
        self.reason = reason
        self.path = path
    }

    /// "Event pattern is not valid. Reason: …", AWS's wording. AWS adds nothing naming the field
    /// (its parser appends a source position, which this parser does not track), so neither do
    /// we: `path` is for the console, which shows it beside the filter being typed.
    public var message: String {
        "Event pattern is not valid. Reason: \(reason)"
    }

    public var description: String { message }
}

/// A fault found deep in an operand, before the compiler knows the field path to attach.
struct PatternFault: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
