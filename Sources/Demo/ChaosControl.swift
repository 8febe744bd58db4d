import Chaos
import JSON
import StackClient
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
        do {
            _ = try await client.request(.put, "/_signalbox/chaos", body: ["spec": .string(current.text)])
            return .stored
        } catch {
            if Self.lacksExtension(error) { return .noExtension }
            return .refused(error.description)
        }
    }

    /// Polls `GET /_signalbox/chaos` every `interval` until cancelled, applying what it says.
    /// Returns at once on an endpoint without the extension; a transient failure keeps the
    /// spec in force and tries again.
    public func follow(_ client: ExtensionClient, interval: Duration = .seconds(1), clock: any TimeSource = SystemClock(),
                       onChange: @escaping @Sendable (ChaosSpec) -> Void = { _ in }) async {
        while !Task.isCancelled {
            do {
                let answer = try await client.request(.get, "/_signalbox/chaos")
                if let text = answer["spec"]?.stringValue, let spec = try? ChaosSpec(parsing: text), spec != current {
                    set(spec)
                    onChange(spec)
                }
            } catch {
                if Self.lacksExtension(error) { return }
            }
            try? await clock.sleep(for: interval)
        }
    }

    /// Whether `error` says the endpoint has no such extension (AWS itself, moto's 404s), as
    /// opposed to a passing failure.
    static func lacksExtension(_ error: StackClientError) -> Bool {
        switch error {
        case .invalidEndpoint: true
        case .service(let aws): aws.status == 404 || aws.status == 405 || aws.status == 501
        case .badResponse: true
        case .transport, .credentials: false
        }
    }
}
