/// Why a chaos spec was refused. `part` is the comma-separated item at fault, quoted back
/// to the operator exactly as typed, so the mistake is found without counting commas.
public struct ChaosSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offending item (`paymnet.error=0.3`), or the whole spec when it has no items.
    public var part: String
    public var reason: String

    public init(part: String, reason: String) {
        self.part = part
        self.reason = reason
    }

    public var description: String { "chaos spec: '\(part)': \(reason)" }
}
