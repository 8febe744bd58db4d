import JSON

/// An error as the States Language sees it: a name that Retry and Catch match on, and a
/// human-readable cause. Task failures carry the worker's own names; the interpreter raises
/// the `States.*` names.
public struct StatesError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var error: String
    public var cause: String?
    /// Whether a Task raised it (a worker's failure or a task timeout). `States.TaskFailed` in
    /// ErrorEquals matches only these.
    public var fromTask: Bool
    /// Set on a `States.Runtime` error raised while a state read its data (a path that selects
    /// nothing): the interpreter, which knows the state, puts AWS's "An error occurred while
    /// executing the state 'S' (entered at the event id #N). " in front of the cause before
    /// anything sees it. Never stored.
    var wantsStatePrefix = false

    enum CodingKeys: String, CodingKey { case error, cause, fromTask }

    public init(_ error: String, _ cause: String? = nil, fromTask: Bool = false) {
        self.error = error
        self.cause = cause
        self.fromTask = fromTask
    }

    /// A `States.Runtime` error about the current state's data; see `wantsStatePrefix`.
    static func inState(_ detail: String) -> StatesError {
        var error = StatesError(StatesErrorName.runtime, detail)
        error.wantsStatePrefix = true
        return error
    }

    /// A path in a payload template (Parameters, ResultSelector, ItemSelector, Assign) or an
    /// intrinsic argument that selects nothing. AWS's wording, as its executions report it
    /// (the Step Functions workshop's "Check Address" failure, and `aws stepfunctions
    /// get-execution-history` output quoted in blog posts):
    /// "… The JSONPath '$.application.address' specified for the field 'address.$' could not
    /// be found in the input '{"flagged":false}'".
    static func pathNotFound(_ path: JSONPath, field: String, data: JSONValue, context: JSONValue) -> StatesError {
        let source = path.root == .context ? context : data
        return .inState("The JSONPath '\(path.text)' specified for the field '\(field)' could not be found in the input '\(source.serialized)'")
    }

    public var description: String { cause.map { "\(error): \($0)" } ?? error }

    /// The `{"Error": …, "Cause": …}` object a Catch hands to its next state.
    public var errorOutput: JSONValue {
        var object = JSONObject()
        object["Error"] = .string(error)
        object["Cause"] = cause.map(JSONValue.string) ?? .null
        return .object(object)
    }
}

/// The predefined error names of the States Language.
public enum StatesErrorName {
    public static let all = "States.ALL"
    public static let taskFailed = "States.TaskFailed"
    public static let timeout = "States.Timeout"
    public static let heartbeatTimeout = "States.HeartbeatTimeout"
    public static let runtime = "States.Runtime"
    public static let dataLimitExceeded = "States.DataLimitExceeded"
    public static let permissions = "States.Permissions"
    public static let resultPathMatchFailure = "States.ResultPathMatchFailure"
    public static let parameterPathFailure = "States.ParameterPathFailure"
    public static let queryEvaluationError = "States.QueryEvaluationError"
    public static let branchFailed = "States.BranchFailed"
    public static let noChoiceMatched = "States.NoChoiceMatched"
    public static let intrinsicFailure = "States.IntrinsicFailure"
    public static let exceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold"
    public static let itemReaderFailed = "States.ItemReaderFailed"
    public static let resultWriterFailed = "States.ResultWriterFailed"

    /// Every predefined name, for validating ErrorEquals.
    public static let predefined: Set<String> = [
        all, taskFailed, timeout, heartbeatTimeout, runtime, dataLimitExceeded, permissions,
        resultPathMatchFailure, parameterPathFailure, queryEvaluationError, branchFailed,
        noChoiceMatched, intrinsicFailure, exceedToleratedFailureThreshold, itemReaderFailed,
        resultWriterFailed,
    ]
}

extension StatesError {
    /// Whether a Retrier's or Catcher's ErrorEquals list covers this error. `States.Runtime`
    /// is terminal and never matches; `States.ALL` does not cover `States.DataLimitExceeded`.
    func matches(_ errorEquals: [String]) -> Bool {
        if error == StatesErrorName.runtime { return false }
        for name in errorEquals {
            if name == error { return true }
            if name == StatesErrorName.all, error != StatesErrorName.dataLimitExceeded { return true }
            if name == StatesErrorName.taskFailed, fromTask, error != StatesErrorName.timeout { return true }
        }
        return false
    }
}
