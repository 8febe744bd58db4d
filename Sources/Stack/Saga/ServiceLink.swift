import Synchronization

/// A service reached through a link bound after construction. The bus delivers to state
/// machines (through the saga service's sink) and state machines put events on the bus, so one
/// of the two must be built first and learn of the other later: the saga service holds this.
public final class ServiceLink: Sendable {
    private let bound = Mutex<(any StackService)?>(nil)

    public init(_ service: (any StackService)? = nil) {
        bound.withLock { $0 = service }
    }

    /// Binds (or rebinds) the service calls go to.
    public func bind(_ service: any StackService) {
        bound.withLock { $0 = service }
    }

    /// The bound service, or nil while none is bound.
    public var service: (any StackService)? { bound.withLock { $0 } }
}
