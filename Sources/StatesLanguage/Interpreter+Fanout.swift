#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Timekeeping

/// The fan-out of Parallel and Map, and a redrive resuming the runs that did not succeed.
extension Execution {
    mutating func startParallel(run: Int, branches: [StateMachineBody], input: JSONValue) {
        emit("ParallelStateStarted", nil, run: run)
        var fan = FanOutPhase(children: [], itemInputs: [], branchInput: input,
                              results: Array(repeating: StoredOptionalJSON(wrappedValue: nil), count: branches.count), isMap: false)
        for (slot, branch) in branches.enumerated() {
            let child = runs.count
            runs.append(Run(parent: run, slot: slot, stateName: branch.startAt, stateInput: input, enteredTime: now,
                            lastEventId: runs[run].lastEventId))
            inheritVariables(child: child, parent: run)
            fan.children.append(child)
            agenda.append(.enter(run: child, state: branch.startAt, input: input))
        }
        runs[run].phase = .fanOut(fan)
    }

    mutating func startMap(run: Int, state: State, spec: MapSpec, raw: JSONValue) throws(StatesError) {
        let effective = try applyInputPath(state, raw, run: run)
        let itemsValue: JSONValue?
        if let template = spec.items {
            var scope = jsonataScope(run: run, input: raw)
            itemsValue = try evaluate(template, &scope, field: "Items")
            guard case .array = itemsValue ?? .null else {
                throw StatesError(StatesErrorName.queryEvaluationError,
                                  "The Items field of the state '\(state.name)' must evaluate to a JSON array, got \(itemsValue?.typeName ?? "nothing").")
            }
        } else if let path = spec.itemsPath {
            itemsValue = path.select(in: effective, context: contextObject(run: run), variables: variables(run: run))
        } else {
            itemsValue = effective
        }
        guard case .array(let items) = itemsValue ?? .null else {
            throw StatesError(StatesErrorName.runtime,
                              "An error occurred while executing the state '\(state.name)'. The ItemsPath '\(spec.itemsPath?.text ?? "$")' must select a JSON array, got \(itemsValue?.typeName ?? "nothing")")
        }
        let selector = spec.itemSelector ?? state.parameters
        var inputs: [StoredJSON] = []
        inputs.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            if let template = spec.itemTemplate {
                var scope = jsonataScope(run: run, input: raw, mapItem: (index, item))
                inputs.append(StoredJSON(wrappedValue: try evaluate(template, &scope, field: "ItemSelector")))
            } else if let selector {
                let context = contextObject(run: run, mapItem: (index, item))
                inputs.append(StoredJSON(wrappedValue: try selector.evaluate(data: effective, context: context, variables: variables(run: run), random: &random)))
            } else {
                inputs.append(StoredJSON(wrappedValue: item))
            }
        }
        if let distributed = spec.distributed {
            try startMapRun(run: run, state: state, distributed: distributed, spec: spec, items: inputs.map(\.wrappedValue),
                            effective: effective, raw: raw)
            return
        }
        var fan = FanOutPhase(children: Array(repeating: nil, count: items.count), itemInputs: inputs, branchInput: .null,
                              results: Array(repeating: StoredOptionalJSON(wrappedValue: nil), count: items.count), isMap: true)
        fan.maxConcurrency = Int(try number(spec.maxConcurrency, input: effective, field: "MaxConcurrencyPath", run: run) ?? 0)
        fan.toleratedCount = try number(spec.toleratedFailureCount, input: effective, field: "ToleratedFailureCountPath", run: run)
        fan.toleratedPercentage = try number(spec.toleratedFailurePercentage, input: effective, field: "ToleratedFailurePercentagePath", run: run)
        emit("MapStateStarted", ["length": .number(Double(items.count))], run: run)
        runs[run].phase = .fanOut(fan)
        if items.isEmpty {
            emit("MapStateSucceeded", nil, run: run)
            complete(run: run, result: .array([]))
            return
        }
        startMapItems(run: run)
    }

    /// Starts Map iterations until MaxConcurrency are running.
    mutating func startMapItems(run: Int) {
        guard case .fanOut(var fan) = runs[run].phase else { return }
        guard case .map(let spec) = definition.states[runs[run].stateName]!.kind else { return }
        var running = fan.children.compactMap { $0 }.filter { runs[$0].status == .running }.count
        while fan.nextItem < fan.children.count, fan.maxConcurrency == 0 || running < fan.maxConcurrency {
            let slot = fan.nextItem
            fan.nextItem += 1
            if let existing = fan.children[slot], runs[existing].status == .succeeded { continue }
            let child = runs.count
            let started = emit("MapIterationStarted", ["name": .string(runs[run].stateName), "index": .number(Double(slot))], run: run)
            let input = fan.itemInputs[slot].wrappedValue
            runs.append(Run(parent: run, slot: slot, stateName: spec.processor.startAt, stateInput: input, enteredTime: now, lastEventId: started))
            inheritVariables(child: child, parent: run)
            fan.children[slot] = child
            agenda.append(.enter(run: child, state: spec.processor.startAt, input: input))
            running += 1
        }
        runs[run].phase = .fanOut(fan)
    }

    mutating func childSucceeded(parent: Int, child: Int, output: JSONValue) {
        guard runs[parent].status == .running, case .fanOut(var fan) = runs[parent].phase, fan.children[runs[child].slot] == child else { return }
        let slot = runs[child].slot
        fan.results[slot] = StoredOptionalJSON(wrappedValue: output)
        runs[parent].phase = .fanOut(fan)
        if fan.isMap {
            let id = emit("MapIterationSucceeded", ["name": .string(runs[parent].stateName), "index": .number(Double(slot))], run: child)
            runs[parent].lastEventId = id
            startMapItems(run: parent)
        }
        guard case .fanOut(let current) = runs[parent].phase else { return }
        let done = current.children.allSatisfy { id in id.map { runs[$0].status != .running } ?? false }
        guard done else { return }
        if current.isMap {
            emit("MapStateSucceeded", nil, run: parent)
        } else {
            runs[parent].lastEventId = runs[child].lastEventId
            emit("ParallelStateSucceeded", nil, run: parent)
        }
        complete(run: parent, result: .array(current.results.map { $0.wrappedValue ?? .null }))
    }

    mutating func childFailed(parent: Int, child: Int, error: StatesError) {
        guard runs[parent].status == .running, case .fanOut(var fan) = runs[parent].phase, fan.children[runs[child].slot] == child else { return }
        let slot = runs[child].slot
        if fan.isMap {
            let id = emit("MapIterationFailed", ["name": .string(runs[parent].stateName), "index": .number(Double(slot))], run: child)
            runs[parent].lastEventId = id
            fan.failures += 1
            fan.results[slot] = StoredOptionalJSON(wrappedValue: error.errorOutput)
            let total = Double(fan.children.count)
            let tolerant = fan.toleratedCount != nil || fan.toleratedPercentage != nil
            var exceeded = !tolerant
            if let count = fan.toleratedCount, Double(fan.failures) > count { exceeded = true }
            if let percentage = fan.toleratedPercentage, Double(fan.failures) / total * 100 > percentage { exceeded = true }
            runs[parent].phase = .fanOut(fan)
            if !exceeded {
                startMapItems(run: parent)
                childSucceededCheck(parent: parent)
                return
            }
            let failure = tolerant
                ? StatesError(StatesErrorName.exceedToleratedFailureThreshold, "The specified tolerated failure threshold was exceeded")
                : error
            abortChildren(parent: parent)
            emit("MapStateFailed", nil, run: parent)
            fail(run: parent, failure)
        } else {
            runs[parent].lastEventId = runs[child].lastEventId
            abortChildren(parent: parent)
            emit("ParallelStateFailed", nil, run: parent)
            fail(run: parent, error)
        }
    }

    /// After a tolerated Map failure, the Map may be complete.
    mutating func childSucceededCheck(parent: Int) {
        guard case .fanOut(let fan) = runs[parent].phase else { return }
        let done = fan.children.allSatisfy { id in id.map { runs[$0].status != .running } ?? false }
        guard done else { return }
        emit("MapStateSucceeded", nil, run: parent)
        complete(run: parent, result: .array(fan.results.map { $0.wrappedValue ?? .null }))
    }

    mutating func abortChildren(parent: Int) {
        guard case .fanOut(let fan) = runs[parent].phase else { return }
        for child in fan.children.compactMap({ $0 }) where runs[child].status == .running {
            abort(run: child, emitEvents: true)
            if fan.isMap {
                let id = emit("MapIterationAborted", ["name": .string(runs[parent].stateName), "index": .number(Double(runs[child].slot))], run: child)
                runs[parent].lastEventId = id
            }
        }
    }

    // MARK: Redrive

    /// Continues a run that did not succeed: fan-outs resume their unfinished children,
    /// anything else enters its current state again with the input it had.
    mutating func resume(run: Int) {
        guard runs[run].status != .succeeded else { return }
        runs[run].status = .running
        runs[run].error = nil
        if case .fanOut(var fan) = runs[run].phase {
            if fan.isMap {
                fan.failures = 0
                for (slot, child) in fan.children.enumerated() {
                    guard let child, runs[child].status != .succeeded else { continue }
                    fan.results[slot] = StoredOptionalJSON(wrappedValue: nil)
                }
                runs[run].phase = .fanOut(fan)
            }
            emit(fan.isMap ? "MapStateStarted" : "ParallelStateStarted",
                 fan.isMap ? ["length": .number(Double(fan.children.count))] : nil, run: run)
            for child in fan.children.compactMap({ $0 }) where runs[child].status != .succeeded {
                runs[child].lastEventId = runs[run].lastEventId
                resume(run: child)
            }
            if fan.isMap { startMapItems(run: run) }
            return
        }
        if var mark = runs[run].mapRun {
            // A distributed Map that did not exit: its Map Run is redriven, not started anew
            // ("Redriving Map Runs", developer guide).
            mark.redriveCount += 1
            runs[run].mapRun = mark
            runs[run].phase = .mapRun(arn: mark.arn)
            emit("MapRunRedriven", ["mapRunArn": .string(mark.arn), "redriveCount": .number(Double(mark.redriveCount))], run: run)
            step.effects.append(.redriveMapRun(mapRunArn: mark.arn, redriveCount: mark.redriveCount))
            return
        }
        agenda.append(.enter(run: run, state: runs[run].stateName, input: runs[run].stateInput))
    }
}
