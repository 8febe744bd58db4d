import Chaos
import JSON

/// `PUT /_signalbox/chaos`: the fault spec to put in force (`""` for none), in the grammar
/// `--chaos` takes (`payment.error=0.3,inventory.down`).
public struct ChaosRequest: Sendable, Hashable {
    public var spec: String

    public init(spec: String) { self.spec = spec }
    public init(_ spec: ChaosSpec) { self.spec = spec.text }

    /// `{"spec": "..."}`
    public var json: JSONValue { ["spec": .string(spec)] }

    public init(json: JSONValue) throws(StackProtocolError) {
        guard case .object(let object) = json else {
            throw StackProtocolError("The body must be a JSON object: {\"spec\": \"payment.error=0.3\"}.")
        }
        guard let spec = object["spec"]?.stringValue else {
            throw StackProtocolError("Member 'spec' must be a string, e.g. \"payment.error=0.3,inventory.down\" (\"\" for none).")
        }
        self.init(spec: spec)
    }
}

/// What every `/_signalbox/chaos` method answers: the spec in force, as text and as faults.
public struct ChaosAnswer: Sendable, Hashable {
    public var spec: ChaosSpec

    public init(spec: ChaosSpec) { self.spec = spec }

    /// `{"spec": "...", "faults": [{"service", "fault", "probability"|"milliseconds"}…]}`
    public var json: JSONValue { spec.json }

    /// Reads the answer by its `spec` text (the faults are what the text says).
    public init(json: JSONValue) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: "")
        do {
            self.init(spec: try ChaosSpec(parsing: try fields.string("spec")))
        } catch let error as ChaosSpecError {
            throw StackProtocolError("spec: \(error)")
        } catch let error as StackProtocolError {
            throw error
        } catch {
            throw StackProtocolError("\(error)")
        }
    }
}
