#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON

/// A distributed Map inside the parent execution: it computes the items (ItemsPath or Items,
/// ItemSelector, ItemBatcher), asks the host for a Map Run and waits for its outcome. The parent's
/// history then reads as AWS records it: MapStateEntered, MapStateStarted, MapRunStarted
/// (`mapRunStartedEventDetails.mapRunArn`), then MapRunSucceeded, MapStateSucceeded,
/// MapStateExited — or MapRunFailed (`mapRunFailedEventDetails` with error and cause),
/// MapStateFailed — or MapRunAborted when the parent stops.
extension Execution {
    mutating func startMapRun(run: Int, state: State, distributed: DistributedMapSpec, spec: MapSpec, items: [JSONValue],
                              effective: JSONValue, raw: JSONValue) throws(StatesError) {
        let maxConcurrency = Int(try number(spec.maxConcurrency, input: effective, field: "MaxConcurrencyPath", run: run) ?? 0)
        let count = try number(spec.toleratedFailureCount, input: effective, field: "ToleratedFailureCountPath", run: run)
        let percentage = try number(spec.toleratedFailurePercentage, input: effective, field: "ToleratedFailurePercentagePath", run: run)
        var inputs = items
        var itemCounts = Array(repeating: 1, count: items.count)
        if let batcher = distributed.batcher {
            let maxItems = try number(batcher.maxItems, input: effective, field: "MaxItemsPerBatchPath", run: run).map { Int($0) }
            let maxBytes = try number(batcher.maxBytes, input: effective, field: "MaxInputBytesPerBatchPath", run: run).map { Int($0) }
            if let maxBytes, maxBytes > DefinitionParser.maxBatchBytes {
                throw StatesError(StatesErrorName.runtime,
                                  "The MaxInputBytesPerBatch value \(maxBytes) exceeds the maximum of \(DefinitionParser.maxBatchBytes) bytes.")
            }
            var batchInput: JSONValue?
            if let template = batcher.batchInput {
                batchInput = try template.evaluate(data: effective, context: contextObject(run: run), variables: variables(run: run), random: &random)
            } else if let template = batcher.batchInputTemplate {
                var scope = jsonataScope(run: run, input: raw)
                batchInput = try evaluate(template, &scope, field: "BatchInput")
            }
            let batches = Self.batch(items, maxItems: maxItems, maxBytes: maxBytes, batchInput: batchInput)
            inputs = batches.map(\.input)
            itemCounts = batches.map(\.count)
        }
        for input in inputs where input.serialized.utf8.count > Self.payloadLimit {
            throw StatesError(StatesErrorName.dataLimitExceeded,
                              "The state/task '\(state.name)' has an input with a size exceeding the maximum number of bytes service limit.")
        }
        let id = random.uuid()
        let label = distributed.label ?? random.uuid()
        let mapRunArn = Self.mapRunArn(stateMachineArn: context.stateMachineArn, machineName: context.stateMachineName,
                                       label: label, id: id)
        let request = MapRunRequest(mapRunArn: mapRunArn, executionArn: context.executionArn, stateMachineArn: context.stateMachineArn,
                                    stateMachineName: context.stateMachineName, roleArn: context.roleArn, stateName: state.name, label: label,
                                    labelGiven: distributed.label != nil, executionType: distributed.executionType,
                                    definition: distributed.processorDefinition, inputs: inputs, itemCounts: itemCounts,
                                    maxConcurrency: maxConcurrency, toleratedFailureCount: count.map { Int($0) },
                                    toleratedFailurePercentage: percentage)
        emit("MapStateStarted", ["length": .number(Double(items.count))], run: run)
        emit("MapRunStarted", ["mapRunArn": .string(mapRunArn)], run: run)
        runs[run].phase = .mapRun(arn: mapRunArn)
        runs[run].mapRun = MapRunMark(arn: mapRunArn)
        step.effects.append(.startMapRun(request))
    }

    /// `arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:UUID`, from the machine's ARN (the
    /// form DescribeMapRun's and ListMapRuns' examples show).
    static func mapRunArn(stateMachineArn: String, machineName: String, label: String, id: String) -> String {
        let parts = stateMachineArn.split(separator: ":", omittingEmptySubsequences: false)
        let prefix = parts.count >= 5 ? parts[0..<5].joined(separator: ":") : "arn:aws:states::"
        return "\(prefix):mapRun:\(machineName)/\(label):\(id)"
    }

    /// Groups items into child inputs of at most `maxItems` items and `maxBytes` bytes of
    /// `{"BatchInput": …, "Items": […]}` (BatchInput only when given). An item too large for
    /// any batch goes alone in its own.
    static func batch(_ items: [JSONValue], maxItems: Int?, maxBytes: Int?, batchInput: JSONValue?) -> [(input: JSONValue, count: Int)] {
        func wrap(_ group: [JSONValue]) -> JSONValue {
            var object = JSONObject()
            if let batchInput { object["BatchInput"] = batchInput }
            object["Items"] = .array(group)
            return .object(object)
        }
        let base = wrap([]).serialized.utf8.count
        var batches: [(input: JSONValue, count: Int)] = []
        var group: [JSONValue] = []
        var size = base
        for item in items {
            let itemSize = item.serialized.utf8.count + (group.isEmpty ? 0 : 1)
            let full = (maxItems.map { group.count >= $0 } ?? false) || (maxBytes.map { size + itemSize > $0 } ?? false)
            if full, !group.isEmpty {
                batches.append((wrap(group), group.count))
                group = []
                size = base
            }
            size += item.serialized.utf8.count + (group.isEmpty ? 0 : 1)
            group.append(item)
        }
        if !group.isEmpty { batches.append((wrap(group), group.count)) }
        return batches
    }

    /// Map Runs this execution waits for: what the host must follow again after a restart.
    public var awaitedMapRuns: [String] {
        runs.compactMap { run in
            if run.status == .running, case .mapRun(let arn) = run.phase { return arn }
            return nil
        }
    }

    /// The Map Run ended well: `output` (the children's outputs, in item order) is the Map's
    /// result, which goes through ResultSelector, ResultPath and OutputPath.
    public mutating func mapRunSucceeded(mapRunArn: String, output: JSONValue, at now: Date) throws(ExecutionInputError) -> Step {
        let run = try beginMapRunInput(mapRunArn, at: now)
        runs[run].phase = .idle
        emit("MapRunSucceeded", nil, run: run)
        emit("MapStateSucceeded", nil, run: run)
        complete(run: run, result: output)
        drain()
        return takeStep()
    }

    /// The Map Run failed (past its tolerated failure threshold): the Map fails with `error`,
    /// which Retry and Catch see.
    public mutating func mapRunFailed(mapRunArn: String, error: StatesError, at now: Date) throws(ExecutionInputError) -> Step {
        let run = try beginMapRunInput(mapRunArn, at: now)
        runs[run].phase = .idle
        var details = JSONObject()
        details["error"] = .string(error.error)
        if let cause = error.cause { details["cause"] = .string(cause) }
        emit("MapRunFailed", details, run: run)
        emit("MapStateFailed", nil, run: run)
        fail(run: run, error)
        drain()
        return takeStep()
    }

    private mutating func beginMapRunInput(_ mapRunArn: String, at now: Date) throws(ExecutionInputError) -> Int {
        self.now = now
        guard status == .running else { throw .executionNotRunning(status) }
        guard let run = runs.indices.first(where: { index in
            if runs[index].status == .running, case .mapRun(let arn) = runs[index].phase { return arn == mapRunArn }
            return false
        }) else { throw .mapRunDoesNotExist(mapRunArn) }
        return run
    }
}
