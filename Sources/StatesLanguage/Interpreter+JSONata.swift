#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Timekeeping

/// JSONata states and workflow variables: `Arguments` and `Output` in place of the five
/// JSONPath fields, `$states` in every expression, and `Assign` in either language.
///
/// Evaluation order, as AWS documents it: a state's `Output` and all of its `Assign` values
/// are computed from the variables as they were when the state began; the new values are
/// stored together afterwards, so an `Assign` never sees another `Assign` of the same state.
extension Execution {
    /// AWS's limits: 256 KiB for one variable and for one state's assignments, 10 MiB in all.
    static let variableSizeLimit = 262_144
    static let assignSizeLimit = 262_144
    static let totalVariablesLimit = 10_485_760

    // MARK: Scope

    func variables(run: Int) -> JSONObject {
        runs[run].variables?.wrappedValue.objectValue ?? [:]
    }

    /// `$states` and the variables, for the expression fields of the run's current state.
    /// `$states.context` is built when a field that reads it is evaluated, with the task
    /// token or Map item given here.
    func jsonataScope(run: Int, input: JSONValue, result: JSONValue? = nil, errorOutput: JSONValue? = nil,
                      taskToken: String? = nil, mapItem: (Int, JSONValue)? = nil) -> JSONataScope {
        JSONataScope(run: run, input: input, result: result, errorOutput: errorOutput, variables: variables(run: run),
                     nowMillis: (now.timeIntervalSince1970 * 1000).rounded(.down), random: random,
                     taskToken: taskToken, mapItem: mapItem)
    }

    /// Evaluates a template, carrying the generator's state back into the execution; adds
    /// `$states.context` to the scope first if the template may read it.
    mutating func evaluate(_ template: QueryTemplate, _ scope: inout JSONataScope,
                           field: @autoclosure () -> String) throws(StatesError) -> JSONValue {
        if scope.context == nil, template.readsContext {
            scope.addContext(contextObject(run: scope.run, taskToken: scope.taskToken, mapItem: scope.mapItem))
        }
        scope.random = random
        defer { random = scope.random }
        return try template.evaluate(&scope, field: field())
    }

    /// An optional field: its value, or `value` when the state does not have it.
    mutating func evaluate(_ template: QueryTemplate?, _ scope: inout JSONataScope, field: @autoclosure () -> String,
                           default value: JSONValue) throws(StatesError) -> JSONValue {
        guard let template else { return value }
        return try evaluate(template, &scope, field: field())
    }

    // MARK: Assign

    /// The values of an `Assign`, computed (not yet stored). `data` is what `$` means in a
    /// JSONPath state's Assign: the state's result, or its input where it has none.
    mutating func evaluateAssign(_ assignment: Assignment?, run: Int, scope: inout JSONataScope, data: JSONValue,
                                 field: String = "Assign") throws(StatesError) -> JSONObject? {
        guard let assignment else { return nil }
        var values = JSONObject()
        switch assignment {
        case .jsonata(let keys, let templates):
            for (key, template) in zip(keys, templates) {
                values[key] = try evaluate(template, &scope, field: "\(field)/\(key)")
            }
        case .jsonPath(let template):
            let result = try template.evaluate(data: data, context: contextObject(run: run), variables: variables(run: run), random: &random)
            values = result.objectValue ?? [:]
        }
        return values
    }

    /// Stores assigned values in the run's variables, within AWS's size limits.
    mutating func commit(_ assigned: JSONObject?, run: Int) throws(StatesError) {
        guard let assigned, !assigned.isEmpty else { return }
        let stateName = runs[run].stateName
        var total = 0
        for (name, value) in assigned {
            let size = value.serialized.utf8.count
            guard size <= Self.variableSizeLimit else {
                throw StatesError(StatesErrorName.runtime, "The variable '\(name)' assigned in the state '\(stateName)' has a size of \(size) bytes, exceeding the maximum of \(Self.variableSizeLimit) bytes.")
            }
            total += size
        }
        guard total <= Self.assignSizeLimit else {
            throw StatesError(StatesErrorName.runtime, "The variables assigned in the state '\(stateName)' have a size of \(total) bytes, exceeding the maximum of \(Self.assignSizeLimit) bytes.")
        }
        var variables = variables(run: run)
        for (name, value) in assigned { variables[name] = value }
        let all = JSONValue.object(variables)
        let size = all.serialized.utf8.count
        guard size <= Self.totalVariablesLimit else {
            throw StatesError(StatesErrorName.runtime, "The workflow variables have a size of \(size) bytes after the state '\(stateName)', exceeding the maximum of \(Self.totalVariablesLimit) bytes.")
        }
        runs[run].variables = StoredJSON(wrappedValue: all)
    }

    /// A child run (a Parallel branch, a Map iteration) reads its parent's variables; what it
    /// assigns stays in its own scope.
    mutating func inheritVariables(child: Int, parent: Int) {
        runs[child].variables = runs[parent].variables
    }

    // MARK: JSONata states

