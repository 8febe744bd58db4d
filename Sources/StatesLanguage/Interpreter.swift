#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Timekeeping

/// The state-by-state semantics: entering, running and leaving states. Data flow is in
/// Interpreter+DataFlow, Retry and Catch in Interpreter+RetryCatch, Parallel, Map and redrive
/// in Interpreter+Fanout.
extension Execution {
    mutating func drain() {
        var index = 0
        while index < agenda.count {
            let work = agenda[index]
            index += 1
            if status != .running { break }
            switch work {
            case .enter(let run, let state, let input): enter(run: run, state: state, input: input)
            case .execute(let run): execute(run: run)
            }
            if index > 4096, index * 2 > agenda.count {
                agenda.removeFirst(index)
                index = 0
            }
        }
        agenda.removeAll(keepingCapacity: true)
    }

    // MARK: Entering

    mutating func enter(run: Int, state name: String, input: JSONValue) {
        guard runs[run].status == .running else { return }
        if lastEventId >= Self.historyEventLimit - 1 {
            failExecution(StatesError(StatesErrorName.runtime,
                                      "The execution reached the maximum number of history events (\(Self.historyEventLimit))."))
            return
        }
        let state = definition.states[name]!
        runs[run].stateName = name
        runs[run].stateInput = input
        runs[run].enteredTime = now
        runs[run].retryAttempts = Array(repeating: 0, count: state.retry.count)
        runs[run].phase = .idle
        runs[run].mapRun = nil
        var details = JSONObject()
        details["name"] = .string(name)
        details["input"] = .string(input.serialized)
        details["inputDetails"] = ["truncated": false]
        runs[run].enteredEventId = emit(state.typeName + "StateEntered", details, run: run)
        execute(run: run)
    }

    /// Runs the current state's work: first time, or again after a retry interval.
    mutating func execute(run: Int) {
        guard runs[run].status == .running else { return }
        let state = definition.states[runs[run].stateName]!
        let raw = runs[run].stateInput
        do throws(StatesError) {
            if state.queryLanguage == .jsonata {
                try executeJSONata(run: run, state: state)
                return
            }
            switch state.kind {
            case .pass(let result):
                let effective = try applyInputPath(state, raw, run: run)
                var value = effective
                if let parameters = state.parameters {
                    value = try parameters.evaluate(data: effective, context: contextObject(run: run), variables: variables(run: run), random: &random)
                }
                if let result { value = result }
                let merged = try applyResultPath(state.resultPath, raw: raw, result: value)
                let output = try applyOutputPath(state, merged, run: run)
                let assigned = try assignJSONPath(state, run: run, data: value)
                exit(run: run, output: output, assigned: assigned)
            case .succeed:
                let effective = try applyInputPath(state, raw, run: run)
                exit(run: run, output: try applyOutputPath(state, effective, run: run))
            case .fail(let errorSource, let causeSource):
                let error = try resolve(errorSource, raw: raw, run: run, field: "ErrorPath")
                let cause = try resolve(causeSource, raw: raw, run: run, field: "CausePath")
                failRun(run: run, StatesError(error ?? "", cause))
            case .choice(let choices, let defaultNext):
                let effective = try applyInputPath(state, raw, run: run)
                let context = contextObject(run: run)
                let variables = variables(run: run)
                var target: String?
                for rule in choices {
                    guard case .jsonPath(let condition) = rule.test else { continue }
                    if try condition.evaluate(effective, context: context, variables: variables) {
                        target = rule.next
                        break
                    }
                }
                guard let next = target ?? defaultNext else {
                    throw StatesError(StatesErrorName.noChoiceMatched, "No Choice Rules matched and no Default was specified in the state '\(state.name)'")
                }
                let output = try applyOutputPath(state, effective, run: run)
                let assigned = try assignJSONPath(state, run: run, data: effective)
                exit(run: run, output: output, next: next, assigned: assigned)
            case .wait(let duration):
                let effective = try applyInputPath(state, raw, run: run)
                let deadline = try waitDeadline(duration, input: effective, run: run)
                let output = try applyOutputPath(state, effective, run: run)
                let assigned = try assignJSONPath(state, run: run, data: effective)
                let seconds = deadline.timeIntervalSince(now)
                if seconds <= 0 {
                    exit(run: run, output: output, assigned: assigned)
                } else {
                    runs[run].assignedOnExit = assigned.map { StoredJSON(wrappedValue: .object($0)) }
                    let timer = startTimer(run: run, purpose: .wait, seconds: seconds)
                    runs[run].phase = .wait(timer: timer, output: StoredJSON(wrappedValue: output))
                }
            case .task(let spec):
                try scheduleTask(run: run, state: state, spec: spec, raw: raw)
            case .parallel(let branches):
                let effective = try applyInputPath(state, raw, run: run)
                var branchInput = effective
                if let parameters = state.parameters {
                    branchInput = try parameters.evaluate(data: effective, context: contextObject(run: run), variables: variables(run: run), random: &random)
                }
                startParallel(run: run, branches: branches, input: branchInput)
            case .map(let spec):
                try startMap(run: run, state: state, spec: spec, raw: raw)
            }
        } catch {
            fail(run: run, error)
        }
    }


