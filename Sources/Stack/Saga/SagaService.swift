import Foundation
import Timekeeping
import GRDB
import JSON
import StatesLanguage
import Wire

/// AWS Step Functions on the AWS JSON 1.0 protocol (`X-Amz-Target: AWSStepFunctions.*`), with
/// the StatesLanguage interpreter behind it and every execution durable in the stack's store.
///
/// Task resources: activities; Lambda function ARNs, dispatched as the activity of the
/// function's NAME (there is no Lambda here, so workers poll that activity);
/// `arn:aws:states:::sqs:sendMessage[.waitForTaskToken]` into the local queue service;
/// `arn:aws:states:::events:putEvents[.waitForTaskToken]` onto the local bus. Other
/// integrations fail the task with States.Runtime naming the resource. Bus rules reach state
/// machines through `stateMachineSink`; history events go live to the stream hub's
/// `executions` topic.
public final class SagaService: StackService {
    public let targetPrefix = "AWSStepFunctions"
    public let jsonVersion = AWSJSONVersion.v1_0

    let store: StackStore
    let naming: SagaNaming
    let engine: SagaEngine
    let machines = MachineCache()
    /// Execution and history times are its wall clock; activity long polls wait on it.
    let clock: any TimeSource
    /// GetActivityTask's long poll; AWS holds it for up to 60 seconds.
    let activityPollLimit: Duration

    public static var migrations: [StoreMigration] { SagaSchema.migrations }

    /// 60 seconds as AWS, unless `SIGNALBOX_SFN_ACTIVITY_POLL_SECONDS` says otherwise (test
    /// suites shorten it so idle workers notice they should stop).
    public static var defaultActivityPollLimit: Duration {
        if let text = ProcessInfo.processInfo.environment["SIGNALBOX_SFN_ACTIVITY_POLL_SECONDS"],
           let seconds = Double(text), seconds >= 0, seconds <= 60 {
            return .milliseconds(Int64(seconds * 1000))
        }
        return .seconds(60)
    }

    /// `bus` is a link rather than the bus itself because the bus is built after this service
    /// (it needs `stateMachineSink`); bind it once the bus exists.
    public init(store: StackStore, accountId: String, region: String, queues: (any StackService)? = nil,
                bus: ServiceLink? = nil, hub: StreamHub? = nil, metrics: StackMetrics = StackMetrics(),
                activityPollLimit: Duration = SagaService.defaultActivityPollLimit, clock: any TimeSource = SystemClock()) {
        self.store = store
        self.naming = SagaNaming(accountId: accountId, region: region)
        self.engine = SagaEngine(store: store, naming: naming, queues: queues, bus: bus, hub: hub,
                                 historyEvents: metrics.counter(.sfnHistoryEvents), clock: clock)
        self.clock = clock
        self.activityPollLimit = activityPollLimit
    }

    func now() -> Date { clock.wallClockNow.date }

    /// Recovers running executions at start: re-offers untaken tasks and re-arms timers.
    public func runBackground() async {
        await engine.ensureLoaded()
    }

    /// The bus's delivery sink for rule targets that are state machines of this stack.
    public var stateMachineSink: any BusTargetSink { StateMachineTargetSink(engine: engine, naming: naming) }

    /// SIGTERM: open GetActivityTask polls answer empty at once so the server stops promptly.
    public func beginShutdown() async {
        await engine.board.close()
    }

    public func gaugeReadings() async -> [GaugeReading] {
        [GaugeReading(.sfnRunningExecutions, await engine.runningCount),
         GaugeReading(.sfnActivityTasksQueued, await engine.board.queued)]
    }

