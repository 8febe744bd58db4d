import Foundation
import GRDB
import JSON
import StatesLanguage
import Wire

/// Map Runs: ListMapRuns, DescribeMapRun, UpdateMapRun (Step Functions API reference), and the
/// child executions of one through ListExecutions(mapRunArn=…).
extension SagaService {
    /// `arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID`.
    func mapRunArn(_ input: SagaInput) throws(AWSError) -> String {
        let arn = try input.requiredString("mapRunArn", maxLength: 2000)
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 8, parts[0] == "arn", parts[2] == "states", parts[5] == "mapRun",
              parts[6].contains("/"), !parts[7].isEmpty else { throw SagaError.invalidArn(arn) }
        return arn
    }

    /// ListMapRuns: the Map Runs one execution started, newest first. Items as MapRunListItem:
    /// executionArn, mapRunArn, stateMachineArn (the parent's machine), startDate, stopDate.
    func listMapRuns(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let arn = try input.requiredString("executionArn", maxLength: 256)
        guard naming.executionParts(arn) != nil else { throw SagaError.invalidArn(arn) }
        let limit = try input.int("maxResults", in: 0...1000).flatMap { $0 == 0 ? nil : $0 } ?? 100
        let parameters = "ListMapRuns\n\(arn)"
        let offset = try input.pageToken(for: parameters).flatMap(Int.init) ?? 0
        guard try await engine.execution(arn) != nil else { throw SagaError.executionMissing(arn) }
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT arn, execution_arn, machine_arn, started_at, stopped_at FROM sfn_map_run
                WHERE execution_arn = ? ORDER BY started_at DESC, arn LIMIT ? OFFSET ?
                """, arguments: [arn, limit + 1, offset]).map { row -> JSONValue in
                var item: JSONObject = ["executionArn": .string(row["execution_arn"]), "mapRunArn": .string(row["arn"]),
                                        "stateMachineArn": .string(row["machine_arn"]), "startDate": Date(millis: row["started_at"]).epochSeconds]
                if let stopped = row["stopped_at"] as Int64? { item["stopDate"] = Date(millis: stopped).epochSeconds }
                return .object(item)
            }
        }
        var out: JSONObject = ["mapRuns": .array(Array(rows.prefix(limit)))]
        if rows.count > limit { out["nextToken"] = SagaInput.pageToken(String(offset + limit), for: parameters) }
        return .object(out)
    }

    /// DescribeMapRun: its settings (UpdateMapRun's changes included), status and the counts of
    /// its items and child executions by status.
    func describeMapRun(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let arn = try mapRunArn(input)
        guard let run = try await engine.mapRun(arn) else { throw SagaError.mapRunMissing(arn) }
        let progress = run.progress
        let (items, executions) = progress.counts
        var out: JSONObject = [
            "mapRunArn": .string(arn), "executionArn": .string(progress.request.executionArn), "status": .string(run.status),
            "startDate": Date(millis: run.startedAt).epochSeconds, "maxConcurrency": .number(Double(progress.maxConcurrency)),
            "toleratedFailurePercentage": .number(progress.toleratedFailurePercentage ?? 0),
            "toleratedFailureCount": .number(Double(progress.toleratedFailureCount ?? 0)),
            "itemCounts": .object(items.wire), "executionCounts": .object(executions.wire),
            "redriveCount": .number(Double(progress.redriveCount)),
        ]
        if let stopped = run.stoppedAt { out["stopDate"] = Date(millis: stopped).epochSeconds }
        if let redriven = run.redriveDate { out["redriveDate"] = Date(millis: redriven).epochSeconds }
        return .object(out)
    }

    /// UpdateMapRun: at least one of maxConcurrency (≥ 0), toleratedFailurePercentage (0–100)
    /// and toleratedFailureCount (≥ 0), as the API model's constraints say, each refused in
    /// AWS's wording for the bound it breaks (the percentage, a float, written as Java does).
    func updateMapRun(_ input: SagaInput) async throws(AWSError) -> JSONValue {
        let arn = try mapRunArn(input)
        let maxConcurrency = try Self.atLeastZero(input, "maxConcurrency", upTo: Int(Int32.max))
        let count = try Self.atLeastZero(input, "toleratedFailureCount", upTo: Int.max)
        var percentage: Double?
        if let member = input.member("toleratedFailurePercentage") {
            guard case .number(let value) = member else {
                throw SagaError.validation("1 validation error detected: Value at 'toleratedFailurePercentage' must be a number")
            }
            let written = value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value)).0" : member.serialized
            guard value >= 0 else { throw Self.belowZero(written, "toleratedFailurePercentage") }
            guard value <= 100 else {
                throw SagaError.validation("1 validation error detected: Value '\(written)' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value less than or equal to 100")
            }
            percentage = value
        }
        guard maxConcurrency != nil || count != nil || percentage != nil else {
            throw SagaError.validation("At least one of the parameters maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be specified")
        }
        try await engine.updateMapRun(arn, maxConcurrency: maxConcurrency, toleratedCount: count, toleratedPercentage: percentage)
        return [:]
    }

    /// An integer member whose only constraint is a minimum of 0 (`upTo`: what it may hold).
    private static func atLeastZero(_ input: SagaInput, _ name: String, upTo maximum: Int) throws(AWSError) -> Int? {
        guard let value = try input.int(name, in: Int.min...maximum) else { return nil }
        guard value >= 0 else { throw belowZero(String(value), name) }
        return value
    }

    private static func belowZero(_ written: String, _ name: String) -> AWSError {
        SagaError.validation("1 validation error detected: Value '\(written)' at '\(name)' failed to satisfy constraint: Member must have value greater than or equal to 0")
    }

    /// ListExecutions(mapRunArn=…): the Map Run's children, newest first, each with its
    /// `mapRunArn` and `itemCount` (returned only in this form, as the API reference says). A
    /// child waiting to be redriven with its run is PENDING_REDRIVE (and `statusFilter` finds it
    /// so); an EXPRESS child restarted by a redrive is listed with each of its executions.
    func listMapRunExecutions(_ input: SagaInput, filter: String?, redriven: Bool?, limit: Int) async throws(AWSError) -> JSONValue {
        if input.has("stateMachineArn") {
            throw SagaError.validation("Only one of stateMachineArn and mapRunArn may be specified")
        }
        let arn = try mapRunArn(input)
        let parameters = "ListExecutions\n\(arn)\n\(filter ?? "")\n\(redriven.map(String.init) ?? "")"
        let offset = try input.pageToken(for: parameters).flatMap(Int.init) ?? 0
        guard let run = try await engine.mapRun(arn) else { throw SagaError.mapRunMissing(arn) }
        let itemCounts = run.progress.request.itemCounts
        let rows = try await store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM (SELECT e.arn, e.machine_arn, e.name, e.started_at, e.stopped_at, e.map_index, e.redrive_count, e.redrive_date,
                    CASE WHEN \(Self.waitsForRedrive) THEN 'PENDING_REDRIVE' ELSE e.status END AS shown
                  FROM sfn_execution e JOIN sfn_map_run r ON r.arn = e.map_run_arn WHERE e.map_run_arn = ?)
                WHERE (? IS NULL OR shown = ?) AND (? IS NULL OR ? = (redrive_count > 0))
                ORDER BY started_at DESC, map_index DESC LIMIT ? OFFSET ?
                """, arguments: [arn, filter, filter, redriven, redriven, limit + 1, offset]).map { row -> JSONValue in
                let index: Int = row["map_index"]
                var item: JSONObject = ["executionArn": .string(row["arn"]), "stateMachineArn": .string(row["machine_arn"]),
                                        "name": .string(row["name"]), "status": .string(row["shown"]),
                                        "startDate": Date(millis: row["started_at"]).epochSeconds, "mapRunArn": .string(arn),
                                        "itemCount": .number(Double(itemCounts.indices.contains(index) ? itemCounts[index] : 1))]
                if let stopped = row["stopped_at"] as Int64? { item["stopDate"] = Date(millis: stopped).epochSeconds }
                Self.addRedrives(row, to: &item)
                return .object(item)
            }
        }
        var out: JSONObject = ["executions": .array(Array(rows.prefix(limit)))]
        if rows.count > limit { out["nextToken"] = SagaInput.pageToken(String(offset + limit), for: parameters) }
        return .object(out)
    }

    /// SQL over a child `e` joined to its run `r`: the child ended unsuccessfully before the
    /// run's latest redrive, is its index's latest attempt, and has not run again since.
    static let waitsForRedrive = """
        e.status IN ('FAILED', 'TIMED_OUT', 'ABORTED') AND e.map_attempt < r.redrive_count
        AND NOT EXISTS (SELECT 1 FROM sfn_execution n WHERE n.map_run_arn = e.map_run_arn AND n.map_index = e.map_index
                        AND n.map_attempt > e.map_attempt)
        """

    /// Whether a Map Run's child waits to be redriven with its run (DescribeExecution shows
    /// it PENDING_REDRIVE, as ListExecutions does).
    func childWaitsForRedrive(_ executionArn: String) async throws(AWSError) -> Bool {
        try await store.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM sfn_execution e JOIN sfn_map_run r ON r.arn = e.map_run_arn WHERE e.arn = ? AND \(Self.waitsForRedrive)
                """, arguments: [executionArn]) ?? false
        }
    }

    /// A distributed Map whose ItemReader or ResultWriter needs Amazon S3 is refused when the
    /// machine is created or updated: the local stack has no S3 to read items from or write
    /// results to, so such a machine could only fail when it ran.
    static func refuseS3(_ definition: StateMachineDefinition) throws(AWSError) {
        guard let (state, field) = definition.s3Fields.first else { return }
        throw SagaError.validation("The Map state '\(state)' uses \(field), which reads from or writes to Amazon S3; the local stack has no S3. "
            + "Give a distributed Map its items in the state input (ItemsPath or Items) and take its results from the state output.")
    }
}
