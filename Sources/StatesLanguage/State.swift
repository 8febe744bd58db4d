#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JSON

/// InputPath / OutputPath: the whole value (`$`, the default), an empty object (`null`), or
/// the selection of a path.
public enum PathSetting: Sendable, Hashable {
    case whole
    case discard
    case path(JSONPath)
}

/// ResultPath: replace the input with the result (`$`, the default), keep the input and drop
/// the result (`null`), or place the result at a reference path inside the input.
public enum ResultPathSetting: Sendable, Hashable {
    case replace
    case discard
    case path(JSONPath)
}

/// A number given literally or read from the input by a `…Path` field.
public enum NumberSource: Sendable, Hashable {
    case value(Double)
    case path(JSONPath)
    /// A JSONata state's `{% … %}` value.
    case expression(QueryTemplate)
}

/// A string given literally, read by a path, or computed by an intrinsic (Fail's Error/Cause).
public enum StringSource: Sendable, Hashable {
    case value(String)
    case path(JSONPath)
    case intrinsic(IntrinsicCall)
    /// A JSONata state's `{% … %}` value.
    case expression(QueryTemplate)
}

/// A Task's Resource ARN, classified so the host can dispatch it. The interpreter treats it as
/// opaque beyond this: which history events to write, and whether to wait for a callback.
public struct TaskResource: Sendable, Hashable, Codable {
    public enum Kind: Sendable, Hashable, Codable {
        /// `arn:aws:states:REGION:ACCOUNT:activity:NAME`
        case activity(name: String)
        /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`
        case lambdaFunction(name: String)
        /// `arn:aws:states:::SERVICE:ACTION[.waitForTaskToken|.sync[:2]]`
        case service(service: String, action: String)
        /// Any other ARN: the host decides, or fails the task.
        case other
    }

    /// How the task ends: when the call returns, when SendTask* presents the token, or when
    /// the started job completes.
    public enum IntegrationPattern: String, Sendable, Hashable, Codable {
        case requestResponse
        case waitForTaskToken
        case sync
    }

    public let arn: String
    public let kind: Kind
    public let pattern: IntegrationPattern

    public init(arn: String) {
        self.arn = arn
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var kind = Kind.other
        var pattern = IntegrationPattern.requestResponse
        if parts.count >= 7, parts[0] == "arn", parts[2] == "states", parts[5] == "activity" {
            kind = .activity(name: parts[6...].joined(separator: ":"))
        } else if parts.count >= 7, parts[0] == "arn", parts[2] == "lambda", parts[5] == "function" {
            kind = .lambdaFunction(name: parts[6])
        } else if parts.count >= 7, parts[0] == "arn", parts[2] == "states", parts[3].isEmpty, parts[4].isEmpty {
            var action = parts[6...].joined(separator: ":")
            if action.hasSuffix(".waitForTaskToken") {
                pattern = .waitForTaskToken
                action.removeLast(".waitForTaskToken".count)
            } else if action.hasSuffix(".sync") || action.hasSuffix(".sync:2") {
                pattern = .sync
                action = String(action.prefix { $0 != "." })
            }
            kind = .service(service: parts[5], action: action)
        }
        self.kind = kind
        self.pattern = pattern
    }

    /// The `resourceType` of Task* history events (`sqs`, `events`, …) for service integrations.
    public var resourceType: String? {
        if case .service(let service, _) = kind { return service }
        return nil
    }

    /// The `resource` of Task* history events: the action with its suffix (`sendMessage.waitForTaskToken`).
    public var resourceName: String {
        if case .service = kind, let last = arn.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false).last {
            return String(last)
        }
        return arn
    }

    var isValidARN: Bool {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count >= 6 && parts[0] == "arn" && !parts[1].isEmpty && !parts[2].isEmpty
    }
}

/// How a Task, Parallel or Map retries an error.
public struct Retrier: Sendable, Hashable {
    public enum Jitter: String, Sendable, Hashable { case full = "FULL", none = "NONE" }
    public let errorEquals: [String]
    public let intervalSeconds: Double
    public let maxAttempts: Int
    public let backoffRate: Double
    public let maxDelaySeconds: Double?
    public let jitter: Jitter

    /// The wait before retry number `attempt` (0-based), before jitter.
    func delay(forAttempt attempt: Int) -> Double {
        var delay = intervalSeconds
        for _ in 0..<attempt { delay *= backoffRate }
        if let maxDelaySeconds { delay = min(delay, maxDelaySeconds) }
        return delay
    }
}

/// Where a Task, Parallel or Map goes when an error is not retried.
public struct Catcher: Sendable, Hashable {
    public let errorEquals: [String]
    public let next: String
    public let resultPath: ResultPathSetting
    /// JSONata states: what the next state gets (default: the error output).
    public let output: QueryTemplate?
    public let assign: Assignment?
}

/// A Wait state's duration.
public enum WaitDuration: Sendable, Hashable {
    case seconds(Double)
    case timestamp(Date)
    case secondsPath(JSONPath)
    case timestampPath(JSONPath)
    /// JSONata states: `Seconds` / `Timestamp` written as `{% … %}`.
    case secondsExpression(QueryTemplate)
    case timestampExpression(QueryTemplate)
}

/// A list of states with a start: the machine itself, a Parallel branch, a Map's ItemProcessor.
public struct StateMachineBody: Sendable, Hashable {
    public let startAt: String
    public let stateNames: [String]
}

public struct TaskSpec: Sendable, Hashable {
    public let resource: TaskResource
    public let timeoutSeconds: NumberSource?
    public let heartbeatSeconds: NumberSource?
}

public struct MapSpec: Sendable, Hashable {
    public let itemsPath: JSONPath?
    public let itemSelector: PayloadTemplate?
    public let processor: StateMachineBody
    public let maxConcurrency: NumberSource?
    public let toleratedFailureCount: NumberSource?
    public let toleratedFailurePercentage: NumberSource?
    /// JSONata states: `Items` (default: the state input) and `ItemSelector`.
    public let items: QueryTemplate?
    public let itemTemplate: QueryTemplate?
    /// `ProcessorConfig.Mode: DISTRIBUTED`: the items run as child executions of a Map Run.
    public var distributed: DistributedMapSpec? = nil
}

/// One state of a definition, with the fields every type may have and its type's own.
public struct State: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case task(TaskSpec)
        case pass(result: JSONValue?)
        case choice(choices: [ChoiceRule], defaultNext: String?)
        case wait(WaitDuration)
        case succeed
        case fail(error: StringSource?, cause: StringSource?)
        case parallel(branches: [StateMachineBody])
        case map(MapSpec)
    }

    public let name: String
    public let kind: Kind
    /// The next state; nil when the state ends its body (End, Succeed, Fail, Choice).
    public let next: String?
    public let inputPath: PathSetting
    public let outputPath: PathSetting
    public let parameters: PayloadTemplate?
    public let resultSelector: PayloadTemplate?
    public let resultPath: ResultPathSetting
    public let retry: [Retrier]
    public let catchers: [Catcher]
    public let queryLanguage: QueryLanguage
    /// JSONata states: a Task's or Parallel's `Arguments`, and `Output`.
    public let arguments: QueryTemplate?
    public let output: QueryTemplate?
    /// Variables the state sets when it leaves (either language).
    public let assign: Assignment?

    /// How many JSONata expressions its Arguments, Output and Assign hold (for the bench).
    public var jsonataExpressionCount: Int {
        var count = (arguments?.expressionCount ?? 0) + (output?.expressionCount ?? 0)
        if case .jsonata(_, let values) = assign { count += values.reduce(0) { $0 + $1.expressionCount } }
        return count
    }

    /// The type name as history events spell it: `Task`, `Pass`, …
    public var typeName: String {
        switch kind {
        case .task: "Task"
        case .pass: "Pass"
        case .choice: "Choice"
        case .wait: "Wait"
        case .succeed: "Succeed"
        case .fail: "Fail"
        case .parallel: "Parallel"
        case .map: "Map"
        }
    }
}
