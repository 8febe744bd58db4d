/// "This endpoint has no such extension": AWS itself, moto, LocalStack, or a stack too old for
/// the path. A client reports it as this type, apart from a failure of the extension itself,
/// so a caller falls back (keep the local chaos spec, hide the breaker board) instead of
/// retrying or showing an error.
public struct NoExtension: Error, Sendable, Hashable, CustomStringConvertible {
    /// The extension path asked for (`/_signalbox/chaos`).
    public var path: String
    /// What the endpoint did instead (`AWS endpoints have none`, `404 HTTP404`, …).
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "this endpoint has no \(path) (\(reason))" }

    /// Codes an extension itself answers 404 with: something it does not hold, not a missing
    /// extension.
    public static let extensionNotFoundCodes: Set<String> = ["BreakerNotFoundException"]

    /// Whether an error answer (status and `__type` code) says the path is not served at all.
    public static func isAbsence(status: Int, code: String) -> Bool {
        [404, 405, 501].contains(status) && !extensionNotFoundCodes.contains(code)
    }
}
