import Chaos
import JSON
import StackClient
import StackProtocol
import Synchronization
import Timekeeping

/// The faults the demo's services obey right now. Services read `current` on every unit of
/// work (a lock, no await), so a change applies to the very next order, message or task.
///
/// Against the local stack the spec lives on the endpoint (`/_signalbox/chaos`), so an
/// operator changes it at run time for every demo attached; `follow` polls it every second.
/// Against endpoints without the extension (moto, AWS) the spec given at start stays.
public final class ChaosControl: Sendable {
    private let spec: Mutex<ChaosSpec>

    public init(_ initial: ChaosSpec = .none) {
        spec = Mutex(initial)
    }

    public var current: ChaosSpec { spec.withLock { $0 } }

    public func set(_ newSpec: ChaosSpec) {
        spec.withLock { $0 = newSpec }
    }

    /// What became of the starting spec.
    public enum Publication: Sendable, Equatable {
        /// The endpoint holds it now; follow the endpoint from here on.
        case stored
        /// The endpoint has no `/_signalbox/chaos` (moto, AWS): the spec stays local.
        case noExtension
        /// The endpoint refused it (a `--readonly` stack): the spec stays local.
        case refused(String)
    }

    /// Puts the starting spec on the endpoint when it has the extension.
    public func publish(to client: ExtensionClient) async -> Publication {
        do throws(StackClientError) {
            _ = try await client.setChaos(ChaosRequest(current))
            return .stored
        } catch {
            if case .noExtension = error { return .noExtension }
            return .refused(error.description)
        }
    }

    /// Polls `GET /_signalbox/chaos` every `interval` until cancelled, applying what it says.
    /// Returns at once on an endpoint without the extension; a transient failure keeps the
    /// spec in force and tries again.
    public func follow(_ client: ExtensionClient, interval: Duration = .seconds(1), clock: any TimeSource = SystemClock(),
                       onChange: @escaping @Sendable (ChaosSpec) -> Void = { _ in }) async {
        while !Task.isCancelled {
            do throws(StackClientError) {
                let spec = try await client.chaos().spec
                if spec != current {
                    set(spec)
                    onChange(spec)
                }
            } catch {
                if case .noExtension = error { return }
            }
            try? await clock.sleep(for: interval)
        }
    }
}
