import JSON

/// A set of faults for the demo's services, parsed from the one-line grammar that
/// `--chaos`, `PUT /_signalbox/chaos` and the README share:
///
/// ```
/// spec    = "" | item *("," item)
/// item    = target "." fault ["=" value]
/// target  = service | dependency
/// fault   = "error=" probability | "latency=" duration | "poison=" probability | "down"
/// probability = decimal in 0...1          duration = decimal ("ms" | "s"), at most 60s
/// ```
///
/// e.g. `payment.error=0.3,payment.latency=800ms,shipping.error=0.05,analytics.poison=0.01,inventory.down`.
/// A dependency (`payment-gateway.error=1`, `warehouse-db.down`, `carrier-api.latency=2s`) is
/// what a service calls through its circuit breaker: its faults fail or slow those calls, so
/// the service's breaker sees them. In the JSON a dependency is a `service` like any other
/// target, so the wire shape is the same for both.
/// Parsing is all-or-nothing: a spec with one bad item is refused whole, with an error naming
/// that item, so a typo at 3 a.m. never half-applies.
public struct ChaosSpec: Sendable, Hashable, CustomStringConvertible {
    /// The faults in the order given (at most one per service and fault kind).
    public private(set) var faults: [ChaosFault]

    /// No faults: everything works.
    public static let none = ChaosSpec(validated: [])

    /// The demo's services and the faults each understands. `poison` needs a consumer with a
    /// dead-letter queue, so only analytics takes it.
    public static let services: [(name: String, faults: Set<String>)] = [
        ("order", ["error", "latency", "down"]),
        ("inventory", ["error", "latency", "down"]),
        ("payment", ["error", "latency", "down"]),
        ("shipping", ["error", "latency", "down"]),
        ("notification", ["error", "latency", "down"]),
        ("analytics", ["error", "latency", "poison", "down"]),
    ]

    /// The dependencies the demo's services call through circuit breakers, each with its
    /// caller; they take `error`, `latency` and `down`.
    public static let dependencies: [(name: String, caller: String)] = [
        ("warehouse-db", "inventory"),
        ("payment-gateway", "payment"),
        ("carrier-api", "shipping"),
        ("mail-provider", "notification"),
    ]

    /// Every target of the grammar: the services, then the dependencies.
    public static let targets: [(name: String, faults: Set<String>)] = services
        + dependencies.map { ($0.name, ["error", "latency", "down"]) }

    /// Longest spec accepted, in UTF-8 bytes.
    public static let maximumLength = 1024
    /// Longest latency accepted: beyond it a fault is an outage, which `down` expresses.
    public static let maximumLatency = Duration.seconds(60)

    private init(validated faults: [ChaosFault]) {
        self.faults = faults
    }

    /// Parses `text`; surrounding spaces are ignored, the empty spec means no faults.
    /// - Throws: `ChaosSpecError` naming the first item that is wrong and why.
    public init(parsing text: String) throws(ChaosSpecError) {
        guard text.utf8.count <= Self.maximumLength else {
            throw ChaosSpecError(part: String(text.prefix(40)) + "…",
                                 reason: "the spec is \(text.utf8.count) bytes; at most \(Self.maximumLength) are accepted")
        }
        let trimmed = Self.trim(Substring(text))
        guard !trimmed.isEmpty else {
            self.init(validated: [])
            return
        }
        var faults: [ChaosFault] = []
        let items = trimmed.split(separator: ",", omittingEmptySubsequences: false)
        for (index, rawItem) in items.enumerated() {
            let item = Self.trim(rawItem)
            guard !item.isEmpty else {
                throw ChaosSpecError(part: String(trimmed),
                                     reason: "item \(index + 1) is empty (two commas in a row, or one at an end)")
            }
            let fault = try Self.parseItem(item)
            if faults.contains(where: { $0.service == fault.service && $0.kind.name == fault.kind.name }) {
                throw ChaosSpecError(part: String(item),
                                     reason: "\(fault.service).\(fault.kind.name) is given more than once")
            }
            faults.append(fault)
        }
        self.init(validated: faults)
    }

