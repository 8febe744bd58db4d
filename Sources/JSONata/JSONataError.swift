/// A JSONata error: the code jsonata.org's reference implementation uses (`S0202` for syntax,
/// `T2001` for a type error, `D3030` for a dynamic one, …), a message, and the character
/// offset in the expression where it was found (0-based; nil when it has no single place).
public struct JSONataError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let message: String
    public let position: Int?

    public init(_ code: String, _ message: String, position: Int? = nil) {
        self.code = code
        self.message = message
        self.position = position
    }

    /// Syntax errors (`S…`) are found when the expression is parsed; the others when it runs.
    public var isSyntaxError: Bool { code.hasPrefix("S") }

    public var description: String {
        if let position { return "\(code) at position \(position): \(message)" }
        return "\(code): \(message)"
    }
}