    public func handle(operation: String, input: JSONValue, context: ServiceContext) async throws(AWSError) -> JSONValue {
        let input = SagaInput(input)
        switch operation {
        case "CreateStateMachine": return try await createStateMachine(input)
        case "DescribeStateMachine": return try await describeStateMachine(input)
        case "ListStateMachines": return try await listStateMachines(input)
        case "UpdateStateMachine": return try await updateStateMachine(input)
        case "DeleteStateMachine": return try await deleteStateMachine(input)
        case "ValidateStateMachineDefinition": return try validateDefinition(input)
        case "StartExecution":
            await engine.noteEndpoint(context.endpoint)
            return try await startExecution(input)
        case "DescribeExecution": return try await describeExecution(input)
        case "DescribeStateMachineForExecution": return try await describeMachineForExecution(input)
        case "ListExecutions": return try await listExecutions(input)
        case "GetExecutionHistory": return try await getExecutionHistory(input)
        case "StopExecution": return try await stopExecution(input)
        case "RedriveExecution": return try await redriveExecution(input)
        case "CreateActivity": return try await createActivity(input)
        case "DescribeActivity": return try await describeActivity(input)
        case "ListActivities": return try await listActivities(input)
        case "DeleteActivity": return try await deleteActivity(input)
        case "GetActivityTask": return try await getActivityTask(input)
        case "SendTaskSuccess": return try await sendTaskSuccess(input)
        case "SendTaskFailure": return try await sendTaskFailure(input)
        case "SendTaskHeartbeat": return try await sendTaskHeartbeat(input)
        case "TagResource": return try await tagResource(input)
        case "UntagResource": return try await untagResource(input)
        case "ListTagsForResource": return try await listTagsForResource(input)
        case "PublishStateMachineVersion": return try await publishStateMachineVersion(input)
        case "ListStateMachineVersions": return try await listStateMachineVersions(input)
        case "DeleteStateMachineVersion": return try await deleteStateMachineVersion(input)
        case "CreateStateMachineAlias": return try await createStateMachineAlias(input)
        case "DescribeStateMachineAlias": return try await describeStateMachineAlias(input)
        case "UpdateStateMachineAlias": return try await updateStateMachineAlias(input)
        case "DeleteStateMachineAlias": return try await deleteStateMachineAlias(input)
        case "ListStateMachineAliases": return try await listStateMachineAliases(input)
        case "ListMapRuns": return try await listMapRuns(input)
        case "DescribeMapRun": return try await describeMapRun(input)
        case "UpdateMapRun": return try await updateMapRun(input)
        default: throw SagaError.unknownOperation(operation)
        }
    }

    // MARK: State machines

    struct Machine: Sendable {
        var arn: String
        var name: String
        var definition: String
        var roleArn: String
        var type: String
        var createdAt: Int64
        var encryption: SagaEncryption
        /// Every update that changes the machine makes a new revision, which a version
        /// snapshots: `revision` counts them (the key versions are found by), `revisionId` is
        /// the UUID AWS shows for it.
        var revision: Int64
        var revisionId: String

        init(row: Row) {
            arn = row["arn"]; name = row["name"]; definition = row["definition"]
            roleArn = row["role_arn"]; type = row["type"]; createdAt = row["created_at"]
            encryption = SagaEncryption(stored: row["encryption"])
            revision = row["revision"]; revisionId = row["revision_id"]
        }
    }

    func parse(_ definition: String) throws(AWSError) -> StateMachineDefinition {
        do {
            return try StateMachineDefinition(parsing: definition)
        } catch {
            throw SagaError.invalidDefinition(error.message)
        }
    }

    func machineArn(_ input: SagaInput, _ member: String = "stateMachineArn") throws(AWSError) -> String {
        let arn = try input.requiredString(member, maxLength: 256)
        guard naming.name(fromArn: arn, kind: "stateMachine") != nil else { throw SagaError.invalidArn(arn) }
        return arn
    }

    /// A state machine ARN, or a version or alias of one (`…:stateMachine:NAME:QUALIFIER`).
    func machineOrQualifiedArn(_ input: SagaInput) throws(AWSError) -> (machineArn: String, qualifier: String?) {
        let arn = try input.requiredString("stateMachineArn", maxLength: 256)
        if naming.name(fromArn: arn, kind: "stateMachine") != nil { return (arn, nil) }
        guard let (machine, qualifier) = naming.qualifiedMachine(arn) else { throw SagaError.invalidArn(arn) }
        return (machine, qualifier)
    }