    /// Runs a JSONata state's work up to waiting or leaving.
    mutating func executeJSONata(run: Int, state: State) throws(StatesError) {
        let input = runs[run].stateInput
        var scope = jsonataScope(run: run, input: input)
        switch state.kind {
        case .pass, .succeed:
            let output = try evaluate(state.output, &scope, field: "Output", default: input)
            let assigned = try evaluateAssign(state.assign, run: run, scope: &scope, data: input)
            try commit(assigned, run: run)
            exit(run: run, output: output, assigned: assigned)
        case .fail(let errorSource, let causeSource):
            let error = try text(errorSource, scope: &scope, field: "Error")
            let cause = try text(causeSource, scope: &scope, field: "Cause")
            failRun(run: run, StatesError(error ?? "", cause))
        case .choice(let choices, let defaultNext):
            var matched: ChoiceRule?
            for (index, rule) in choices.enumerated() {
                guard case .jsonata(let condition) = rule.test else { continue }
                guard case .bool(let outcome) = try evaluate(condition, &scope, field: "Choices[\(index)]/Condition") else {
                    throw StatesError(StatesErrorName.queryEvaluationError,
                                      "The Condition of Choices[\(index)] in the state '\(state.name)' must evaluate to a boolean.")
                }
                if outcome { matched = rule; break }
            }
            guard let next = matched?.next ?? defaultNext else {
                throw StatesError(StatesErrorName.noChoiceMatched, "No Choice Rules matched and no Default was specified in the state '\(state.name)'")
            }
            let outputTemplate = matched?.output ?? state.output
            let output = try evaluate(outputTemplate, &scope, field: "Output", default: input)
            let assigned = try evaluateAssign(matched?.assign ?? state.assign, run: run, scope: &scope, data: input)
            try commit(assigned, run: run)
            exit(run: run, output: output, next: next, assigned: assigned)
        case .wait(let duration):
            let deadline: Date
            switch duration {
            case .secondsExpression(let template):
                let value = try evaluate(template, &scope, field: "Seconds")
                guard let seconds = value.intValue, seconds >= 0 else {
                    throw StatesError(StatesErrorName.queryEvaluationError,
                                      "The Seconds field of the state '\(state.name)' must evaluate to a non-negative integer, got \(value.serialized).")
                }
                deadline = try checkedWait(now.addingTimeInterval(Double(seconds)))
            case .timestampExpression(let template):
                let value = try evaluate(template, &scope, field: "Timestamp")
                guard let text = value.stringValue, let date = RFC3339.parse(text) else {
                    throw StatesError(StatesErrorName.queryEvaluationError,
                                      "The Timestamp field of the state '\(state.name)' must evaluate to an RFC 3339 timestamp, got \(value.serialized).")
                }
                deadline = try checkedWait(date)
            default:
                deadline = try waitDeadline(duration, input: input, run: run)
            }
            let output = try evaluate(state.output, &scope, field: "Output", default: input)
            let assigned = try evaluateAssign(state.assign, run: run, scope: &scope, data: input)
            try commit(assigned, run: run)
            let seconds = deadline.timeIntervalSince(now)
            if seconds <= 0 {
                exit(run: run, output: output, assigned: assigned)
            } else {
                runs[run].assignedOnExit = assigned.map { StoredJSON(wrappedValue: .object($0)) }
                let timer = startTimer(run: run, purpose: .wait, seconds: seconds)
                runs[run].phase = .wait(timer: timer, output: StoredJSON(wrappedValue: output))
            }
        case .task(let spec):
            try scheduleTask(run: run, state: state, spec: spec, raw: input)
        case .parallel(let branches):
            let branchInput = try evaluate(state.arguments, &scope, field: "Arguments", default: input)
            startParallel(run: run, branches: branches, input: branchInput)
        case .map(let spec):
            try startMap(run: run, state: state, spec: spec, raw: input)
        }
    }

    mutating func text(_ source: StringSource?, scope: inout JSONataScope, field: String) throws(StatesError) -> String? {
        guard let source else { return nil }
        switch source {
        case .value(let text): return text
        case .expression(let template):
            let value = try evaluate(template, &scope, field: field)
            guard case .string(let text) = value else {
                throw StatesError(StatesErrorName.queryEvaluationError,
                                  "The \(field) field must evaluate to a string, got \(value.serialized).")
            }
            return text
        default: return nil
        }
    }

    /// A JSONata Task, Parallel or Map finished: `Output` (default: the result) and `Assign`
    /// see `$states.result`.
    mutating func completeJSONata(run: Int, state: State, result: JSONValue) throws(StatesError) {
        var scope = jsonataScope(run: run, input: runs[run].stateInput, result: result)
        let output = try evaluate(state.output, &scope, field: "Output", default: result)
        let assigned = try evaluateAssign(state.assign, run: run, scope: &scope, data: result)
        try commit(assigned, run: run)
        exit(run: run, output: output, assigned: assigned)
    }

    /// A Catcher took the error: in a JSONata state its `Output` (default: the error output)
    /// and `Assign` see `$states.errorOutput`; in a JSONPath state ResultPath places it.
    mutating func caught(run: Int, state: State, catcher: Catcher, error: StatesError) throws(StatesError) {
        let raw = runs[run].stateInput
        var scope = jsonataScope(run: run, input: raw, errorOutput: error.errorOutput)
        let output: JSONValue
        if state.queryLanguage == .jsonata {
            output = try evaluate(catcher.output, &scope, field: "Output", default: error.errorOutput)
        } else {
            output = try applyResultPath(catcher.resultPath, raw: raw, result: error.errorOutput)
        }
        let assigned = try evaluateAssign(catcher.assign, run: run, scope: &scope, data: error.errorOutput)
        try commit(assigned, run: run)
        runs[run].phase = .idle
        exit(run: run, output: output, next: catcher.next, assigned: assigned)
    }

    /// `…StateExited`'s `assignedVariables`: each value as JSON text, as AWS's history shows.
    static func assignedVariablesDetails(_ assigned: JSONObject) -> JSONValue {
        var texts = JSONObject()
        for (name, value) in assigned { texts[name] = .string(value.serialized) }
        return .object(texts)
    }
}
