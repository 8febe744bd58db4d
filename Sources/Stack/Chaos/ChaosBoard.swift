import Chaos
import Synchronization

/// The fault spec in force for the demo's services, held by the stack so that every demo
/// attached to it (`serve --demo`, or `signalbox demo --endpoint`) obeys one operator's
/// switch. In memory: chaos is a run-time experiment, and a restarted stack starts healthy.
public final class ChaosBoard: Sendable {
    private let spec = Mutex(ChaosSpec.none)

    public init() {}

    public var current: ChaosSpec { spec.withLock { $0 } }

    public func set(_ newSpec: ChaosSpec) {
        spec.withLock { $0 = newSpec }
    }
}
