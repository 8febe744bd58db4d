/// How a breaker counts a call that threw.
public enum ErrorDisposition: Sendable, Hashable {
    /// The dependency failed: counts toward the failure rate.
    case failure
    /// The dependency did its job and the error is about the request itself (a 404 for an
    /// unknown order): counts as a successful call, as resilience4j counts exceptions it is
    /// told not to record.
    case success
    /// The call timed out: counts toward the failure rate and, separately, as a timeout.
    case timeout
    /// Not the dependency's fault (a validation error, the caller giving up): not counted as a
    /// call at all, and a half-open trial permit is handed back.
    case ignored
}

/// Decides which errors count against the dependency. Services pass one that knows their
/// client's errors (a 4xx from the dependency is the caller's fault; a 5xx is not).
public struct ErrorClassifier: Sendable {
    private let classify: @Sendable (any Error) -> ErrorDisposition

    public init(_ classify: @escaping @Sendable (any Error) -> ErrorDisposition) {
        self.classify = classify
    }

    public func disposition(of error: any Error) -> ErrorDisposition { classify(error) }

    /// Cancellation is ignored (the caller gave up, the dependency did nothing wrong); a
    /// breaker's own timeout is a timeout; every other error is a failure.
    public static let standard = ErrorClassifier { error in
        if error is CancellationError { return .ignored }
        if let breakerError = error as? CircuitBreakerError, case .timedOut = breakerError.kind { return .timeout }
        return .failure
    }

    /// `standard`, except that errors `isFailure` rejects count as successful calls
    /// (resilience4j's `recordException` predicate). Cancellation stays ignored.
    public static func recording(_ isFailure: @escaping @Sendable (any Error) -> Bool) -> ErrorClassifier {
        ErrorClassifier { error in
            let disposition = standard.disposition(of: error)
            return disposition == .failure && !isFailure(error) ? .success : disposition
        }
    }

    /// `standard`, except that errors `isIgnored` accepts are ignored.
    public static func ignoring(_ isIgnored: @escaping @Sendable (any Error) -> Bool) -> ErrorClassifier {
        ErrorClassifier { error in isIgnored(error) ? .ignored : standard.disposition(of: error) }
    }
}
