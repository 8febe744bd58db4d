import Foundation

/// State machine definitions: described per machine (DescribeStateMachine) and kept, so the
/// console can read compensation paths, timeouts and heartbeats from them without a call per
/// poll; described again once they are older than the provider's `definitionRefresh`, so an
/// UpdateStateMachine shows (ListStateMachines says nothing of a machine's revision).
extension LiveState {
    /// Machines whose definition is held and was described within `maxAge` of `now`: a poll
    /// does not describe them again.
    func knownDefinitions(at now: Date, maxAge: TimeInterval) -> Set<String> {
        Set(definitions.keys.filter { arn in definitionsDescribed[arn].map { now.timeIntervalSince($0) <= maxAge } ?? false })
    }

    /// The machines a poll listed at `now`; a definition it carries (described this round) is
    /// kept, a machine no longer listed loses its definition.
    mutating func applyMachines(_ listed: [StateMachine], at now: Date) {
        var kept: [String: String] = [:]
        var described: [String: Date] = [:]
        for machine in listed {
            if let text = machine.definition {
                kept[machine.arn] = text
                described[machine.arn] = now
            } else if let text = definitions[machine.arn] {
                kept[machine.arn] = text
                described[machine.arn] = definitionsDescribed[machine.arn]
            }
        }
        definitions = kept
        definitionsDescribed = described
        machines = listed
    }

    /// The machines with their held definitions attached.
    var machinesWithDefinitions: [StateMachine] {
        machines.map { machine in
            var machine = machine
            if machine.definition == nil { machine.definition = definitions[machine.arn] }
            return machine
        }
    }
}
