import Foundation
import GRDB
import JSON
import StatesLanguage
import StackProtocol
import Synchronization
import Wire

/// Bus rule targets that are state machines (`arn:aws:states:REGION:ACCOUNT:stateMachine:NAME`,
/// or a version or alias of one, `…:NAME:3` / `…:NAME:PROD`): a matching event starts an
/// execution whose input is the (transformed) event.
///
/// The execution is written inside PutEvents' own transaction, so an acknowledged event has
/// started its execution (or is in the bus's outbox for retry); the engine takes it over once
/// that transaction committed (or finds it at restart). A missing state machine is
/// `ResourceNotFoundException`, which the bus retries per the target's RetryPolicy, then
/// dead-letters; an input that is not JSON or is over 256 KiB is refused for good.
struct StateMachineTargetSink: BusTargetSink {
    let arnService = "states"
    let engine: SagaEngine
    let naming: SagaNaming
    private let definitions = DefinitionCache()

    init(engine: SagaEngine, naming: SagaNaming) {
        self.engine = engine
        self.naming = naming
    }

    func deliver(_ db: Database, targetArn: String, payload: String, eventId: String, now: Int64) throws {
        let runs = try target(db, targetArn)
        guard payload.utf8.count <= Execution.payloadLimit else {
            throw SagaError.invalidInput("Execution input of \(payload.utf8.count) bytes exceeds the 262144-byte limit.")
        }
        let input: JSONValue
        do {
            input = try JSONValue(parsing: payload)
        } catch {
            throw SagaError.invalidInput("Invalid State Machine Execution Input: '\(error)'")
        }
        let definition = try definitions.parse(runs.definition)
        // AWS names executions started by EventBridge with a generated id; a delivery is
        // written at most once (its transaction either commits or leaves it in the outbox).
        let name = RandomIdentifier.uuid()
        let context = ExecutionContext(executionArn: naming.executionArn(machine: runs.machineName, name: name), name: name,
                                       stateMachineArn: runs.machineArn, stateMachineName: runs.machineName, roleArn: runs.roleArn,
                                       stateMachineVersionArn: runs.versionArn, stateMachineAliasArn: runs.aliasArn)
        let (execution, step) = Execution.start(definition: definition, context: context, input: input,
                                                at: Date(millis: now), seed: UInt64.random(in: .min ... .max))
        try SagaEngine.insertStarted(db, execution: execution, state: try SagaEngine.encodeState(execution), step: step)
        let engine = self.engine
        if let hub = engine.hub, hub.hasSubscribers(.executions) {
            SagaEngine.publishOnCommit(db, ExecutionFrames.messages(for: execution, events: step.events, previousStatus: nil), hub: hub)
        }
        db.afterNextTransaction(onCommit: { _ in
            Task { await engine.adopt(execution, step: step) }
        })
    }

    /// What a target ARN runs: a machine's current definition, or — for a version ARN
    /// (`…:stateMachine:NAME:3`) or an alias ARN (`…:stateMachine:NAME:PROD`) — that version's,
    /// or the one the alias routes this delivery to, as StartExecution does. Anything that is
    /// not there (machine, version or alias) is the same ResourceNotFoundException.
    private func target(_ db: Database, _ targetArn: String) throws -> Target {
        guard targetArn.hasPrefix(naming.prefix) else { throw Self.notFound(targetArn) }
        if let machineName = naming.name(fromArn: targetArn, kind: "stateMachine") {
            guard let row = try Row.fetchOne(db, sql: "SELECT definition, role_arn FROM sfn_state_machine WHERE arn = ?",
                                             arguments: [targetArn]) else {
                throw Self.notFound(targetArn)
            }
            return Target(machineArn: targetArn, machineName: machineName, definition: row["definition"], roleArn: row["role_arn"])
        }
        guard let (machineArn, qualifier) = naming.qualifiedMachine(targetArn),
              let machineName = naming.name(fromArn: machineArn, kind: "stateMachine"),
              try Bool.fetchOne(db, sql: "SELECT 1 FROM sfn_state_machine WHERE arn = ?", arguments: [machineArn]) == true,
              let (version, aliasArn) = try? SagaService.qualifiedTarget(db, machineArn: machineArn, qualifier: qualifier,
                                                                         draw: Int.random(in: 0..<100)) else {
            throw Self.notFound(targetArn)
        }
        return Target(machineArn: machineArn, machineName: machineName, definition: version.definition, roleArn: version.roleArn,
                      versionArn: version.arn, aliasArn: aliasArn)
    }

    private struct Target {
        var machineArn: String
        var machineName: String
        var definition: String
        var roleArn: String
        var versionArn: String? = nil
        var aliasArn: String? = nil
    }

    static func notFound(_ arn: String) -> AWSError {
        AWSError(code: "ResourceNotFoundException", message: "State Machine Does Not Exist: '\(arn)'")
    }
}

/// Parsed definitions by their text: a busy rule starts many executions of one machine.
private final class DefinitionCache: Sendable {
    private let parsed = Mutex<[String: StateMachineDefinition]>([:])

    func parse(_ text: String) throws(AWSError) -> StateMachineDefinition {
        if let known = parsed.withLock({ $0[text] }) { return known }
        let definition: StateMachineDefinition
        do {
            definition = try StateMachineDefinition(parsing: text)
        } catch {
            throw SagaError.invalidDefinition(error.message)
        }
        parsed.withLock { cache in
            if cache.count >= 64 { cache.removeAll() }
            cache[text] = definition
        }
        return definition
    }
}