    func loadMachine(_ arn: String) async throws(AWSError) -> Machine {
        let machine = try await store.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sfn_state_machine WHERE arn = ?", arguments: [arn]).map(Machine.init)
        }
        guard let machine else { throw SagaError.machineMissing(arn) }
        return machine
    }

    private func roleArn(_ input: SagaInput, required: Bool) throws(AWSError) -> String? {
        let given: String?
        if required { given = try input.requiredString("roleArn", maxLength: 256) } else { given = try input.string("roleArn", maxLength: 256) }
        guard let role = given else { return nil }
        // An IAM role ARN: arn:PARTITION:iam::ACCOUNT:role/NAME with a 12-digit account id.
        let parts = role.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty, parts[2] == "iam", parts[3].isEmpty,
              parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }),
              parts[5].hasPrefix("role/"), parts[5].count > 5 else {
            throw SagaError.invalidArn(role)
        }
        return role
    }

    private func createStateMachine(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let name = try input.requiredString("name", maxLength: 80)
        guard SagaNaming.isValidName(name) else { throw SagaError.invalidName(name) }
        let definition = try input.requiredString("definition", maxLength: 1_048_576)
        let role = try roleArn(input, required: true)!
        let type = try input.string("type") ?? "STANDARD"
        guard type == "STANDARD" || type == "EXPRESS" else {
            throw SagaError.validation("1 validation error detected: Value '\(type)' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]")
        }
        let encryption = try SagaEncryption.read(input) ?? .default
        let tags = try Self.readTags(input) ?? []
        let publish = try input.bool("publish") ?? false
        let versionDescription = try Self.versionDescription(input, publish: publish)
        try Self.refuseS3(try parse(definition))
        let arn = naming.machineArn(name), at = now().millis
        guard tags.count <= Self.tagLimit else { throw Self.tooMany(tags.count, arn) }
        let (created, version) = try await store.write { db throws -> (Int64, Version?) in
            if let existing = try Row.fetchOne(db, sql: "SELECT * FROM sfn_state_machine WHERE arn = ?", arguments: [arn]).map(Machine.init) {
                guard existing.definition == definition, existing.roleArn == role, existing.type == type,
                      existing.encryption == encryption else {
                    throw SagaError.machineExists(arn)
                }
                let version = publish ? try Self.publish(db, machineArn: arn, description: versionDescription, revisionId: nil, at: at) : nil
                return (existing.createdAt, version)
            }
            try db.execute(sql: """
                INSERT INTO sfn_state_machine (arn, name, definition, role_arn, type, created_at, tags, encryption, revision_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [arn, name, definition, role, type, at, Self.encodeTags(tags), encryption.stored, RandomIdentifier.uuid()])
            let version = publish ? try Self.publish(db, machineArn: arn, description: versionDescription, revisionId: nil, at: at) : nil
            return (at, version)
        }
        var out: JSONObject = ["stateMachineArn": .string(arn), "creationDate": Date(millis: created).epochSeconds]
        if let version { out["stateMachineVersionArn"] = .string(version.arn) }
        return .object(out)
    }

    private func describeStateMachine(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (arn, qualifier) = try machineOrQualifiedArn(input)
        if let qualifier {
            // A version ARN describes that version; an alias has DescribeStateMachineAlias.
            guard let number = Int(qualifier), number > 0 else { throw SagaError.invalidArn("\(arn):\(qualifier)") }
            return try await describeVersion(machineArn: arn, number: number)
        }
        let machine = try await loadMachine(arn)
        return [
            "stateMachineArn": .string(machine.arn), "name": .string(machine.name), "status": "ACTIVE",
            "definition": .string(machine.definition), "roleArn": .string(machine.roleArn), "type": .string(machine.type),
            "creationDate": Date(millis: machine.createdAt).epochSeconds,
            "loggingConfiguration": ["level": "OFF", "includeExecutionData": false],
            "tracingConfiguration": ["enabled": false],
            "encryptionConfiguration": machine.encryption.wire,
            "revisionId": .string(machine.revisionId),
        ]
    }

    private func listStateMachines(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let limit = try input.int("maxResults", in: 0...1000).flatMap { $0 == 0 ? nil : $0 } ?? 100
        let offset = try input.pageToken(for: "ListStateMachines").flatMap(Int.init) ?? 0
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sfn_state_machine ORDER BY name LIMIT ? OFFSET ?", arguments: [limit + 1, offset])
                .map(Machine.init)
        }
        var out: JSONObject = ["stateMachines": .array(rows.prefix(limit).map { machine in
            ["stateMachineArn": .string(machine.arn), "name": .string(machine.name), "type": .string(machine.type),
             "creationDate": Date(millis: machine.createdAt).epochSeconds]
        })]
        if rows.count > limit { out["nextToken"] = SagaInput.pageToken(String(offset + limit), for: "ListStateMachines") }
        return .object(out)
    }

    private func updateStateMachine(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let arn = try machineArn(input)
        let definition = try input.string("definition", maxLength: 1_048_576)
        let role = try roleArn(input, required: false)
        let encryption = try SagaEncryption.read(input)
        guard definition != nil || role != nil || encryption != nil else {
            throw SagaError.make("MissingRequiredParameter", "Either the definition, the roleArn or the encryptionConfiguration must be specified.")
        }
        let publish = try input.bool("publish") ?? false
        let versionDescription = try Self.versionDescription(input, publish: publish)
        if let definition { try Self.refuseS3(try parse(definition)) }
        let at = now()
        defer { machines.invalidate(arn) }
        let (revisionId, version) = try await store.write { db throws -> (String, Version?) in
            guard let current = try Row.fetchOne(db, sql: "SELECT * FROM sfn_state_machine WHERE arn = ?", arguments: [arn]).map(Machine.init) else {
                throw SagaError.machineMissing(arn)
            }
            // A new revision when something changed (what a version snapshots).
            let changed = (definition.map { $0 != current.definition } ?? false) || (role.map { $0 != current.roleArn } ?? false)
                || (encryption.map { $0 != current.encryption } ?? false)
            if let definition { try db.execute(sql: "UPDATE sfn_state_machine SET definition = ? WHERE arn = ?", arguments: [definition, arn]) }
            if let role { try db.execute(sql: "UPDATE sfn_state_machine SET role_arn = ? WHERE arn = ?", arguments: [role, arn]) }
            if let encryption { try db.execute(sql: "UPDATE sfn_state_machine SET encryption = ? WHERE arn = ?", arguments: [encryption.stored, arn]) }
            let revisionId = changed ? RandomIdentifier.uuid() : current.revisionId
            if changed {
                try db.execute(sql: "UPDATE sfn_state_machine SET revision = revision + 1, revision_id = ? WHERE arn = ?", arguments: [revisionId, arn])
            }
            let version = publish ? try Self.publish(db, machineArn: arn, description: versionDescription, revisionId: nil, at: at.millis) : nil
            return (revisionId, version)
        }
        var out: JSONObject = ["updateDate": at.epochSeconds, "revisionId": .string(revisionId)]
        if let version { out["stateMachineVersionArn"] = .string(version.arn) }
        return .object(out)
    }

    private func deleteStateMachine(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let arn = try machineArn(input)
        // As AWS: deleting a machine that is not there succeeds; its executions keep running
        // on the definition they started with.
        defer { machines.invalidate(arn) }
        try await store.write { db in
            // Its versions and aliases go with it, as on AWS.
            try db.execute(sql: "DELETE FROM sfn_state_machine WHERE arn = ?", arguments: [arn])
            try db.execute(sql: "DELETE FROM sfn_version WHERE machine_arn = ?", arguments: [arn])
            try db.execute(sql: "DELETE FROM sfn_alias WHERE machine_arn = ?", arguments: [arn])
        }
        return [:]
    }

    private func validateDefinition(_ input: SagaInput) throws(AWSError) -> JSONValue {
        let definition = try input.requiredString("definition", maxLength: 1_048_576)
        let report = StateMachineDefinition.validate(definition)
        return ["result": .string(report.result), "diagnostics": .array(report.diagnostics.map { diagnostic in
            var object: JSONObject = ["severity": .string(diagnostic.severity.rawValue), "code": .string(diagnostic.code),
                                      "message": .string(diagnostic.message)]
            if let location = diagnostic.location { object["location"] = .string(location) }
            return .object(object)
        }), "truncated": false]
    }

    // MARK: Executions

    /// An execution ARN. Express executions (`…:express:…`, here the EXPRESS children of Map
    /// Runs) are refused by the operations AWS does not support for them, as AWS refuses the
    /// resource type; DescribeExecution takes them (`allowExpress`), as AWS does for Express
    /// executions a Map Run dispatched.
    private func executionArn(_ input: SagaInput, allowExpress: Bool = false) throws(AWSError) -> String {
        let arn = try input.requiredString("executionArn", maxLength: 256)
        if SagaNaming.isExpressExecution(arn) {
            guard allowExpress else { throw SagaError.make("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'") }
            return arn
        }
        guard naming.executionParts(arn) != nil else { throw SagaError.invalidArn(arn) }
        return arn
    }

    private func startExecution(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (arn, qualifier) = try machineOrQualifiedArn(input)
        let name = try input.string("name", maxLength: 80) ?? RandomIdentifier.uuid()
        guard SagaNaming.isValidName(name) else { throw SagaError.invalidName(name) }
        let text = try input.string("input", maxLength: Execution.payloadLimit) ?? "{}"
        let value: JSONValue
        do {
            value = try JSONValue(parsing: text)
        } catch {
            throw SagaError.invalidInput("Invalid State Machine Execution Input: '\(error)'")
        }
        let machine: Machine, definition: StateMachineDefinition
        var versionArn: String?, aliasArn: String?
        if let qualifier {
            (machine, definition, versionArn, aliasArn) = try await startableVersion(machineArn: arn, qualifier: qualifier)
        } else {
            (machine, definition) = try await startable(arn)
        }
        let executionArn = naming.executionArn(machine: machine.name, name: name)
        let context = ExecutionContext(executionArn: executionArn, name: name, stateMachineArn: arn,
                                       stateMachineName: machine.name, roleArn: machine.roleArn,
                                       stateMachineVersionArn: versionArn, stateMachineAliasArn: aliasArn)
        let started = try await engine.start(definition: definition, context: context, input: value, inputText: text)
        return ["executionArn": .string(executionArn), "startDate": started.epochSeconds]
    }

    /// The machine and its parsed definition, from the cache when it holds them.
    private func startable(_ arn: String) async throws(AWSError) -> (Machine, StateMachineDefinition) {
        if let cached = machines.entry(arn) { return (cached.machine, cached.definition) }
        let generation = machines.generation
        let machine = try await loadMachine(arn)
        let definition = try parse(machine.definition)
        machines.keep(.init(machine: machine, definition: definition), arn: arn, loadedAt: generation)
        return (machine, definition)
    }

    private func loadExecution(_ arn: String) async throws(AWSError) -> Execution {
        guard let execution = try await engine.execution(arn) else { throw SagaError.executionMissing(arn) }
        return execution
    }

    private func describeExecution(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let execution = try await loadExecution(try executionArn(input, allowExpress: true))
        let context = execution.context
        var waitsForRedrive = false
        if context.mapRunArn != nil, execution.redriveStatus == "REDRIVABLE" {
            waitsForRedrive = try await childWaitsForRedrive(context.executionArn)
        }
        // The input exactly as StartExecution received it (AWS returns the very bytes sent).
        let sent = try await store.read { db in
            try String.fetchOne(db, sql: "SELECT input FROM sfn_execution WHERE arn = ?", arguments: [context.executionArn])
        }
        var out: JSONObject = [
            "executionArn": .string(context.executionArn), "stateMachineArn": .string(context.stateMachineArn),
            "name": .string(context.name), "status": .string(waitsForRedrive ? "PENDING_REDRIVE" : execution.status.rawValue),
            "startDate": execution.startDate.epochSeconds,
            "input": .string(sent ?? execution.input.serialized), "inputDetails": ["included": true],
            "redriveCount": .number(Double(execution.redriveCount)),
        ]
        if let version = context.stateMachineVersionArn { out["stateMachineVersionArn"] = .string(version) }
        if let alias = context.stateMachineAliasArn { out["stateMachineAliasArn"] = .string(alias) }
        if let mapRun = context.mapRunArn { out["mapRunArn"] = .string(mapRun) }
        if let stop = execution.stopDate { out["stopDate"] = stop.epochSeconds }
        if let output = execution.output {
            out["output"] = .string(output.serialized)
            out["outputDetails"] = ["included": true]
        }
        if let failure = execution.failure, execution.status != .succeeded {
            if !failure.error.isEmpty { out["error"] = .string(failure.error) }
            if let cause = failure.cause { out["cause"] = .string(cause) }
        }
        if let redriveDate = execution.redriveDate { out["redriveDate"] = redriveDate.epochSeconds }
        switch execution.status {
        case .running, .succeeded:
            out["redriveStatus"] = "NOT_REDRIVABLE"
            out["redriveStatusReason"] = .string(execution.status == .running ? "Execution is RUNNING and cannot be redriven" : "Execution is SUCCEEDED and cannot be redriven")
        default:
            // A Map Run's child is redriven with its run, by redriving the parent.
            out["redriveStatus"] = context.mapRunArn == nil ? "REDRIVABLE" : "REDRIVABLE_BY_MAP_RUN"
        }
        return .object(out)
    }

    private func describeMachineForExecution(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let execution = try await loadExecution(try executionArn(input))
        var out: JSONObject = [
            "stateMachineArn": .string(execution.context.stateMachineArn), "name": .string(execution.context.stateMachineName),
            "definition": .string(execution.definition.source), "roleArn": .string(execution.context.roleArn),
            "updateDate": execution.startDate.epochSeconds,
            "loggingConfiguration": ["level": "OFF", "includeExecutionData": false],
            "tracingConfiguration": ["enabled": false],
        ]
        // A Map Run's child: its run and label ("returned only if the executionArn is a child
        // workflow execution that was started by a Distributed Map state").
        if let mapRun = execution.context.mapRunArn {
            out["mapRunArn"] = .string(mapRun)
            let machine = execution.context.stateMachineName
            if let slash = machine.firstIndex(of: "/") { out["label"] = .string(String(machine[machine.index(after: slash)...])) }
        }
        return .object(out)
    }

    private func listExecutions(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let statuses = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]
        let filter = try input.string("statusFilter")
        if let filter, !statuses.contains(filter) {
            throw SagaError.validation("1 validation error detected: Value '\(filter)' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [\(statuses.joined(separator: ", "))]")
        }
        let limit = try input.int("maxResults", in: 0...1000).flatMap { $0 == 0 ? nil : $0 } ?? 100
        let redriven = try Self.redriveFilter(input)
        if input.has("mapRunArn") { return try await listMapRunExecutions(input, filter: filter, redriven: redriven, limit: limit) }
        // As the API reference says: PENDING_REDRIVE is a Map Run child's status only.
        if filter == "PENDING_REDRIVE" {
            throw SagaError.validation("The statusFilter PENDING_REDRIVE can only be used with a mapRunArn")
        }
        // A version or alias ARN lists the executions started through it.
        let (arn, qualifier) = try machineOrQualifiedArn(input)
        let through = qualifier.map { "\(arn):\($0)" }
        let parameters = "ListExecutions\n\(through ?? arn)\n\(filter ?? "")\n\(redriven.map(String.init) ?? "")"
        let offset = try input.pageToken(for: parameters).flatMap(Int.init) ?? 0
        _ = try await loadMachine(arn)
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT arn, name, status, started_at, stopped_at, version_arn, alias_arn, redrive_count, redrive_date FROM sfn_execution
                WHERE machine_arn = ? AND (? IS NULL OR status = ?) AND (? IS NULL OR version_arn = ? OR alias_arn = ?)
                  AND (? IS NULL OR ? = (redrive_count > 0))
                ORDER BY started_at DESC, arn LIMIT ? OFFSET ?
                """, arguments: [arn, filter, filter, through, through, through, redriven, redriven, limit + 1, offset]).map { row -> JSONValue in
                var item: JSONObject = ["executionArn": .string(row["arn"]), "stateMachineArn": .string(arn), "name": .string(row["name"]),
                                        "status": .string(row["status"]), "startDate": Date(millis: row["started_at"]).epochSeconds]
                if let version = row["version_arn"] as String? { item["stateMachineVersionArn"] = .string(version) }
                if let alias = row["alias_arn"] as String? { item["stateMachineAliasArn"] = .string(alias) }
                if let stopped = row["stopped_at"] as Int64? { item["stopDate"] = Date(millis: stopped).epochSeconds }
                Self.addRedrives(row, to: &item)
                return .object(item)
            }
        }
        var out: JSONObject = ["executions": .array(Array(rows.prefix(limit)))]
        if rows.count > limit { out["nextToken"] = SagaInput.pageToken(String(offset + limit), for: parameters) }
        return .object(out)
    }

    /// ListExecutions' `redriveFilter`: true for REDRIVEN, false for NOT_REDRIVEN, nil for both.
    static func redriveFilter(_ input: SagaInput) throws(AWSError) -> Bool? {
        guard let filter = try input.string("redriveFilter") else { return nil }
        guard ["REDRIVEN", "NOT_REDRIVEN"].contains(filter) else {
            throw SagaError.validation("1 validation error detected: Value '\(filter)' at 'redriveFilter' failed to satisfy constraint: Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]")
        }
        return filter == "REDRIVEN"
    }

    /// An ExecutionListItem's `redriveCount` and, once redriven, `redriveDate`, from a row
    /// with the `redrive_count` and `redrive_date` columns.
    static func addRedrives(_ row: Row, to item: inout JSONObject) {
        item["redriveCount"] = .number(Double(row["redrive_count"] as Int))
        if let redriven = row["redrive_date"] as Int64? { item["redriveDate"] = Date(millis: redriven).epochSeconds }
    }

    private func getExecutionHistory(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let arn = try executionArn(input)
        let limit = try input.int("maxResults", in: 0...1000).flatMap { $0 == 0 ? nil : $0 } ?? 100
        let reverse = try input.bool("reverseOrder") ?? false
        let includeData = try input.bool("includeExecutionData") ?? true
        let parameters = "GetExecutionHistory\n\(arn)\n\(reverse)"
        let after = try input.pageToken(for: parameters).flatMap(Int.init)
        let exists = try await store.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM sfn_execution WHERE arn = ?", arguments: [arn]) ?? false
        }
        guard exists else { throw SagaError.executionMissing(arn) }
        let events = try await store.read { db in
            let sql = reverse
                ? "SELECT * FROM sfn_history WHERE execution_arn = ? AND id < ? ORDER BY id DESC LIMIT ?"
                : "SELECT * FROM sfn_history WHERE execution_arn = ? AND id > ? ORDER BY id LIMIT ?"
            return try Row.fetchAll(db, sql: sql, arguments: [arn, after ?? (reverse ? Int.max : 0), limit + 1]).map { row in
                let details: String? = row["details"]
                var object: JSONObject? = nil
                if let details, case .object(let parsed)? = try? JSONValue(parsing: details) { object = parsed }
                return HistoryEvent(id: row["id"], previousEventId: row["previous_id"],
                                    timestamp: Date(timeIntervalSince1970: row["timestamp"]), type: row["type"], details: object)
            }
        }
        var out: JSONObject = ["events": .array(events.prefix(limit).map { .object($0.wireObject(includeExecutionData: includeData)) })]
        if events.count > limit, let last = events.prefix(limit).last { out["nextToken"] = SagaInput.pageToken(String(last.id), for: parameters) }
        return .object(out)
    }

    private func stopExecution(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let arn = try executionArn(input)
        let error = try input.string("error", maxLength: 256)
        let cause = try input.string("cause", maxLength: 32_768)
        let at = now()
        do {
            try await engine.apply(arn) { (execution: inout Execution) throws(ExecutionInputError) -> Step in try execution.stop(error: error, cause: cause, at: at) }
        } catch let failure where failure.code == "ExecutionDoesNotExist" {
            // Stopping a closed execution is accepted by AWS; an unknown one is not.
            guard try await engine.execution(arn) != nil else { throw SagaError.executionMissing(arn) }
        }
        return ["stopDate": at.epochSeconds]
    }

    private func redriveExecution(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let arn = try executionArn(input)
        // AWS redrives a Map Run's children through their parent ("Redriving Map Runs").
        if let mapRun = try await engine.execution(arn)?.context.mapRunArn {
            throw SagaError.notRedrivable("Execution '\(arn)' was started by Map Run '\(mapRun)': redrive its parent execution to redrive it")
        }
        let date = try await engine.redrive(arn)
        return ["redriveDate": date.epochSeconds]
    }

    // MARK: Activities

    private func activityArn(_ input: SagaInput) throws(AWSError) -> (arn: String, name: String) {
        let arn = try input.requiredString("activityArn", maxLength: 256)
        guard let name = naming.name(fromArn: arn, kind: "activity") else { throw SagaError.invalidArn(arn) }
        return (arn, name)
    }

    private func createActivity(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let name = try input.requiredString("name", maxLength: 80)
        guard SagaNaming.isValidName(name) else { throw SagaError.invalidName(name) }
        let encryption = try SagaEncryption.read(input) ?? .default
        let tags = try Self.readTags(input) ?? []
        let arn = naming.activityArn(name), at = now().millis
        guard tags.count <= Self.tagLimit else { throw Self.tooMany(tags.count, arn) }
        let created = try await store.write { db throws -> Int64 in
            if let existing = try Row.fetchOne(db, sql: "SELECT created_at, encryption FROM sfn_activity WHERE arn = ?", arguments: [arn]) {
                // As AWS: the same name again is the same activity, unless it asks for other keys.
                guard SagaEncryption(stored: existing["encryption"]) == encryption else {
                    throw SagaError.make("ActivityAlreadyExists", "Activity already exists: '\(arn)'")
                }
                return existing["created_at"]
            }
            try db.execute(sql: "INSERT INTO sfn_activity (arn, name, created_at, tags, encryption) VALUES (?, ?, ?, ?, ?)",
                           arguments: [arn, name, at, Self.encodeTags(tags), encryption.stored])
            return at
        }
        return ["activityArn": .string(arn), "creationDate": Date(millis: created).epochSeconds]
    }

    private func activityCreated(_ arn: String) async throws(AWSError) -> (createdAt: Int64, encryption: SagaEncryption) {
        let found = try await store.read { db -> (Int64, String?)? in
            try Row.fetchOne(db, sql: "SELECT created_at, encryption FROM sfn_activity WHERE arn = ?", arguments: [arn])
                .map { ($0["created_at"], $0["encryption"]) }
        }
        guard let (created, encryption) = found else { throw SagaError.activityMissing(arn) }
        return (created, SagaEncryption(stored: encryption))
    }

    private func describeActivity(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (arn, name) = try activityArn(input)
        let (created, encryption) = try await activityCreated(arn)
        return ["activityArn": .string(arn), "name": .string(name), "creationDate": Date(millis: created).epochSeconds,
                "encryptionConfiguration": encryption.wire]
    }

    private func listActivities(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let limit = try input.int("maxResults", in: 0...1000).flatMap { $0 == 0 ? nil : $0 } ?? 100
        let offset = try input.pageToken(for: "ListActivities").flatMap(Int.init) ?? 0
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sfn_activity ORDER BY name LIMIT ? OFFSET ?", arguments: [limit + 1, offset])
                .map { row -> JSONValue in
                    ["activityArn": .string(row["arn"]), "name": .string(row["name"]), "creationDate": Date(millis: row["created_at"]).epochSeconds]
                }
        }
        var out: JSONObject = ["activities": .array(Array(rows.prefix(limit)))]
        if rows.count > limit { out["nextToken"] = SagaInput.pageToken(String(offset + limit), for: "ListActivities") }
        return .object(out)
    }

    private func deleteActivity(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (arn, _) = try activityArn(input)
        try await store.write { db in try db.execute(sql: "DELETE FROM sfn_activity WHERE arn = ?", arguments: [arn]) }
        return [:]
    }

    private func getActivityTask(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (arn, name) = try activityArn(input)
        let worker = try input.string("workerName", maxLength: 80)
        _ = try await activityCreated(arn)
        let deadline = clock.now + activityPollLimit
        guard let offer = await engine.takeTask(activity: name, workerName: worker, until: deadline) else { return [:] }
        return ["taskToken": .string(offer.token), "input": .string(offer.input)]
    }

    // MARK: Task outcomes

    private func taskToken(_ input: SagaInput) throws(AWSError) -> String {
        let token = try input.requiredString("taskToken", maxLength: 2048)
        guard token.utf8.count == 64, token.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            throw SagaError.invalidToken("Invalid Token: '\(token.prefix(100))'")
        }
        return token
    }

    private func sendTaskSuccess(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let token = try taskToken(input)
        let text = try input.requiredString("output", maxLength: Execution.payloadLimit)
        let output: JSONValue
        do {
            output = try JSONValue(parsing: text)
        } catch {
            throw SagaError.invalidOutput("Invalid Output: '\(error)'")
        }
        let at = now()
        try await engine.task(token: token) { (execution: inout Execution) throws(ExecutionInputError) -> Step in try execution.taskSucceeded(token: token, output: output, at: at) }
        return [:]
    }

    private func sendTaskFailure(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let token = try taskToken(input)
        let error = try input.string("error", maxLength: 256)
        let cause = try input.string("cause", maxLength: 32_768)
        let at = now()
        try await engine.task(token: token) { (execution: inout Execution) throws(ExecutionInputError) -> Step in try execution.taskFailed(token: token, error: error, cause: cause, at: at) }
        return [:]
    }

    private func sendTaskHeartbeat(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let token = try taskToken(input)
        let at = now()
        try await engine.task(token: token) { (execution: inout Execution) throws(ExecutionInputError) -> Step in try execution.taskHeartbeat(token: token, at: at) }
        return [:]
    }
}
