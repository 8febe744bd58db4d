/// One finding about a definition, shaped like an entry of ValidateStateMachineDefinition's
/// `diagnostics`: the host serialises these fields as they are.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable { case error = "ERROR", warning = "WARNING" }
    public let severity: Severity
    /// `SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`, `MISSING_END_STATE`,
    /// `DUPLICATE_STATE_NAME`, `INVALID_JSON_DESCRIPTION`.
    public let code: String
    public let message: String
    /// A JSON pointer-like location such as `/States/ChargePayment/Next`; nil when AWS gives none.
    public let location: String?

    public init(severity: Severity = .error, code: String, message: String, location: String?) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
    }

    /// `CODE: message at /location`, the form CreateStateMachine joins into its error message.
    public var description: String {
        location.map { "\(code): \(message) at \($0)" } ?? "\(code): \(message)"
    }
}

/// A definition the interpreter refuses, with every diagnostic found.
public struct InvalidDefinition: Error, Sendable, Hashable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    /// The InvalidDefinition message of CreateStateMachine / UpdateStateMachine:
    /// `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: … at /States/X, …'`.
    public var message: String {
        "Invalid State Machine Definition: '" + diagnostics.filter { $0.severity == .error }.map(\.description).joined(separator: ", ") + "'"
    }

    public var description: String { message }
}

/// The answer of ValidateStateMachineDefinition: `OK` or `FAIL` with diagnostics.
public struct ValidationReport: Sendable, Hashable {
    public let diagnostics: [Diagnostic]
    public var result: String { diagnostics.contains { $0.severity == .error } ? "FAIL" : "OK" }
    /// Every diagnostic found is reported, so the answer is never truncated.
    public var truncated: Bool { false }
}

enum DiagnosticCode {
    static let schema = "SCHEMA_VALIDATION_FAILED"
    static let missingTarget = "MISSING_TRANSITION_TARGET"
    static let missingEnd = "MISSING_END_STATE"
    static let duplicate = "DUPLICATE_STATE_NAME"
    static let invalidJSON = "INVALID_JSON_DESCRIPTION"
}