    // MARK: Task

    mutating func scheduleTask(run: Int, state: State, spec: TaskSpec, raw: JSONValue) throws(StatesError) {
        let effective = try applyInputPath(state, raw, run: run)
        let token = newToken()
        var input = effective
        if let parameters = state.parameters {
            input = try parameters.evaluate(data: effective, context: contextObject(run: run, taskToken: token), variables: variables(run: run), random: &random)
        } else if let arguments = state.arguments {
            var scope = jsonataScope(run: run, input: raw, taskToken: token)
            input = try evaluate(arguments, &scope, field: "Arguments")
        }
        let timeout = try number(spec.timeoutSeconds, input: effective, field: "TimeoutSecondsPath", run: run)
        let heartbeat = try number(spec.heartbeatSeconds, input: effective, field: "HeartbeatSecondsPath", run: run)
        let inputText = input.serialized
        guard inputText.utf8.count <= Self.payloadLimit else {
            throw StatesError(StatesErrorName.dataLimitExceeded, "The state/task '\(state.name)' has an input with a size exceeding the maximum number of bytes service limit.")
        }
        let resource = spec.resource
        var details = JSONObject()
        switch resource.kind {
        case .activity, .lambdaFunction:
            details["resource"] = .string(resource.arn)
            details["input"] = .string(inputText)
            details["inputDetails"] = ["truncated": false]
            if let timeout { details["timeoutInSeconds"] = .number(timeout) }
            if case .activity = resource.kind, let heartbeat { details["heartbeatInSeconds"] = .number(heartbeat) }
        default:
            details["resourceType"] = .string(resource.resourceType ?? "")
            details["resource"] = .string(resource.resourceName)
            details["region"] = .string(context.region)
            details["parameters"] = .string(inputText)
            if let timeout { details["timeoutInSeconds"] = .number(timeout) }
            if let heartbeat { details["heartbeatInSeconds"] = .number(heartbeat) }
        }
        emit(eventPrefix(resource) + "Scheduled", details, run: run)
        let request = TaskRequest(token: token, resource: resource, input: input, stateName: state.name,
                                  timeoutSeconds: timeout, heartbeatSeconds: heartbeat, scheduledAt: now)
        pendingTasks[token] = request
        taskRuns[token] = run
        step.effects.append(.scheduleTask(request))
        var phase = TaskPhase(token: token, heartbeatSeconds: heartbeat)
        if let timeout { phase.timeoutTimer = startTimer(run: run, purpose: .taskTimeout(token: token), seconds: timeout) }
        restartHeartbeat(&phase, run: run)
        runs[run].phase = .task(phase)
    }

    // MARK: Leaving

    /// A Task, Parallel or Map produced its result: ResultSelector, ResultPath, OutputPath.
    mutating func complete(run: Int, result: JSONValue) {
        let state = definition.states[runs[run].stateName]!
        runs[run].phase = .idle
        do throws(StatesError) {
            if state.queryLanguage == .jsonata {
                try completeJSONata(run: run, state: state, result: result)
                return
            }
            var value = result
            if let selector = state.resultSelector {
                value = try selector.evaluate(data: result, context: contextObject(run: run), variables: variables(run: run), random: &random)
            }
            let merged = try applyResultPath(state.resultPath, raw: runs[run].stateInput, result: value)
            let output = try applyOutputPath(state, merged, run: run)
            let assigned = try assignJSONPath(state, run: run, data: value)
            exit(run: run, output: output, assigned: assigned)
        } catch {
            fail(run: run, error)
        }
    }

    /// Writes `…StateExited` and moves to `next` (or the state's Next), or ends the run.
    mutating func exit(run: Int, output: JSONValue, next explicitNext: String? = nil, assigned: JSONObject? = nil) {
        let state = definition.states[runs[run].stateName]!
        let text = output.serialized
        if text.utf8.count > Self.payloadLimit {
            failRun(run: run, StatesError(StatesErrorName.dataLimitExceeded,
                                          "The state/task '\(state.name)' returned a result with a size exceeding the maximum number of bytes service limit."))
            return
        }
        var details = JSONObject()
        details["name"] = .string(state.name)
        details["output"] = .string(text)
        details["outputDetails"] = ["truncated": false]
        if let assigned, !assigned.isEmpty {
            details["assignedVariables"] = Self.assignedVariablesDetails(assigned)
            details["assignedVariablesDetails"] = ["truncated": false]
        }
        emit(state.typeName + "StateExited", details, run: run)
        if let next = explicitNext ?? state.next {
            agenda.append(.enter(run: run, state: next, input: output))
        } else {
            runSucceeded(run: run, output: output)
        }
    }
}
