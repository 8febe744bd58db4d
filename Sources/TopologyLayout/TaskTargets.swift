import StatesLanguage
import Synchronization

/// The activities and Lambda functions a state machine's Task states call, read from its
/// definition. The map is rebuilt for every snapshot (four a second) while definitions rarely
/// change, so each definition text is parsed once and its answer kept.
struct TaskTargets: Sendable {
    struct Target: Sendable, Hashable {
        /// The Task state that calls it.
        var state: String
        var arn: String
        var name: String
    }

    /// The targets of `definition` in state-name order; none when it does not parse (the
    /// Sagas pane says why; the map simply draws no task edges).
    static func of(definition: String) -> [Target] {
        if let known = parsed.withLock({ $0[definition] }) { return known }
        var targets: [Target] = []
        if let parsedDefinition = try? StateMachineDefinition(parsing: definition) {
            for stateName in parsedDefinition.states.keys.sorted() {
                guard case .task(let task)? = parsedDefinition.states[stateName]?.kind else { continue }
                switch task.resource.kind {
                case .activity(let name), .lambdaFunction(let name):
                    targets.append(Target(state: stateName, arn: task.resource.arn, name: name))
                case .service, .other:
                    continue
                }
            }
        }
        parsed.withLock { known in
            if known.count >= capacity { known.removeAll(keepingCapacity: true) }
            known[definition] = targets
        }
        return targets
    }

    /// Bounded: cleared when full (the next snapshot parses again what it needs).
    static let capacity = 1_000
    private static let parsed = Mutex<[String: [Target]]>([:])
}
