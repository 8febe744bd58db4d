import Foundation
import GRDB
import JSON
import StatesLanguage
import Wire

/// Distributed Map: the engine runs each Map Run's children as executions of their own (rows in
/// `sfn_execution` pointing at the run), at most MaxConcurrency at once, counts how they end
/// against the tolerated failure threshold, and reports the run's outcome to the parent
/// execution. Invariants: a Map Run row is written in the same transaction as the parent's
/// MapRunStarted (or MapRunRedriven) event; a run's progress is what its children's rows say
/// (rebuilt from them after a restart); a closed run's row is updated before the parent hears
/// of it, so a restart between the two tells the parent again.
///
/// Redriving ("Redriving Map Runs", developer guide): a parent redriven while its distributed
/// Map had not exited runs the same Map Run again. Its succeeded children are kept; the
/// unsuccessful ones wait to be redriven (`pendingRedrive`) and run again within MaxConcurrency —
/// STANDARD children redriven in place (same ARN, ExecutionRedriven in their history), EXPRESS
/// ones started anew, as AWS restarts them with StartExecution; children that never started
/// start. Each child row records the redrive it last ran in (`map_attempt`).
extension SagaEngine {
    /// Writes what a step does to Map Runs, inside the transaction that commits the step: a
    /// new run's row, or a redriven run's new status and redrive count.
    static func writeMapRuns(_ db: Database, step: Step) throws {
        for effect in step.effects {
            switch effect {
            case .startMapRun(let request):
                let started = step.events.last { $0.type == "MapRunStarted" && $0.details?["mapRunArn"] == .string(request.mapRunArn) }
                let text = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
                try db.execute(sql: """
                    INSERT OR IGNORE INTO sfn_map_run (arn, execution_arn, machine_arn, status, started_at, max_concurrency,
                                                       tolerated_count, tolerated_percentage, request)
                    VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?)
                    """, arguments: [request.mapRunArn, request.executionArn, request.stateMachineArn,
                                     (started?.timestamp ?? Date()).millis, request.maxConcurrency, request.toleratedFailureCount,
                                     request.toleratedFailurePercentage, text])
            case .redriveMapRun(let arn, let count):
                let redriven = step.events.last { $0.type == "MapRunRedriven" && $0.details?["mapRunArn"] == .string(arn) }
                try db.execute(sql: """
                    UPDATE sfn_map_run SET status = 'RUNNING', stopped_at = NULL, error = NULL, cause = NULL, redrive_count = ?, redrive_date = ?
                    WHERE arn = ?
                    """, arguments: [count, (redriven?.timestamp ?? Date()).millis, arn])
            default:
                continue
            }
        }
    }

    // MARK: Running

    /// A parent's step began a Map Run (its row is committed): start its first children.
    func beginMapRun(_ request: MapRunRequest) async {
        guard mapRuns[request.mapRunArn] == nil else { return }
        mapRuns[request.mapRunArn] = MapRunProgress(request: request)
        await pump(request.mapRunArn)
    }

    /// The parent redrove the run (its row says RUNNING with the new redrive count): follow it
    /// again from its children's rows, where the unsuccessful ones now wait to be redriven.
    func redriveMapRun(_ mapRunArn: String) async {
        guard mapRuns[mapRunArn] == nil, let stored = try? await Self.loadMapRun(store, mapRunArn) else { return }
        mapRuns[mapRunArn] = stored.progress
        await pump(mapRunArn)
    }

    /// A child ended: count it, then start more or close the run.
    func childFinished(mapRunArn: String, index: Int, status: ExecutionStatus) async {
        guard mapRuns[mapRunArn] != nil else { return }
        mapRuns[mapRunArn]!.record(index, status)
        await pump(mapRunArn)
    }

    /// Starts children while MaxConcurrency allows, closes the run when it is complete or past
    /// its threshold. One loop per run: a call while it runs returns at once, and the loop sees
    /// the change when it looks again (children may end while it starts others).
    func pump(_ mapRunArn: String) async {
        guard !pumping.contains(mapRunArn) else { return }
        pumping.insert(mapRunArn)
        defer { pumping.remove(mapRunArn) }
        while var progress = mapRuns[mapRunArn] {
            if progress.thresholdExceeded {
                await close(mapRunArn, failure: MapRunFailure.thresholdExceeded)
                return
            }
            if progress.isComplete {
                await close(mapRunArn, failure: nil)
                return
            }
            let next = progress.startable()
            mapRuns[mapRunArn] = progress
            if next.isEmpty { return }
            for index in next { await startChild(progress.request, index: index) }
        }
    }

