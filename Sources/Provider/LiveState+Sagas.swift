/// State machine definitions: described once per machine (DescribeStateMachine) and kept, so
/// the console can read compensation paths, timeouts and heartbeats from them without a call
/// per poll.
extension LiveState {
    /// Machines whose definition is held: a poll does not describe them again.
    var knownDefinitions: Set<String> { Set(definitions.keys) }

    /// The machines a poll listed; a definition it carries is kept, a machine no longer listed
    /// loses its definition.
    mutating func applyMachines(_ listed: [StateMachine]) {
        var kept: [String: String] = [:]
        for machine in listed {
            if let text = machine.definition ?? definitions[machine.arn] { kept[machine.arn] = text }
        }
        definitions = kept
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
