#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON
import Timekeeping

/// Data flow through a state: the path fields, the values a field may take from the input or
/// the context object, Wait deadlines and Assign.
extension Execution {
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

    /// A JSONPath state's Assign, stored at once: `data` is what `$` means there.
    mutating func assignJSONPath(_ state: State, run: Int, data: JSONValue) throws(StatesError) -> JSONObject? {
        guard state.assign != nil else { return nil }
        var scope = jsonataScope(run: run, input: runs[run].stateInput)
        let assigned = try evaluateAssign(state.assign, run: run, scope: &scope, data: data)
        try commit(assigned, run: run)
        return assigned
    }
}