    private func startChild(_ request: MapRunRequest, index: Int) async {
        guard let attempt = mapRuns[request.mapRunArn]?.redriveCount else { return }
        let express = request.executionType == "EXPRESS"
        var earlier: String?
        if attempt > 0 {
            earlier = try? await store.read { db in
                try String.fetchOne(db, sql: """
                    SELECT arn FROM sfn_execution WHERE map_run_arn = ? AND map_index = ? ORDER BY map_attempt DESC, started_at DESC LIMIT 1
                    """, arguments: [request.mapRunArn, index])
            }
        }
        let childArn: String
        if let earlier, !express {
            // A STANDARD child that did not succeed is redriven in place.
            do {
                _ = try await redrive(earlier, mapAttempt: attempt)
            } catch {
                mapRuns[request.mapRunArn]?.record(index, .failed)
                return
            }
            childArn = earlier
        } else {
            guard let definition = childDefinition(request) else {
                mapRuns[request.mapRunArn]?.record(index, .failed)
                return
            }
            // Child ARNs carry the labelled machine: `…:execution:MACHINE/LABEL:NAME`, or for
            // EXPRESS children `…:express:MACHINE/LABEL:NAME:ID`, the form of Express execution ARNs.
            let name = RandomIdentifier.uuid()
            let machineName = "\(request.stateMachineName)/\(request.label)"
            let arn = express ? naming.expressExecutionArn(machine: machineName, name: name, id: RandomIdentifier.uuid())
                              : naming.executionArn(machine: machineName, name: name)
            var context = ExecutionContext(executionArn: arn, name: name, stateMachineArn: request.childStateMachineArn,
                                           stateMachineName: machineName, roleArn: request.roleArn)
            context.mapRunArn = request.mapRunArn
            context.mapRunIndex = index
            do {
                _ = try await start(definition: definition, context: context, input: request.childInput(index), mapAttempt: attempt)
            } catch {
                // The store refused the child: it counts as failed, as a child that cannot start on AWS does.
                mapRuns[request.mapRunArn]?.record(index, .failed)
                return
            }
            childArn = arn
        }
        // The run was failed or aborted while this child was being written: the stop that
        // closed it did not see the child, so it is stopped here.
        if mapRuns[request.mapRunArn] == nil {
            let at = now()
            try? await apply(childArn) { (execution: inout Execution) throws(ExecutionInputError) -> Step in
                try execution.stop(error: nil, cause: nil, at: at)
            }
        }
    }

    /// The children's machine. EXPRESS children run as Express workflows do, for at most five
    /// minutes (AWS's limit on an Express execution): past it they time out (`States.Timeout`).
    private func childDefinition(_ request: MapRunRequest) -> StateMachineDefinition? {
        if let cached = childDefinitions[request.mapRunArn] { return cached }
        var text = request.definition
        if request.executionType == "EXPRESS", case .object(var object)? = try? JSONValue(parsing: text), object["TimeoutSeconds"] == nil {
            object["TimeoutSeconds"] = .number(Double(Self.expressDurationLimit))
            text = JSONValue.object(object).serialized
        }
        guard let definition = try? StateMachineDefinition(parsing: text) else { return nil }
        childDefinitions[request.mapRunArn] = definition
        return definition
    }

    /// An Express execution runs for at most five minutes.
    static let expressDurationLimit = 300

    /// Ends a run: stops the children still running (on failure), writes its status, then tells
    /// the parent (its children's outputs in item order, or the failure).
    private func close(_ mapRunArn: String, failure: StatesError?) async {
        guard let progress = mapRuns.removeValue(forKey: mapRunArn) else { return }
        childDefinitions[mapRunArn] = nil
        if failure != nil { await stopChildren(mapRunArn) }
        let at = now()
        let status = failure == nil ? "SUCCEEDED" : "FAILED"
        do {
            try await store.write { db in
                try db.execute(sql: "UPDATE sfn_map_run SET status = ?, stopped_at = ?, error = ?, cause = ? WHERE arn = ? AND status = 'RUNNING'",
                               arguments: [status, at.millis, failure?.error, failure?.cause, mapRunArn])
            }
        } catch {
            return
        }
        await tellParent(progress.request.executionArn, mapRunArn: mapRunArn, failure: failure)
    }

