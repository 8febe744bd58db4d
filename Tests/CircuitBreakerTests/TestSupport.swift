import Synchronization
import CircuitBreaker
import Timekeeping

let gateway = BreakerID(service: "payment", dependency: "payment-gateway")

struct GatewayError: Error, Equatable {}
struct BadRequest: Error, Equatable {}

func makeBreaker(_ configuration: BreakerConfiguration, clock: ManualClock,
                 classifier: ErrorClassifier = .standard) throws -> CircuitBreaker {
    try CircuitBreaker(id: gateway, configuration: configuration, classifier: classifier, clock: clock)
}

extension CircuitBreaker {
    /// Makes `count` calls that succeed in `duration` (each must be permitted).
    func succeed(_ count: Int = 1, taking duration: Duration = .milliseconds(10)) throws {
        for _ in 0..<count { onSuccess(try acquirePermission(), duration: duration) }
    }

    /// Makes `count` calls that fail in `duration` (each must be permitted).
    func fail(_ count: Int = 1, taking duration: Duration = .milliseconds(10)) throws {
        for _ in 0..<count { onError(try acquirePermission(), duration: duration, error: GatewayError()) }
    }

    /// Whether a call would be let through now (handing the permit straight back).
    var permitsCall: Bool {
        guard let permit = try? acquirePermission() else { return false }
        releasePermission(permit)
        return true
    }
}

/// A value shared between test tasks.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    var value: Value { mutex.withLock { $0 } }
    func update(_ change: (inout Value) -> Void) { mutex.withLock { change(&$0) } }
}
