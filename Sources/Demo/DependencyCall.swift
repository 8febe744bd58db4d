import CircuitBreaker

/// How a failed call through a breaker reads in a task failure or a log line.
enum DependencyCall {
    static func describe(_ error: any Error) -> String {
        if let breakerError = error as? CircuitBreakerError { return breakerError.description }
        return "\(error)"
    }

    /// Whether the breaker refused the call without attempting it.
    static func wasShortCircuited(_ error: any Error) -> Bool {
        (error as? CircuitBreakerError)?.isShortCircuit ?? false
    }
}