    /// Feeds the parent the run's outcome; a parent that no longer waits for it ignores it.
    private func tellParent(_ parentArn: String, mapRunArn: String, failure: StatesError?) async {
        let at = now()
        if let failure {
            try? await apply(parentArn) { (execution: inout Execution) throws(ExecutionInputError) -> Step in
                try execution.mapRunFailed(mapRunArn: mapRunArn, error: failure, at: at)
            }
            return
        }
        guard let output = try? await childOutputs(mapRunArn) else { return }
        try? await apply(parentArn) { (execution: inout Execution) throws(ExecutionInputError) -> Step in
            try execution.mapRunSucceeded(mapRunArn: mapRunArn, output: output, at: at)
        }
    }

    /// The Map's result: each child's output in item order (its latest attempt's); a tolerated
    /// failure's place holds its error output (`{"Error", "Cause"}`), as an inline Map's does.
    private func childOutputs(_ mapRunArn: String) async throws(AWSError) -> JSONValue {
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: Self.childrenInOrder, arguments: [mapRunArn]).map { ($0["map_index"] as Int, $0["state"] as String) }
        }
        var latest: [Int: String] = [:]
        for (index, text) in rows { latest[index] = text }
        var outputs: [JSONValue] = []
        for index in latest.keys.sorted() {
            guard let child = try? JSONDecoder().decode(Execution.self, from: Data(latest[index]!.utf8)) else {
                throw AWSError.internalFailure("a child execution of \(mapRunArn) cannot be read")
            }
            if child.status == .succeeded {
                outputs.append(child.output ?? .null)
            } else {
                outputs.append(child.failure.map(\.errorOutput) ?? .null)
            }
        }
        return .array(outputs)
    }

    /// A Map Run's children, each index's attempts oldest first (the last row of an index is
    /// its latest attempt: an EXPRESS child restarted by a redrive is a new execution).
    static let childrenInOrder = """
        SELECT map_index, map_attempt, status, state FROM sfn_execution WHERE map_run_arn = ? ORDER BY map_index, map_attempt, started_at
        """

    /// The parent aborted the Map (stop, timeout, a failing sibling branch): the run is ABORTED
    /// and its running children are stopped.
    func abortMapRun(_ mapRunArn: String) async {
        mapRuns[mapRunArn] = nil
        childDefinitions[mapRunArn] = nil
        let at = now()
        _ = try? await store.write { db in
            try db.execute(sql: "UPDATE sfn_map_run SET status = 'ABORTED', stopped_at = ? WHERE arn = ? AND status = 'RUNNING'",
                           arguments: [at.millis, mapRunArn])
        }
        await stopChildren(mapRunArn)
    }

    private func stopChildren(_ mapRunArn: String) async {
        let children = (try? await store.read { db in
            try String.fetchAll(db, sql: "SELECT arn FROM sfn_execution WHERE map_run_arn = ? AND status = 'RUNNING' ORDER BY map_index",
                                arguments: [mapRunArn])
        }) ?? []
        for child in children {
            let at = now()
            try? await apply(child) { (execution: inout Execution) throws(ExecutionInputError) -> Step in
                try execution.stop(error: nil, cause: nil, at: at)
            }
        }
    }

    // MARK: Reading and updating

    /// A Map Run as it stands: the running one's progress, or one rebuilt from its row and its
    /// children's rows; nil when there is no such run.
    func mapRun(_ mapRunArn: String) async throws(AWSError) -> StoredMapRun? {
        await ensureLoaded()
        guard var stored = try await Self.loadMapRun(store, mapRunArn) else { return nil }
        if let live = mapRuns[mapRunArn] { stored.progress = live }
        return stored
    }

    /// UpdateMapRun: new MaxConcurrency and thresholds take effect at once (more children may
    /// start; the run may now be past its threshold). Only a RUNNING run may change.
    func updateMapRun(_ mapRunArn: String, maxConcurrency: Int?, toleratedCount: Int?, toleratedPercentage: Double?) async throws(AWSError) {
        await ensureLoaded()
        guard let stored = try await Self.loadMapRun(store, mapRunArn) else { throw SagaError.mapRunMissing(mapRunArn) }
        guard stored.status == "RUNNING", mapRuns[mapRunArn] != nil else {
            throw SagaError.validation("Map Run '\(mapRunArn)' is \(stored.status) and can no longer be updated")
        }
        if let maxConcurrency { mapRuns[mapRunArn]?.maxConcurrency = maxConcurrency }
        if let toleratedCount { mapRuns[mapRunArn]?.toleratedFailureCount = toleratedCount }
        if let toleratedPercentage { mapRuns[mapRunArn]?.toleratedFailurePercentage = toleratedPercentage }
        guard let progress = mapRuns[mapRunArn] else { return }
        try await store.write { db in
            try db.execute(sql: "UPDATE sfn_map_run SET max_concurrency = ?, tolerated_count = ?, tolerated_percentage = ? WHERE arn = ?",
                           arguments: [progress.maxConcurrency, progress.toleratedFailureCount, progress.toleratedFailurePercentage, mapRunArn])
        }
        await pump(mapRunArn)
    }

    // MARK: Recovery

    /// After a restart: each RUNNING Map Run whose parent still waits for it goes on from what
    /// its children's rows say; one whose parent does not is aborted; a parent waiting for a
    /// run that closed before the restart is told its outcome now.
    func recoverMapRuns() async {
        let arns = (try? await store.read { db in
            try String.fetchAll(db, sql: "SELECT arn FROM sfn_map_run WHERE status = 'RUNNING' ORDER BY started_at")
        }) ?? []
        let awaited = Set(runningParents().flatMap(\.awaited))
        for arn in arns {
            guard awaited.contains(arn), let stored = try? await Self.loadMapRun(store, arn) else {
                await abortMapRun(arn)
                continue
            }
            mapRuns[arn] = stored.progress
            await pump(arn)
        }
        for (parent, runs) in runningParents() {
            for arn in runs where mapRuns[arn] == nil {
                guard let stored = try? await Self.loadMapRun(store, arn), stored.status != "RUNNING" else { continue }
                let failure = stored.status == "SUCCEEDED" ? nil : StatesError(stored.error ?? "", stored.cause)
                await tellParent(parent, mapRunArn: arn, failure: failure)
            }
        }
    }

    private func runningParents() -> [(parent: String, awaited: [String])] {
        runningExecutions.compactMap { arn, execution in
            let awaited = execution.awaitedMapRuns
            return awaited.isEmpty ? nil : (arn, awaited)
        }
    }

    static func loadMapRun(_ store: StackStore, _ arn: String) async throws(AWSError) -> StoredMapRun? {
        try await store.read { db -> StoredMapRun? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sfn_map_run WHERE arn = ?", arguments: [arn]) else { return nil }
            let text: String = row["request"]
            let request = try JSONDecoder().decode(MapRunRequest.self, from: Data(text.utf8))
            var progress = MapRunProgress(request: request)
            progress.maxConcurrency = row["max_concurrency"]
            progress.toleratedFailureCount = row["tolerated_count"]
            progress.toleratedFailurePercentage = row["tolerated_percentage"]
            progress.redriveCount = row["redrive_count"]
            for child in try Row.fetchAll(db, sql: Self.childrenInOrder, arguments: [arn]) {
                guard let status = ExecutionStatus(rawValue: child["status"]) else { continue }
                progress.record(child["map_index"], status, waitsForRedrive: (child["map_attempt"] as Int) < progress.redriveCount)
            }
            return StoredMapRun(progress: progress, status: row["status"], startedAt: row["started_at"], stoppedAt: row["stopped_at"],
                                error: row["error"], cause: row["cause"], redriveDate: row["redrive_date"])
        }
    }
}

/// A Map Run as DescribeMapRun and ListMapRuns show it.
struct StoredMapRun: Sendable {
    var progress: MapRunProgress
    var status: String
    var startedAt: Int64
    var stoppedAt: Int64?
    var error: String?
    var cause: String?
    /// When the run was last redriven (its count is `progress.redriveCount`).
    var redriveDate: Int64?
}

extension ExecutionOutcome {
    var status: ExecutionStatus {
        switch self {
        case .succeeded: .succeeded
        case .failed: .failed
        case .timedOut: .timedOut
        case .aborted: .aborted
        }
    }
}
