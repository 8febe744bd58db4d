/// One injected fault: what goes wrong in which demo service.
///
/// Faults are values the demo's services consult on every unit of work, so changing the spec
/// at run time changes behaviour at once, and removing it lets everything recover.
public struct ChaosFault: Sendable, Hashable {
    /// What kind of failure, with its strength.
    public enum Kind: Sendable, Hashable {
        /// Each unit of work fails with this probability (0...1).
        case error(probability: Double)
        /// Each unit of work takes this much longer.
        case latency(Duration)
        /// Each message is poison with this probability: it fails on every delivery, so it ends
        /// in the dead-letter queue.
        case poison(probability: Double)
        /// The service stops heartbeating and stops working.
        case down

        /// The fault's name in the spec (`error`, `latency`, `poison`, `down`).
        public var name: String {
            switch self {
            case .error: "error"
            case .latency: "latency"
            case .poison: "poison"
            case .down: "down"
            }
        }
    }

    public var service: String
    public var kind: Kind

    public init(service: String, kind: Kind) {
        self.service = service
        self.kind = kind
    }

    /// The spec text of this fault (`payment.error=0.3`, `inventory.down`), as `ChaosSpec`
    /// parses it back.
    public var text: String {
        switch kind {
        case .error(let probability): "\(service).error=\(ChaosFault.format(probability))"
        case .latency(let duration): "\(service).latency=\(ChaosFault.format(duration))"
        case .poison(let probability): "\(service).poison=\(ChaosFault.format(probability))"
        case .down: "\(service).down"
        }
    }

    static func format(_ probability: Double) -> String {
        if probability == probability.rounded() { return String(Int(probability)) }
        return String(probability)
    }

    /// Whole milliseconds when exact (`800ms`), else seconds (`1.5s` is `1500ms`; sub-ms
    /// durations are not accepted by the parser).
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000
            + duration.components.attoseconds / 1_000_000_000_000_000
        return "\(milliseconds)ms"
    }
}
