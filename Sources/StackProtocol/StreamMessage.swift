import JSON

/// What a publisher puts on a topic: the `type` and `data` of a published frame. Each type
/// belongs to one topic; `other` carries a type this reader does not know (a newer stack),
/// so a viewer can skip it knowingly.
public enum StreamMessage: Sendable, Hashable {
    /// `event` on `events`.
    case event(BusEventFrame)
    /// `delivery` on `events`: a later outcome of a retried delivery.
    case delivery(DeliveryOutcome)
    /// `queue-stats` on `queues`.
    case queueStatistics(QueueStatistics)
    /// `execution` on `executions`.
    case execution(ExecutionChange)
    /// `history` on `executions`.
    case history(ExecutionHistoryEvent)
    /// `breaker` on `breakers`. Boxed, as `breakerOverride`: a board entry is several hundred
    /// bytes, and every frame of every kind took that room in arrays of frames (a batch of
    /// events, a viewer's buffer), copied as they grew, for frames that come a few a minute.
    indirect case breaker(BreakerChange)
    /// `breaker-override` on `breakers`.
    indirect case breakerOverride(BreakerOverrideResult)
    /// `message` on `messages`: one change of one SQS message.
    case message(QueueMessageChange)
    /// `message-moved` on `messages`: a move task moved one message to another queue.
    case messageMoved(QueueMessageMove)
    /// `queue-purged` or `queue-deleted` on `messages`: all of a queue's messages went at once.
    case queueEmptied(QueueEmptied)
    case other(type: String, topic: StreamTopic, data: JSONValue)

    public var type: String {
        switch self {
        case .event: "event"
        case .delivery: "delivery"
        case .queueStatistics: "queue-stats"
        case .execution: "execution"
        case .history: "history"
        case .breaker: "breaker"
        case .breakerOverride: "breaker-override"
        case .message: "message"
        case .messageMoved: "message-moved"
        case .queueEmptied(let emptied): emptied.reason.rawValue
        case .other(let type, _, _): type
        }
    }

    public var topic: StreamTopic {
        switch self {
        case .event, .delivery: .events
        case .queueStatistics: .queues
        case .execution, .history: .executions
        case .breaker, .breakerOverride: .breakers
        case .message, .messageMoved, .queueEmptied: .messages
        case .other(_, let topic, _): topic
        }
    }

    /// The frame's `data` member.
    public var data: JSONValue {
        switch self {
        case .event(let event): event.json
        case .delivery(let outcome): outcome.deliveryFrameJSON
        case .queueStatistics(let statistics): statistics.json
        case .execution(let change): change.json
        case .history(let event): event.json
        case .breaker(let change): change.json
        case .breakerOverride(let result): result.json
        case .message(let change): change.json
        case .messageMoved(let move): move.json
        case .queueEmptied(let emptied): emptied.json
        case .other(_, _, let data): data
        }
    }

    /// Writes `data` as compact JSON: the hot `event` frame without re-serializing its envelope
    /// (and, without `withSent`, without its deliveries' `sent` members).
    func writeData(to output: inout [UInt8], withSent: Bool = true) {
        switch self {
        case .event(let event): event.write(to: &output, withSent: withSent)
        case .message(let change): change.write(to: &output)
        default: output.append(contentsOf: data.utf8Bytes)
        }
    }

    /// Whether the frame differs for a viewer with `sentWithEvents`: an event whose deliveries
    /// carry the messages they sent.
    public var carriesSent: Bool {
        if case .event(let event) = self { return event.carriesSent }
        return false
    }

    /// Reads a published frame's `data` for `type`.
    public init(type: String, topic: StreamTopic, data: JSONValue) throws(StackProtocolError) {
        switch type {
        case "event": self = .event(try BusEventFrame(json: data, path: "data"))
        case "delivery": self = .delivery(try DeliveryOutcome(deliveryFrame: data, path: "data"))
        case "queue-stats": self = .queueStatistics(try QueueStatistics(json: data, path: "data"))
        case "execution": self = .execution(try ExecutionChange(json: data, path: "data"))
        case "history": self = .history(try ExecutionHistoryEvent(json: data, path: "data"))
        case "breaker": self = .breaker(try BreakerChange(json: data, path: "data"))
        case "breaker-override": self = .breakerOverride(try BreakerOverrideResult(json: data, path: "data"))
        case "message":
            // A `change` this reader does not know is a newer stack's: skipped knowingly, as an
            // unknown type is, rather than refused (a refused frame stops `signalbox tail`).
            if let change = data["change"]?.stringValue, QueueMessageChange.Change(rawValue: change) == nil {
                self = .other(type: type, topic: topic, data: data)
            } else {
                self = .message(try QueueMessageChange(json: data, path: "data"))
            }
        case "message-moved": self = .messageMoved(try QueueMessageMove(json: data, path: "data"))
        case QueueEmptied.Reason.purged.rawValue: self = .queueEmptied(try QueueEmptied(reason: .purged, json: data, path: "data"))
        case QueueEmptied.Reason.deleted.rawValue: self = .queueEmptied(try QueueEmptied(reason: .deleted, json: data, path: "data"))
        default: self = .other(type: type, topic: topic, data: data)
        }
    }
}
