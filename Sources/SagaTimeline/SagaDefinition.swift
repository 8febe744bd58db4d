import Foundation
import StatesLanguage
import Synchronization

/// What the saga views read from a state machine's definition: which states are compensation,
/// each state's limits, and the graph. Parsed with the StatesLanguage module; a definition the
/// parser rejects is kept as its error, and the views fall back to the history alone.
public struct SagaDefinition: Sendable {
    public let definition: StateMachineDefinition
    /// States reached through a `Catch` transition and everything after them until an end,
    /// including every state of a Parallel's branches or a Map's processor on that path.
    public let compensation: Set<String>
    /// The states a `Catch` leads to directly (where a compensation path begins).
    public let catchTargets: Set<String>

    public init(_ definition: StateMachineDefinition) {
        self.definition = definition
        var targets: Set<String> = []
        for state in definition.states.values {
            for catcher in state.catchers { targets.insert(catcher.next) }
        }
        catchTargets = targets
        compensation = Self.reachable(from: targets, in: definition)
    }

    /// The definition of `text`, or why it could not be read. Parsed once per text.
    public static func parse(_ text: String) -> Result<SagaDefinition, InvalidDefinition> {
        if let cached = cache.withLock({ $0[text] }) { return cached }
        let result: Result<SagaDefinition, InvalidDefinition>
        do throws(InvalidDefinition) {
            result = .success(SagaDefinition(try StateMachineDefinition(parsing: text)))
        } catch {
            result = .failure(error)
        }
        cache.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[text] = result
        }
        return result
    }

    private static let cache = Mutex<[String: Result<SagaDefinition, InvalidDefinition>]>([:])

    /// The states a state can go to next: Next, Choice rules and default, Catch targets.
    public static func successors(of state: State) -> [String] {
        var next: [String] = []
        if let n = state.next { next.append(n) }
        if case .choice(let choices, let defaultNext) = state.kind {
            next += choices.map(\.next)
            if let d = defaultNext { next.append(d) }
        }
        next += state.catchers.map(\.next)
        return next
    }

    /// The states of a Parallel's branches or a Map's processor.
    public static func children(of state: State) -> [String] {
        switch state.kind {
        case .parallel(let branches): branches.flatMap(\.stateNames)
        case .map(let spec): spec.processor.stateNames
        default: []
        }
    }

    static func reachable(from start: Set<String>, in definition: StateMachineDefinition) -> Set<String> {
        var seen: Set<String> = []
        var stack = Array(start)
        while let name = stack.popLast() {
            guard seen.insert(name).inserted, let state = definition.states[name] else { continue }
            stack += successors(of: state)
            stack += children(of: state)
        }
        return seen.intersection(definition.states.keys)
    }

    /// The state's `TimeoutSeconds`, when it is written as a number.
    public func timeoutSeconds(of name: String) -> Double? {
        guard case .task(let spec)? = definition.states[name]?.kind, case .value(let seconds)? = spec.timeoutSeconds else { return nil }
        return seconds
    }

    /// The state's `HeartbeatSeconds`, when it is written as a number.
    public func heartbeatSeconds(of name: String) -> Double? {
        guard case .task(let spec)? = definition.states[name]?.kind, case .value(let seconds)? = spec.heartbeatSeconds else { return nil }
        return seconds
    }

    /// How long a Wait state waits from when it is entered, when the definition says so.
    public func waitSeconds(of name: String) -> Double? {
        guard case .wait(.seconds(let seconds))? = definition.states[name]?.kind else { return nil }
        return seconds
    }

    /// The fixed time a Wait state waits until.
    public func waitTimestamp(of name: String) -> Date? {
        guard case .wait(.timestamp(let date))? = definition.states[name]?.kind else { return nil }
        return date
    }
}
