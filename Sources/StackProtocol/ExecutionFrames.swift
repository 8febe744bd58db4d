import JSON

/// Which execution a frame is about: the members every `executions` frame starts with. Each
/// frame's data is also its subject, so a viewer's pattern can select executions by machine,
/// name or status (`{"stateMachineArn":["…"]}`).
public struct ExecutionIdentity: Sendable, Hashable {
    public var executionArn: String
    public var stateMachineArn: String
    public var name: String

    public init(executionArn: String, stateMachineArn: String, name: String) {
        self.executionArn = executionArn
        self.stateMachineArn = stateMachineArn
        self.name = name
    }

    init(_ fields: ProtocolFields) throws(StackProtocolError) {
        self.init(executionArn: try fields.string("executionArn"), stateMachineArn: try fields.string("stateMachineArn"),
                  name: try fields.string("name"))
    }

    func object(status: String) -> JSONObject {
        ["executionArn": .string(executionArn), "stateMachineArn": .string(stateMachineArn), "name": .string(name),
         "status": .string(status)]
    }
}

/// The `execution` frame: an execution's status changed (started, closed, redriven).
/// `status` is Step Functions' (`RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`);
/// dates are epoch seconds; `stopDate`, `error` and `cause` only once it has ended.
public struct ExecutionChange: Sendable, Hashable {
    public var execution: ExecutionIdentity
    public var status: String
    public var startDate: Double
    public var redriveCount: Int
    public var stopDate: Double?
    public var error: String?
    public var cause: String?

    public init(execution: ExecutionIdentity, status: String, startDate: Double, redriveCount: Int,
                stopDate: Double? = nil, error: String? = nil, cause: String? = nil) {
        self.execution = execution
        self.status = status
        self.startDate = startDate
        self.redriveCount = redriveCount
        self.stopDate = stopDate
        self.error = error
        self.cause = cause
    }

    /// `{"executionArn","stateMachineArn","name","status","startDate","redriveCount","stopDate"?,"error"?,"cause"?}`
    public var json: JSONValue {
        var object = execution.object(status: status)
        object["startDate"] = .number(startDate)
        object["redriveCount"] = .number(Double(redriveCount))
        if let stopDate { object["stopDate"] = .number(stopDate) }
        if let error { object["error"] = .string(error) }
        if let cause { object["cause"] = .string(cause) }
        return .object(object)
    }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        self.init(execution: try ExecutionIdentity(fields), status: try fields.string("status"),
                  startDate: try fields.number("startDate"), redriveCount: try fields.integer("redriveCount"),
                  stopDate: try fields.optionalNumber("stopDate"), error: try fields.optionalString("error"),
                  cause: try fields.optionalString("cause"))
    }
}

/// The `history` frame: one history event of an execution, once committed. `event` has
/// GetExecutionHistory's shape (`id`, `previousEventId`, `timestamp`, `type`, one
/// `…EventDetails`); `status` is the execution's status right after it (`RUNNING` until
/// the closing event).
public struct ExecutionHistoryEvent: Sendable, Hashable {
    public var execution: ExecutionIdentity
    public var status: String
    public var event: JSONValue

    public init(execution: ExecutionIdentity, status: String, event: JSONValue) {
        self.execution = execution
        self.status = status
        self.event = event
    }

    /// `{"executionArn","stateMachineArn","name","status","event":{…}}`
    public var json: JSONValue {
        var object = execution.object(status: status)
        object["event"] = event
        return .object(object)
    }

    init(json: JSONValue, path: String) throws(StackProtocolError) {
        let fields = try ProtocolFields(json, path: path)
        let event = try fields.require("event")
        guard case .object = event else { throw fields.failure("event", "must be a history event object") }
        self.init(execution: try ExecutionIdentity(fields), status: try fields.string("status"), event: event)
    }
}
