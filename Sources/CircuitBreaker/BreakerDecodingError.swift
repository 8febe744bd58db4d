/// A breaker report (snapshot, override, transition) that does not have the documented shape,
/// naming the field by its path (`window.calls`) and what was wrong with it.
public struct BreakerDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
