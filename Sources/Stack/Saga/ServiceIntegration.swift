import JSON
import StackProtocol
import StatesLanguage
import Wire

/// The optimized service integrations the local stack performs (`arn:aws:states:::SERVICE:ACTION`)
/// and how their requests, results and errors are shaped, as AWS shapes them.
struct ServiceIntegration: Sendable {
    enum Target: Sendable { case queue, bus }

    let service: String
    let action: String

    /// Which local service performs it; nil when the stack does not support it.
    var target: Target? {
        switch (service, action) {
        case ("sqs", "sendMessage"): .queue
        case ("events", "putEvents"): .bus
        default: nil
        }
    }

    /// The task's error name: `SQS.<code>` / `EventBridge.<code>` as AWS prefixes a service's
    /// error (`EventBridge.FailedEntry` when PutEvents refused an entry); States.Runtime as is.
    func errorName(_ error: AWSError) -> String {
        if error.code.hasPrefix("States.") || error.code.hasPrefix("EventBridge.") { return error.code }
        switch service {
        case "sqs": return "SQS.\(error.code)"
        case "events": return "EventBridge.\(error.code)"
        default: return "\(service.uppercased()).\(error.code)"
        }
    }

    static func call(_ service: (any StackService)?, _ operation: String, _ input: JSONValue,
                     _ context: ServiceContext) async -> Result<JSONValue, AWSError> {
        guard let service else {
            return .failure(AWSError(code: StatesErrorName.runtime, message: "No service for \(operation) in this stack."))
        }
        do {
            return .success(try await service.handle(operation: operation, input: input, context: context))
        } catch {
            return .failure(error)
        }
    }

    /// An `sqs:sendMessage` task's SendMessage on the local queues, as any SendMessage, with
    /// the execution and Task state that sent it named on the message's `sent` frame (the live
    /// stream's `messages` topic), so a viewer can tie the message to its saga.
    static func sendMessage(_ queues: (any StackService)?, _ parameters: JSONValue, _ context: ServiceContext,
                            sender: MessageExecution) async -> Result<JSONValue, AWSError> {
        let input = sendMessageInput(parameters)
        guard let service = queues as? QueueService else { return await call(queues, "SendMessage", input, context) }
        do {
            return .success(try await service.sendMessage(QueueInput(input), context, execution: sender))
        } catch {
            return .failure(error)
        }
    }

    /// SendMessage's input: a non-string `MessageBody` is sent as its JSON text.
    static func sendMessageInput(_ parameters: JSONValue) -> JSONValue {
        guard case .object(var object) = parameters, let body = object["MessageBody"], body.stringValue == nil else { return parameters }
        object["MessageBody"] = .string(body.serialized)
        return .object(object)
    }

    /// PutEvents' input from the task's Parameters `{"Entries":[{"Detail","DetailType","Source",
    /// "EventBusName",…}]}`: a `Detail` object is sent as its JSON text, and the execution's and
    /// state machine's ARNs are appended to each entry's `Resources`, as AWS does. Anything
    /// malformed is passed on for the bus to refuse with its own validation error.
    static func putEventsInput(_ parameters: JSONValue, executionArn: String, machineArn: String?) -> JSONValue {
        guard case .object(var object) = parameters, let entries = object["Entries"]?.arrayValue else { return parameters }
        object["Entries"] = .array(entries.map { entry in
            guard case .object(var fields) = entry else { return entry }
            if let detail = fields["Detail"], detail.stringValue == nil, !detail.isNull {
                fields["Detail"] = .string(detail.serialized)
            }
            var resources = fields["Resources"]?.arrayValue ?? []
            if fields["Resources"] == nil || fields["Resources"]?.arrayValue != nil {
                if let machineArn { resources.append(.string(machineArn)) }
                resources.append(.string(executionArn))
                fields["Resources"] = .array(resources)
            }
            return .object(fields)
        })
        return .object(object)
    }

    /// A PutEvents answer with failed entries fails the task with `EventBridge.FailedEntry`
    /// (cause: the answer, which names each entry's ErrorCode and ErrorMessage).
    static func checkPutEvents(_ output: JSONValue) -> Result<JSONValue, AWSError> {
        let failed = output["FailedEntryCount"]?.intValue ?? 0
        guard failed == 0 else { return .failure(AWSError(code: "EventBridge.FailedEntry", message: output.serialized)) }
        return .success(output)
    }
}