    private static func parseItem(_ item: Substring) throws(ChaosSpecError) -> ChaosFault {
        let part = String(item)
        let key: Substring
        let value: Substring?
        if let equals = item.firstIndex(of: "=") {
            key = trim(item[..<equals])
            value = trim(item[item.index(after: equals)...])
        } else {
            key = item
            value = nil
        }
        let names = key.split(separator: ".", omittingEmptySubsequences: false)
        guard names.count == 2, !names[0].isEmpty, !names[1].isEmpty else {
            throw ChaosSpecError(part: part, reason: "expected service.fault[=value], e.g. payment.error=0.3")
        }
        let service = String(names[0])
        let faultName = String(names[1])
        guard let known = targets.first(where: { $0.name == service }) else {
            throw ChaosSpecError(part: part, reason: "unknown service '\(service)'; the services are "
                                 + services.map(\.name).joined(separator: ", ") + " and the dependencies "
                                 + dependencies.map(\.name).joined(separator: ", "))
        }
        guard ["error", "latency", "poison", "down"].contains(faultName) else {
            throw ChaosSpecError(part: part, reason: "unknown fault '\(faultName)'; the faults are error, latency, poison, down")
        }
        guard known.faults.contains(faultName) else {
            throw ChaosSpecError(part: part, reason: "\(service) has no '\(faultName)' fault (poison applies to analytics, whose queue has a dead-letter queue)")
        }
        switch faultName {
        case "down":
            guard value == nil else {
                throw ChaosSpecError(part: part, reason: "'down' takes no value; write \(service).down")
            }
            return ChaosFault(service: service, kind: .down)
        case "latency":
            guard let value, !value.isEmpty else {
                throw ChaosSpecError(part: part, reason: "latency needs a duration, e.g. \(service).latency=800ms")
            }
            return ChaosFault(service: service, kind: .latency(try duration(value, part: part)))
        default:
            guard let value, !value.isEmpty else {
                throw ChaosSpecError(part: part, reason: "\(faultName) needs a probability between 0 and 1, e.g. \(service).\(faultName)=0.3")
            }
            let probability = try probability(value, part: part)
            return ChaosFault(service: service, kind: faultName == "error"
                              ? .error(probability: probability) : .poison(probability: probability))
        }
    }

    private static func probability(_ text: Substring, part: String) throws(ChaosSpecError) -> Double {
        guard isDecimal(text), let number = Double(text), number.isFinite, (0...1).contains(number) else {
            throw ChaosSpecError(part: part, reason: "'\(text)' is not a probability between 0 and 1")
        }
        return number
    }

    private static func duration(_ text: Substring, part: String) throws(ChaosSpecError) -> Duration {
        let unitMilliseconds: Double
        let digits: Substring
        if text.hasSuffix("ms") {
            unitMilliseconds = 1
            digits = text.dropLast(2)
        } else if text.hasSuffix("s") {
            unitMilliseconds = 1000
            digits = text.dropLast()
        } else {
            throw ChaosSpecError(part: part, reason: "'\(text)' needs a unit: ms or s (e.g. 800ms, 2s)")
        }
        guard isDecimal(digits), let number = Double(digits), number.isFinite else {
            throw ChaosSpecError(part: part, reason: "'\(text)' is not a duration (e.g. 800ms, 2s)")
        }
        let milliseconds = number * unitMilliseconds
        guard milliseconds == milliseconds.rounded() else {
            throw ChaosSpecError(part: part, reason: "'\(text)' is finer than a millisecond")
        }
        let result = Duration.milliseconds(Int64(milliseconds))
        guard result <= maximumLatency else {
            throw ChaosSpecError(part: part, reason: "'\(text)' is longer than 60s; use \(part.split(separator: ".")[0]).down for an outage")
        }
        return result
    }

    /// Plain decimals only (`0.3`, `.5`, `1`): no signs, exponents, `nan` or `inf`.
    private static func isDecimal(_ text: Substring) -> Bool {
        var dots = 0
        var digits = 0
        for character in text.utf8 {
            if character == UInt8(ascii: ".") { dots += 1 }
            else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character) { digits += 1 }
            else { return false }
        }
        return digits > 0 && dots <= 1
    }

    private static func trim(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }

    // MARK: Reading

    /// The canonical text (items in the order given, normalised values); parses back to `self`.
    public var text: String { faults.map(\.text).joined(separator: ",") }

    public var description: String { faults.isEmpty ? "no faults" : text }

    public var isEmpty: Bool { faults.isEmpty }

    /// Probability (0...1) that a unit of work of `service` fails; 0 without the fault.
    public func errorProbability(_ service: String) -> Double {
        for fault in faults where fault.service == service {
            if case .error(let probability) = fault.kind { return probability }
        }
        return 0
    }

    /// Extra time each unit of work of `service` takes; zero without the fault.
    public func latency(_ service: String) -> Duration {
        for fault in faults where fault.service == service {
            if case .latency(let duration) = fault.kind { return duration }
        }
        return .zero
    }

    /// Probability (0...1) that a message `service` consumes is poison; 0 without the fault.
    public func poisonProbability(_ service: String) -> Double {
        for fault in faults where fault.service == service {
            if case .poison(let probability) = fault.kind { return probability }
        }
        return 0
    }

    /// Whether `service` is down (no heartbeats, no work).
    public func isDown(_ service: String) -> Bool {
        faults.contains { $0.service == service && $0.kind == .down }
    }

    /// `{"spec": "...", "faults": [{"service": "payment", "fault": "error", "probability": 0.3}, …]}`:
    /// what `GET /_signalbox/chaos` answers. Latencies are in `milliseconds`.
    public var json: JSONValue {
        .object([
            "spec": .string(text),
            "faults": .array(faults.map { fault in
                var object: JSONObject = ["service": .string(fault.service), "fault": .string(fault.kind.name)]
                switch fault.kind {
                case .error(let probability), .poison(let probability): object["probability"] = .number(probability)
                case .latency(let duration):
                    object["milliseconds"] = .number(Double(duration.components.seconds * 1000
                        + duration.components.attoseconds / 1_000_000_000_000_000))
                case .down: break
                }
                return .object(object)
            }),
        ])
    }
}
