import Foundation
import GRDB
import JSON
import StatesLanguage
import Timekeeping
import Wire

/// State machine versions and aliases, as deployment pipelines use them:
/// PublishStateMachineVersion (and `publish`/`versionDescription` on Create/UpdateStateMachine),
/// ListStateMachineVersions, DeleteStateMachineVersion, Create/Describe/Update/Delete/List
/// StateMachineAlias, and StartExecution with a version or alias ARN.
///
/// A version is an immutable snapshot of one revision of the machine (definition, role,
/// encryption), numbered from 1 per machine; numbers are never reused. Publishing a revision
/// that already has a version returns that version (AWS's idempotency). An alias routes
/// executions to one or two versions of the same machine by weight (summing to 100). Both
/// are rows in the stack's store, so they survive a restart.
extension SagaService {
    /// AWS's quotas: 1,000 versions and 100 aliases a state machine.
    static let versionLimit = 1000
    static let aliasLimit = 100

    struct Version: Sendable {
        var machineArn: String
        var number: Int
        var definition: String
        var roleArn: String
        var revision: Int64
        var revisionId: String
        var description: String?
        var encryption: SagaEncryption
        var createdAt: Int64

        var arn: String { "\(machineArn):\(number)" }

        init(row: Row) {
            machineArn = row["machine_arn"]; number = row["number"]; definition = row["definition"]
            roleArn = row["role_arn"]; revision = row["revision"]; revisionId = row["revision_id"]; description = row["description"]
            encryption = SagaEncryption(stored: row["encryption"]); createdAt = row["created_at"]
        }
    }

    struct Route: Sendable, Equatable {
        var versionArn: String
        var weight: Int
    }

    struct Alias: Sendable {
        var machineArn: String
        var name: String
        var description: String?
        var routing: [Route]
        var createdAt: Int64
        var updatedAt: Int64

        var arn: String { "\(machineArn):\(name)" }

        init(row: Row) {
            machineArn = row["machine_arn"]; name = row["name"]; description = row["description"]
            createdAt = row["created_at"]; updatedAt = row["updated_at"]
            routing = SagaService.decodeRouting(row["routing"])
        }
    }

    static func conflict(_ message: String) -> AWSError { SagaError.make("ConflictException", message) }
    static func resourceMissing(_ arn: String) -> AWSError { SagaError.make("ResourceNotFound", "Resource not found: '\(arn)'") }
    static func quotaExceeded(_ message: String) -> AWSError { SagaError.make("ServiceQuotaExceededException", message) }

    // MARK: Publishing

