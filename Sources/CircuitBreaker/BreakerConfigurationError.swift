/// A breaker setting that cannot work, naming the setting and what was wrong with it.
public struct BreakerConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The setting's name as it appears in the snapshot's `config` object.
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field) \(message)" }
}
