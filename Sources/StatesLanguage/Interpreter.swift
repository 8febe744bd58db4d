#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Timekeeping

/// The state-by-state semantics: entering, running and leaving states, data flow through the
/// path fields, Retry and Catch, and the fan-out of Parallel and Map.
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

    func applyInputPath(_ state: State, _ raw: JSONValue, run: Int) throws(StatesError) -> JSONValue {
        try select(state.inputPath, in: raw, run: run)
    }

    func applyOutputPath(_ state: State, _ value: JSONValue, run: Int) throws(StatesError) -> JSONValue {
        try select(state.outputPath, in: value, run: run)
    }

    /// InputPath and OutputPath: `$$` and `$$.…` read the context object, `$name` a variable.
    /// A path that selects nothing fails with AWS's wording (Jayway JsonPath's, which AWS
    /// passes through), e.g. "… (entered at the event id #13). Invalid path '$.Payload' :
    /// No results for path: $['Payload']" as `get-execution-history` shows it (quoted in
    /// aws-cdk issue 7709's write-ups).
    private func select(_ setting: PathSetting, in value: JSONValue, run: Int) throws(StatesError) -> JSONValue {
        switch setting {
        case .whole: return value
        case .discard: return .object([:])
        case .path(let path):
            let context = path.root == .context ? contextObject(run: run) : .null
            guard let selected = path.select(in: value, context: context, variables: variables(run: run)) else {
                throw StatesError.inState("Invalid path '\(path.text)' : No results for path: \(path.normalized)")
            }
            return selected
        }
    }

    func applyResultPath(_ setting: ResultPathSetting, raw: JSONValue, result: JSONValue) throws(StatesError) -> JSONValue {
        switch setting {
        case .replace: return result
        case .discard: return raw
        case .path(let path): return try path.assign(result, into: raw)
        }
    }

    mutating func resolve(_ source: StringSource?, raw: JSONValue, run: Int, field: String) throws(StatesError) -> String? {
        guard let source else { return nil }
        switch source {
        case .value(let text): return text
        case .path(let path):
            let context = contextObject(run: run)
            guard let selected = path.select(in: raw, context: context, variables: variables(run: run)) else {
                throw StatesError.pathNotFound(path, field: field, data: raw, context: context)
            }
            guard case .string(let text) = selected else {
                throw StatesError.inState("The \(field) '\(path.text)' must select a string in the input")
            }
            return text
        case .intrinsic(let call):
            guard case .string(let text) = try call.evaluate(data: raw, context: contextObject(run: run), variables: variables(run: run), random: &random) else {
                throw StatesError(StatesErrorName.runtime, "The \(field) intrinsic function must produce a string")
            }
            return text
        case .expression:
            var scope = jsonataScope(run: run, input: raw)
            return try text(source, scope: &scope, field: field)
        }
    }

    mutating func number(_ source: NumberSource?, input: JSONValue, field: String, run: Int) throws(StatesError) -> Double? {
        guard let source else { return nil }
        switch source {
        case .value(let value): return value
        case .expression(let template):
            let name = field.hasSuffix("Path") ? String(field.dropLast(4)) : field
            var scope = jsonataScope(run: run, input: runs[run].stateInput)
            let value = try evaluate(template, &scope, field: name)
            guard case .number(let number) = value, number >= 0 else {
                throw StatesError(StatesErrorName.queryEvaluationError, "The \(name) field must evaluate to a non-negative number, got \(value.serialized).")
            }
            return number
        case .path(let path):
            let selected = path.select(in: input, context: contextObject(run: run), variables: variables(run: run))
            if field == "MaxConcurrencyPath" {
                // AWS's texts, as LocalStack and moto reproduce them from recorded executions
                // (moto/stepfunctions/parser/asl/component/state/exec/state_map/max_concurrency.py).
                guard let value = selected?.intValue else {
                    let shown = Self.shown(selected)
                    throw StatesError(StatesErrorName.runtime,
                                      "The MaxConcurrencyPath field refers to value \"\(shown)\" which is not a valid integer: \(path.text)")
                }
                guard value >= 0 else {
                    throw StatesError(StatesErrorName.runtime, "Expected non-negative integer for MaxConcurrency, got '\(value)' instead.")
                }
                return Double(value)
            }
            // AWS's texts for the tolerated failure paths, as moto reproduces them
            // (moto/stepfunctions/parser/asl/component/state/exec/state_map/tolerated_failure.py).
            if field == "ToleratedFailureCountPath" {
                guard let value = selected?.intValue else {
                    throw StatesError(StatesErrorName.runtime,
                                      "The ToleratedFailureCountPath field refers to value \"\(Self.shown(selected))\" which is not a valid integer: \(path.text)")
                }
                guard value >= 0 else { throw StatesError(StatesErrorName.runtime, "ToleratedFailureCount cannot be negative.") }
                return Double(value)
            }
            if field == "ToleratedFailurePercentagePath" {
                guard case .number(let value) = selected ?? .null else {
                    throw StatesError(StatesErrorName.runtime,
                                      "The ToleratedFailurePercentagePath field refers to value \"\(Self.shown(selected))\" which is not a valid float: \(path.text)")
                }
                guard (0...100).contains(value) else {
                    throw StatesError(StatesErrorName.runtime, "ToleratedFailurePercentage must be between 0 and 100.")
                }
                return value
            }
            guard case .number(let value) = selected ?? .null, value >= 0 else {
                throw StatesError(StatesErrorName.runtime, "The \(field) '\(path.text)' must select a non-negative number in the input")
            }
            return value
        }
    }

    /// The longest a Wait may last: a Standard execution's own limit, one year. A Wait that
    /// would end later fails at once, as AWS's does, with "Wait state delay is too long."
    static let longestWait: Double = 365 * 24 * 3600

    func waitDeadline(_ duration: WaitDuration, input: JSONValue, run: Int) throws(StatesError) -> Date {
        try checkedWait(try waitDeadlineUnchecked(duration, input: input, run: run))
    }

    /// A selected value as AWS's path causes print it: strings bare, anything else as JSON.
    static func shown(_ value: JSONValue?) -> String {
        guard let value else { return "null" }
        if case .string(let text) = value { return text }
        return value.serialized
    }

    func checkedWait(_ deadline: Date) throws(StatesError) -> Date {
        guard deadline.timeIntervalSince(now) <= Self.longestWait else {
            throw StatesError(StatesErrorName.runtime, "Wait state delay is too long.")
        }
        return deadline
    }

    private func waitDeadlineUnchecked(_ duration: WaitDuration, input: JSONValue, run: Int) throws(StatesError) -> Date {
        switch duration {
        case .seconds(let seconds): return now.addingTimeInterval(seconds)
        case .timestamp(let date): return date
        case .secondsPath(let path):
            // AWS's texts, as LocalStack reproduces them from recorded executions
            // (localstack …/state_wait/wait_function/seconds_path.py): "The SecondsPath
            // parameter cannot be parsed as a long value: $.s == abc", "… references a
            // negative value: $.s == -1".
            let selected = path.select(in: input, context: contextObject(run: run), variables: variables(run: run))
            guard let seconds = selected?.intValue else {
                let shown = Self.shown(selected)
                throw StatesError(StatesErrorName.runtime, "The SecondsPath parameter cannot be parsed as a long value: \(path.text) == \(shown)")
            }
            guard seconds >= 0 else {
                throw StatesError(StatesErrorName.runtime, "The SecondsPath parameter references a negative value: \(path.text) == \(seconds)")
            }
            return now.addingTimeInterval(Double(seconds))
        case .timestampPath(let path):
            // "The TimestampPath parameter does not reference a valid ISO-8601 extended offset
            // date-time format string: $.t == x" (localstack …/wait_function/timestamp.py).
            let selected = path.select(in: input, context: contextObject(run: run), variables: variables(run: run))
            guard let text = selected?.stringValue, let date = RFC3339.parse(text) else {
                let shown = Self.shown(selected)
                throw StatesError(StatesErrorName.runtime,
                                  "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: \(path.text) == \(shown)")
            }
            return date
        case .secondsExpression, .timestampExpression:
            // Only JSONata states have these, and executeJSONata evaluates them itself.
            throw StatesError(StatesErrorName.runtime, "A JSONata Wait duration needs its state's expression scope")
        }
    }

    /// `$$`: the context object for the run's current state.
    func contextObject(run: Int, taskToken: String? = nil, mapItem: (Int, JSONValue)? = nil) -> JSONValue {
        var execution = JSONObject()
        execution["Id"] = .string(context.executionArn)
        execution["Input"] = input
        execution["Name"] = .string(context.name)
        execution["RoleArn"] = .string(context.roleArn)
        execution["StartTime"] = .string(RFC3339.format(startDate))
        execution["RedriveCount"] = .number(Double(redriveCount))
        if let redriveDate { execution["RedriveTime"] = .string(RFC3339.format(redriveDate)) }
        var stateObject = JSONObject()
        stateObject["EnteredTime"] = .string(RFC3339.format(runs[run].enteredTime))
        stateObject["Name"] = .string(runs[run].stateName)
        // A Pass state's `$$.State` has only EnteredTime and Name on AWS (it cannot retry).
        if case .pass = definition.states[runs[run].stateName]?.kind {} else {
            stateObject["RetryCount"] = .number(Double(runs[run].retryAttempts.reduce(0, +)))
        }
        var object = JSONObject()
        object["Execution"] = .object(execution)
        object["State"] = .object(stateObject)
        object["StateMachine"] = ["Id": .string(context.stateMachineArn), "Name": .string(context.stateMachineName)]
        if let taskToken { object["Task"] = ["Token": .string(taskToken)] }
        if let (index, value) = mapItem { object["Map"] = ["Item": ["Index": .number(Double(index)), "Value": value]] }
        return .object(object)
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

    // MARK: Errors

    /// An error in the current state: the first matching Retrier (while it has attempts left),
    /// else the first matching Catcher, else the run fails.
    mutating func fail(run: Int, _ error: StatesError) {
        guard runs[run].status == .running else { return }
        let state = definition.states[runs[run].stateName]!
        var error = error
        if error.wantsStatePrefix {
            error.wantsStatePrefix = false
            let entered = runs[run].enteredEventId.map { " (entered at the event id #\($0))" } ?? ""
            error.cause = "An error occurred while executing the state '\(state.name)'\(entered). " + (error.cause ?? "")
        }
        if let index = state.retry.firstIndex(where: { error.matches($0.errorEquals) }) {
            let retrier = state.retry[index]
            let attempt = runs[run].retryAttempts[index]
            if attempt < retrier.maxAttempts {
                runs[run].retryAttempts[index] += 1
                var delay = retrier.delay(forAttempt: attempt)
                if retrier.jitter == .full { delay = Double(random.next() >> 11) / Double(1 << 53) * delay }
                if delay <= 0 {
                    runs[run].phase = .idle
                    agenda.append(.execute(run: run))
                } else {
                    runs[run].phase = .retryWait(timer: startTimer(run: run, purpose: .retry, seconds: delay))
                }
                return
            }
        }
        if let catcher = state.catchers.first(where: { error.matches($0.errorEquals) }) {
            do throws(StatesError) {
                try caught(run: run, state: state, catcher: catcher, error: error)
            } catch {
                failRun(run: run, error)
            }
            return
        }
        failRun(run: run, error)
    }

    mutating func failRun(run: Int, _ error: StatesError) {
        guard runs[run].status == .running else { return }
        runs[run].status = .failed
        runs[run].error = error
        guard let parent = runs[run].parent else {
            failExecution(error)
            return
        }
        childFailed(parent: parent, child: run, error: error)
    }

    mutating func failExecution(_ error: StatesError) {
        abortAll()
        var details = JSONObject()
        if !error.error.isEmpty { details["error"] = .string(error.error) }
        if let cause = error.cause { details["cause"] = .string(cause) }
        emit("ExecutionFailed", details, run: nil)
        finish(.failed, failure: error, outcome: .failed(error))
    }

    mutating func runSucceeded(run: Int, output: JSONValue) {
        runs[run].status = .succeeded
        runs[run].output = output
        guard let parent = runs[run].parent else {
            var details = JSONObject()
            details["output"] = .string(output.serialized)
            details["outputDetails"] = ["truncated": false]
            emit("ExecutionSucceeded", details, run: run)
            self.output = output
            finish(.succeeded, failure: nil, outcome: .succeeded(output: output))
            return
        }
        childSucceeded(parent: parent, child: run, output: output)
    }

    // MARK: Parallel and Map

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

extension Execution {
    /// A JSONPath state's Assign, stored at once: `data` is what `$` means there.
    mutating func assignJSONPath(_ state: State, run: Int, data: JSONValue) throws(StatesError) -> JSONObject? {
        guard state.assign != nil else { return nil }
        var scope = jsonataScope(run: run, input: runs[run].stateInput)
        let assigned = try evaluateAssign(state.assign, run: run, scope: &scope, data: data)
        try commit(assigned, run: run)
        return assigned
    }
}