    /// The machine's current revision as a version, inside the caller's write: the version
    /// already published for that revision, else a new one. `revisionId`, when given, must be
    /// the current revision's id (ConflictException otherwise, as AWS answers).
    static func publish(_ db: Database, machineArn: String, description: String?, revisionId: String?, at: Int64) throws -> Version {
        guard let machine = try Row.fetchOne(db, sql: """
            SELECT definition, role_arn, revision, revision_id, encryption, next_version FROM sfn_state_machine WHERE arn = ?
            """, arguments: [machineArn]) else {
            throw SagaError.machineMissing(machineArn)
        }
        let revision: Int64 = machine["revision"]
        let currentId: String = machine["revision_id"]
        if let revisionId, revisionId != currentId {
            throw conflict("Failed to publish the State Machine version for revision \(revisionId). The current State Machine revision is \(currentId).")
        }
        if let existing = try Row.fetchOne(db, sql: "SELECT * FROM sfn_version WHERE machine_arn = ? AND revision = ?", arguments: [machineArn, revision]) {
            return Version(row: existing)
        }
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sfn_version WHERE machine_arn = ?", arguments: [machineArn]) ?? 0
        guard count < versionLimit else {
            throw quotaExceeded("The state machine '\(machineArn)' already has \(versionLimit) versions, the most allowed. Delete versions to publish more.")
        }
        let number: Int = machine["next_version"]
        try db.execute(sql: """
            INSERT INTO sfn_version (machine_arn, number, definition, role_arn, revision, revision_id, description, encryption, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [machineArn, number, machine["definition"] as String, machine["role_arn"] as String, revision, currentId,
                             description, machine["encryption"] as String?, at])
        try db.execute(sql: "UPDATE sfn_state_machine SET next_version = ? WHERE arn = ?", arguments: [number + 1, machineArn])
        return try Version(row: Row.fetchOne(db, sql: "SELECT * FROM sfn_version WHERE machine_arn = ? AND number = ?", arguments: [machineArn, number])!)
    }

    /// `versionDescription` is only for a request that also publishes.
    static func versionDescription(_ input: SagaInput, publish: Bool) throws(AWSError) -> String? {
        let description = try input.string("versionDescription", maxLength: 256)
        if description != nil, !publish {
            throw SagaError.validation("Version description can only be set when publish is true")
        }
        return description
    }

    func publishStateMachineVersion(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let arn = try machineArn(input)
        let description = try input.string("description", maxLength: 256)
        let revisionId = try input.string("revisionId", maxLength: 256)
        let at = now().millis
        let version = try await store.write { db in
            try Self.publish(db, machineArn: arn, description: description, revisionId: revisionId, at: at)
        }
        return ["stateMachineVersionArn": .string(version.arn), "creationDate": Date(millis: version.createdAt).epochSeconds]
    }

    // MARK: Versions

    /// A version ARN's machine and number (InvalidArn for anything else).
    func versionArn(_ input: SagaInput, _ member: String) throws(AWSError) -> (machineArn: String, number: Int) {
        let arn = try input.requiredString(member, maxLength: 256)
        guard let (machine, qualifier) = naming.qualifiedMachine(arn), let number = Int(qualifier), number > 0 else {
            throw SagaError.invalidArn(arn)
        }
        return (machine, number)
    }

    func loadVersion(machineArn: String, number: Int) async throws(AWSError) -> Version {
        let version = try await store.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sfn_version WHERE machine_arn = ? AND number = ?", arguments: [machineArn, number]).map(Version.init)
        }
        guard let version else { throw Self.resourceMissing("\(machineArn):\(number)") }
        return version
    }

    func listStateMachineVersions(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let arn = try machineArn(input)
        let limit = try input.int("maxResults", in: 0...1000).flatMap { $0 == 0 ? nil : $0 } ?? 100
        let parameters = "ListStateMachineVersions\n\(arn)"
        let offset = try input.pageToken(for: parameters).flatMap(Int.init) ?? 0
        _ = try await loadMachine(arn)
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sfn_version WHERE machine_arn = ? ORDER BY number DESC LIMIT ? OFFSET ?",
                             arguments: [arn, limit + 1, offset]).map(Version.init)
        }
        var out: JSONObject = ["stateMachineVersions": .array(rows.prefix(limit).map { version in
            ["stateMachineVersionArn": .string(version.arn), "creationDate": Date(millis: version.createdAt).epochSeconds]
        })]
        if rows.count > limit { out["nextToken"] = SagaInput.pageToken(String(offset + limit), for: parameters) }
        return .object(out)
    }

    func deleteStateMachineVersion(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (machine, number) = try versionArn(input, "stateMachineVersionArn")
        let arn = "\(machine):\(number)"
        try await store.write { db in
            // As AWS: a version an alias routes to cannot go; one that is not there is gone already.
            let routed = try Row.fetchAll(db, sql: "SELECT * FROM sfn_alias WHERE machine_arn = ?", arguments: [machine]).map(Alias.init)
                .filter { $0.routing.contains { $0.versionArn == arn } }
            if let alias = routed.first {
                throw Self.conflict("Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [\(alias.name)]")
            }
            try db.execute(sql: "DELETE FROM sfn_version WHERE machine_arn = ? AND number = ?", arguments: [machine, number])
        }
        return [:]
    }

    /// DescribeStateMachine of a version ARN: that version's definition, role and description.
    func describeVersion(machineArn: String, number: Int) async throws(AWSError) -> JSONValue {
        let machine = try await loadMachine(machineArn)
        let version = try await loadVersion(machineArn: machineArn, number: number)
        var out: JSONObject = [
            "stateMachineArn": .string(version.arn), "name": .string(machine.name), "status": "ACTIVE",
            "definition": .string(version.definition), "roleArn": .string(version.roleArn), "type": .string(machine.type),
            "creationDate": Date(millis: version.createdAt).epochSeconds,
            "loggingConfiguration": ["level": "OFF", "includeExecutionData": false],
            "tracingConfiguration": ["enabled": false],
            "revisionId": .string(version.revisionId),
            "encryptionConfiguration": version.encryption.wire,
        ]
        if let description = version.description { out["description"] = .string(description) }
        return .object(out)
    }

    // MARK: Aliases

    static func encodeRouting(_ routing: [Route]) -> String {
        JSONValue.array(routing.map { ["stateMachineVersionArn": .string($0.versionArn), "weight": .number(Double($0.weight))] }).serialized
    }

    static func decodeRouting(_ text: String) -> [Route] {
        guard case .array(let items)? = try? JSONValue(parsing: text) else { return [] }
        return items.compactMap { item in
            guard let arn = item["stateMachineVersionArn"]?.stringValue, let weight = item["weight"]?.intValue else { return nil }
            return Route(versionArn: arn, weight: weight)
        }
    }

    /// A `routingConfiguration`: one or two distinct versions of one machine, weights 0–100
    /// summing to 100. Returns the machine the versions belong to.
    func readRouting(_ input: SagaInput) throws(AWSError) -> (machineArn: String, routing: [Route])? {
        guard let items = try input.objects("routingConfiguration") else { return nil }
        guard (1...2).contains(items.count) else {
            throw SagaError.validation("1 validation error detected: Value at 'routingConfiguration' failed to satisfy constraint: Member must have length between 1 and 2")
        }
        var routing: [Route] = []
        var machines = Set<String>()
        for (index, item) in items.enumerated() {
            let member = "routingConfiguration.\(index + 1).member"
            guard let arn = item["stateMachineVersionArn"]?.stringValue else {
                throw SagaError.validation("1 validation error detected: Value null at '\(member).stateMachineVersionArn' failed to satisfy constraint: Member must not be null")
            }
            guard let (machine, qualifier) = naming.qualifiedMachine(arn), let number = Int(qualifier), number > 0 else {
                throw SagaError.invalidArn(arn)
            }
            guard let weight = item["weight"]?.intValue, (0...100).contains(weight) else {
                throw SagaError.validation("1 validation error detected: Value '\(item["weight"]?.serialized ?? "null")' at '\(member).weight' failed to satisfy constraint: Member must have value between 0 and 100")
            }
            machines.insert(machine)
            routing.append(Route(versionArn: arn, weight: weight))
        }
        guard machines.count == 1, let machine = machines.first else {
            throw SagaError.validation("Routing configuration must contain versions of the same state machine")
        }
        guard Set(routing.map(\.versionArn)).count == routing.count else {
            throw SagaError.validation("Routing configuration must contain distinct state machine versions")
        }
        guard routing.reduce(0, { $0 + $1.weight }) == 100 else {
            throw SagaError.validation("Sum of routing configuration weights must be equal to 100")
        }
        return (machine, routing)
    }

    /// Every routed version must exist (inside the caller's write).
    static func checkVersionsExist(_ db: Database, _ routing: [Route], machineArn: String) throws {
        for route in routing {
            let number = Int(route.versionArn.split(separator: ":").last ?? "") ?? 0
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM sfn_version WHERE machine_arn = ? AND number = ?", arguments: [machineArn, number]) == true else {
                throw resourceMissing(route.versionArn)
            }
        }
    }

    /// An alias ARN's machine and name (InvalidArn for anything else).
    func aliasArn(_ input: SagaInput) throws(AWSError) -> (machineArn: String, name: String) {
        let arn = try input.requiredString("stateMachineAliasArn", maxLength: 256)
        guard let (machine, name) = naming.qualifiedMachine(arn), SagaNaming.isValidAliasName(name) else { throw SagaError.invalidArn(arn) }
        return (machine, name)
    }

    func loadAlias(machineArn: String, name: String) async throws(AWSError) -> Alias {
        let alias = try await store.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sfn_alias WHERE machine_arn = ? AND name = ?", arguments: [machineArn, name]).map(Alias.init)
        }
        guard let alias else { throw Self.resourceMissing("\(machineArn):\(name)") }
        return alias
    }

    func createStateMachineAlias(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let name = try input.requiredString("name", maxLength: 80)
        guard SagaNaming.isValidAliasName(name) else { throw SagaError.invalidName(name) }
        let description = try input.string("description", maxLength: 256)
        guard let (machine, routing) = try readRouting(input) else { throw SagaInputErrors.missing("routingConfiguration") }
        let at = now().millis
        let created = try await store.write { db throws -> Int64 in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM sfn_state_machine WHERE arn = ?", arguments: [machine]) == true else {
                throw Self.resourceMissing(machine)
            }
            try Self.checkVersionsExist(db, routing, machineArn: machine)
            if let existing = try Row.fetchOne(db, sql: "SELECT * FROM sfn_alias WHERE machine_arn = ? AND name = ?", arguments: [machine, name]).map(Alias.init) {
                // As AWS: the same alias again is the same alias; a different one is a conflict.
                guard existing.routing == routing, existing.description == description else {
                    throw Self.conflict("Failed to create alias because an alias with the same name and a different routing configuration already exists.")
                }
                return existing.createdAt
            }
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sfn_alias WHERE machine_arn = ?", arguments: [machine]) ?? 0
            guard count < Self.aliasLimit else {
                throw Self.quotaExceeded("The state machine '\(machine)' already has \(Self.aliasLimit) aliases, the most allowed.")
            }
            try db.execute(sql: "INSERT INTO sfn_alias (machine_arn, name, description, routing, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [machine, name, description, Self.encodeRouting(routing), at, at])
            return at
        }
        return ["stateMachineAliasArn": .string("\(machine):\(name)"), "creationDate": Date(millis: created).epochSeconds]
    }

    func describeStateMachineAlias(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (machine, name) = try aliasArn(input)
        let alias = try await loadAlias(machineArn: machine, name: name)
        var out: JSONObject = [
            "stateMachineAliasArn": .string(alias.arn), "name": .string(alias.name),
            "routingConfiguration": .array(alias.routing.map { ["stateMachineVersionArn": .string($0.versionArn), "weight": .number(Double($0.weight))] }),
            "creationDate": Date(millis: alias.createdAt).epochSeconds, "updateDate": Date(millis: alias.updatedAt).epochSeconds,
        ]
        if let description = alias.description { out["description"] = .string(description) }
        return .object(out)
    }

    func updateStateMachineAlias(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (machine, name) = try aliasArn(input)
        let description = try input.string("description", maxLength: 256)
        let routed = try readRouting(input)
        guard description != nil || routed != nil else {
            throw SagaError.validation("Either the description or the routingConfiguration must be specified.")
        }
        if let routed, routed.machineArn != machine {
            throw SagaError.validation("Routing configuration must contain versions of the alias's state machine")
        }
        let at = now().millis
        try await store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM sfn_alias WHERE machine_arn = ? AND name = ?", arguments: [machine, name]) == true else {
                throw Self.resourceMissing("\(machine):\(name)")
            }
            if let routed {
                try Self.checkVersionsExist(db, routed.routing, machineArn: machine)
                try db.execute(sql: "UPDATE sfn_alias SET routing = ? WHERE machine_arn = ? AND name = ?",
                               arguments: [Self.encodeRouting(routed.routing), machine, name])
            }
            if let description {
                try db.execute(sql: "UPDATE sfn_alias SET description = ? WHERE machine_arn = ? AND name = ?", arguments: [description, machine, name])
            }
            try db.execute(sql: "UPDATE sfn_alias SET updated_at = ? WHERE machine_arn = ? AND name = ?", arguments: [at, machine, name])
        }
        return ["updateDate": Date(millis: at).epochSeconds]
    }

    func deleteStateMachineAlias(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let (machine, name) = try aliasArn(input)
        try await store.write { db in
            try db.execute(sql: "DELETE FROM sfn_alias WHERE machine_arn = ? AND name = ?", arguments: [machine, name])
        }
        return [:]
    }

    func listStateMachineAliases(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let arn = try machineArn(input)
        let limit = try input.int("maxResults", in: 0...1000).flatMap { $0 == 0 ? nil : $0 } ?? 100
        let parameters = "ListStateMachineAliases\n\(arn)"
        let offset = try input.pageToken(for: parameters).flatMap(Int.init) ?? 0
        _ = try await loadMachine(arn)
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sfn_alias WHERE machine_arn = ? ORDER BY name LIMIT ? OFFSET ?",
                             arguments: [arn, limit + 1, offset]).map(Alias.init)
        }
        var out: JSONObject = ["stateMachineAliases": .array(rows.prefix(limit).map { alias in
            ["stateMachineAliasArn": .string(alias.arn), "creationDate": Date(millis: alias.createdAt).epochSeconds]
        })]
        if rows.count > limit { out["nextToken"] = SagaInput.pageToken(String(offset + limit), for: parameters) }
        return .object(out)
    }

    // MARK: Starting through a version or an alias

    /// What StartExecution runs for a qualified ARN: the version (an alias picks one by weight),
    /// as a machine value carrying that version's definition and role, and the ARNs the
    /// execution records.
    func startableVersion(machineArn: String, qualifier: String) async throws(AWSError)
        -> (machine: Machine, definition: StateMachineDefinition, versionArn: String, aliasArn: String?) {
        var machine = try await loadMachine(machineArn)
        let draw = Int.random(in: 0..<100)
        let target = try await store.read { db in try Self.qualifiedTarget(db, machineArn: machineArn, qualifier: qualifier, draw: draw) }
        machine.definition = target.version.definition
        machine.roleArn = target.version.roleArn
        return (machine, try parse(target.version.definition), target.version.arn, target.aliasArn)
    }

    /// The version a qualifier names, inside the caller's read or write: a version number, or
    /// an alias whose routing `draw` (0..<100) picks one. A version or alias that is not there
    /// is ResourceNotFound; a qualifier that is neither, InvalidArn. StartExecution and bus
    /// rules targeting a version or alias ARN both start what this returns.
    static func qualifiedTarget(_ db: Database, machineArn: String, qualifier: String, draw: Int) throws -> (version: Version, aliasArn: String?) {
        var number = Int(qualifier) ?? 0
        var aliasArn: String?
        if number == 0 {
            guard SagaNaming.isValidAliasName(qualifier) else { throw SagaError.invalidArn("\(machineArn):\(qualifier)") }
            guard let alias = try Row.fetchOne(db, sql: "SELECT * FROM sfn_alias WHERE machine_arn = ? AND name = ?",
                                               arguments: [machineArn, qualifier]).map(Alias.init) else {
                throw resourceMissing("\(machineArn):\(qualifier)")
            }
            aliasArn = alias.arn
            number = Int(route(alias.routing, draw: draw).split(separator: ":").last ?? "") ?? 0
        }
        guard let version = try Row.fetchOne(db, sql: "SELECT * FROM sfn_version WHERE machine_arn = ? AND number = ?",
                                             arguments: [machineArn, number]).map(Version.init) else {
            throw resourceMissing("\(machineArn):\(number)")
        }
        return (version, aliasArn)
    }

    /// The version a draw in 0..<100 lands on: the first route while the draw is below the
    /// running sum of weights.
    static func route(_ routing: [Route], draw: Int) -> String {
        var sum = 0
        for route in routing {
            sum += route.weight
            if draw < sum { return route.versionArn }
        }
        return routing.last { $0.weight > 0 }?.versionArn ?? routing.first?.versionArn ?? ""
    }
}
