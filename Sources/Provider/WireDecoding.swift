import CircuitBreaker
import Foundation
import JSON
import StackProtocol
import Timekeeping

/// Reads the AWS JSON responses a provider receives, and the stack's extension messages
/// (decoded by StackProtocol), into snapshot values. Every AWS reader is lenient about what it
/// does not need (AWS adds fields) and skips an item it cannot use rather than failing the
/// whole list: one odd queue must not blank the pane.
enum WireDecoding {
    /// AWS JSON timestamps are epoch seconds; EventBridge envelopes carry ISO 8601 text.
    static func date(_ value: JSONValue?) -> Date? {
        switch value {
        case .number(let seconds)?: return Date(timeIntervalSince1970: seconds)
        case .string(let text)?:
            if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
            return try? Date(text, strategy: .iso8601)
        default: return nil
        }
    }

    // MARK: EventBridge

    static func bus(_ json: JSONValue) -> EventBus? {
        guard let name = json["Name"]?.stringValue else { return nil }
        return EventBus(name: name, arn: json["Arn"]?.stringValue ?? "bus:" + name)
    }

    static func rule(_ json: JSONValue, bus: String) -> Rule? {
        guard let name = json["Name"]?.stringValue else { return nil }
        return Rule(name: name, arn: json["Arn"]?.stringValue ?? name,
                    eventBusName: json["EventBusName"]?.stringValue ?? bus,
                    state: json["State"]?.stringValue.flatMap(Rule.State.init(rawValue:)) ?? .enabled,
                    eventPattern: json["EventPattern"]?.stringValue,
                    scheduleExpression: json["ScheduleExpression"]?.stringValue)
    }

    static func target(_ json: JSONValue) -> RuleTarget? {
        guard let id = json["Id"]?.stringValue, let arn = json["Arn"]?.stringValue else { return nil }
        return RuleTarget(id: id, arn: arn)
    }

    /// A `ListArchives` entry (it names no ARN of its own: `EventArchive.arn` derives it).
    static func archive(_ json: JSONValue) -> EventArchive? {
        guard let name = json["ArchiveName"]?.stringValue, let bus = json["EventSourceArn"]?.stringValue else { return nil }
        return EventArchive(name: name, busArn: bus, state: json["State"]?.stringValue ?? "ENABLED",
                            eventCount: json["EventCount"]?.intValue ?? 0, sizeBytes: json["SizeBytes"]?.intValue ?? 0,
                            retentionDays: json["RetentionDays"]?.intValue ?? 0, createdAt: date(json["CreationTime"]))
    }

    /// A `ListReplays` entry.
    static func replay(_ json: JSONValue) -> EventReplay? {
        guard let name = json["ReplayName"]?.stringValue, let archive = json["EventSourceArn"]?.stringValue,
              let from = date(json["EventStartTime"]), let to = date(json["EventEndTime"]) else { return nil }
        return EventReplay(name: name, archiveArn: archive, state: json["State"]?.stringValue ?? "STARTING",
                           stateReason: json["StateReason"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }, from: from, to: to,
                           lastReplayedEventTime: date(json["EventLastReplayedTime"]),
                           startedAt: date(json["ReplayStartTime"]), endedAt: date(json["ReplayEndTime"]))
    }

    // MARK: SQS

    /// A queue from its URL and `GetQueueAttributes` (`All`). Dead-letter sources are filled in
    /// afterwards, from the other queues' redrive policies.
    static func queue(url: String, attributes: JSONValue?) -> Queue {
        let name = url.split(separator: "/").last.map(String.init) ?? url
        func int(_ key: String) -> Int { attributes?[key]?.stringValue.flatMap { Int($0) } ?? attributes?[key]?.intValue ?? 0 }
        var queue = Queue(name: name, url: url, arn: attributes?["QueueArn"]?.stringValue ?? url,
                          isFIFO: attributes?["FifoQueue"]?.stringValue == "true" || name.hasSuffix(".fifo"),
                          visibleMessages: int("ApproximateNumberOfMessages"),
                          inFlightMessages: int("ApproximateNumberOfMessagesNotVisible"),
                          delayedMessages: int("ApproximateNumberOfMessagesDelayed"),
                          visibilityTimeout: attributes?["VisibilityTimeout"] == nil ? 30 : int("VisibilityTimeout"))
        if let text = attributes?["RedrivePolicy"]?.stringValue, let policy = try? JSONValue(parsing: text) {
            queue.deadLetterTargetArn = policy["deadLetterTargetArn"]?.stringValue
            queue.maxReceiveCount = policy["maxReceiveCount"]?.intValue ?? policy["maxReceiveCount"]?.stringValue.flatMap { Int($0) }
        }
        return queue
    }

    /// Marks each queue that some other queue's redrive policy names as its dead-letter queue.
    static func linkDeadLetterQueues(_ queues: [Queue]) -> [Queue] {
        var sources: [String: [String]] = [:]
        for queue in queues { if let dlq = queue.deadLetterTargetArn { sources[dlq, default: []].append(queue.arn) } }
        return queues.map { queue in
            var queue = queue
            queue.deadLetterSourceArns = sources[queue.arn] ?? []
            return queue
        }
    }

    // MARK: Step Functions

    static func stateMachine(_ json: JSONValue) -> StateMachine? {
        guard let name = json["name"]?.stringValue, let arn = json["stateMachineArn"]?.stringValue else { return nil }
        return StateMachine(name: name, arn: arn, kind: json["type"]?.stringValue.flatMap(StateMachine.Kind.init(rawValue:)) ?? .standard)
    }

    static func execution(_ json: JSONValue, machineName: String) -> Execution? {
        guard let arn = json["executionArn"]?.stringValue, let name = json["name"]?.stringValue,
              let status = json["status"]?.stringValue.flatMap(Execution.Status.init(rawValue:)),
              let started = date(json["startDate"])
        else { return nil }
        return Execution(name: name, arn: arn, stateMachineName: machineName, status: status, startDate: started,
                         stopDate: date(json["stopDate"]))
    }

    /// One `HistoryEvent` as a timeline entry. `state` is the state the execution was in
    /// before this event (task events name no state of their own).
    static func timelineEntry(_ json: JSONValue, state: String?) -> TimelineEntry? {
        guard let id = json["id"]?.intValue, let type = json["type"]?.stringValue,
              let timestamp = date(json["timestamp"])
        else { return nil }
        let details = json.objectValue?.first { $0.key.hasSuffix("EventDetails") }?.value
        let named = details?["name"]?.stringValue
        var detail: String?
        if let error = details?["error"]?.stringValue {
            let cause = details?["cause"]?.stringValue.map { ": " + clip($0, 200) } ?? ""
            detail = error + cause
        } else if let cause = details?["cause"]?.stringValue {
            detail = clip(cause, 200)
        } else if let resource = details?["resource"]?.stringValue {
            detail = details?["resourceType"]?.stringValue.map { $0 + ":" + resource } ?? resource
        }
        let (kept, clipped) = clipPayloads(details)
        return TimelineEntry(id: id, type: type, timestamp: timestamp, stateName: named ?? state, detail: detail,
                             previousEventId: json["previousEventId"]?.intValue, details: kept, clipped: clipped)
    }

    /// `details` with every string field longer than `TimelineEntry.payloadLimit` cut to it,
    /// and the cut fields with their full sizes.
    static func clipPayloads(_ details: JSONValue?) -> (JSONValue?, [String: Int]) {
        guard case .object(var object)? = details else { return (details, [:]) }
        var clipped: [String: Int] = [:]
        let limit = TimelineEntry.payloadLimit
        for (key, value) in object {
            guard case .string(let text) = value, text.utf8.count > limit else { continue }
            clipped[key] = text.utf8.count
            object[key] = .string(String(decoding: text.utf8.prefix(limit), as: UTF8.self))
        }
        return (.object(object), clipped)
    }

    private static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    // MARK: Cloud Map

    static func instance(_ json: JSONValue, health: [String: String]) -> RegistryInstance? {
        guard let id = json["Id"]?.stringValue else { return nil }
        var attributes: [String: String] = [:]
        for (key, value) in json["Attributes"]?.objectValue ?? [:] { if let text = value.stringValue { attributes[key] = text } }
        return RegistryInstance(id: id, attributes: attributes,
                                health: health[id].flatMap(RegistryInstance.Health.init(rawValue:)) ?? .unknown)
    }

    // MARK: live stream

    /// An `event` frame as a flow event. Matched rules are named `rule`, or `bus/rule` when
    /// matched on another bus after a hop; each once.
    static func flowEvent(_ frame: BusEventFrame) -> FlowEvent {
        let summary = frame.event.summary
        var matched: [String] = []
        for match in frame.matched {
            let name = match.bus == frame.bus ? match.rule : match.bus + "/" + match.rule
            if !matched.contains(name) { matched.append(name) }
        }
        return FlowEvent(id: summary.id ?? "", time: summary.time.flatMap(eventTime) ?? Date(), eventBusName: frame.bus,
                         source: summary.source ?? "", detailType: summary.detailType ?? "", resources: summary.resources,
                         matchedRules: matched, outcomes: .frame(frame.outcomes), received: frame.event)
    }

    /// An envelope's `time`: AWS writes UTC RFC 3339, read without Foundation's parser (one per
    /// event); anything else the general way.
    static func eventTime(_ text: String) -> Date? {
        RFC3339.parse(text) ?? date(.string(text))
    }

    /// A delivery outcome (inside an `event` frame, or a later `delivery` frame).
    static func delivery(_ outcome: DeliveryOutcome) -> Delivery {
        var error: String?
        if let code = outcome.errorCode {
            error = code + (outcome.errorMessage.map { ": " + $0 } ?? "")
        } else {
            error = outcome.errorMessage
        }
        let status: Delivery.Status = switch outcome.status {
        case .delivered: .delivered
        case .retrying: .retrying
        case .deadLettered: .deadLettered
        case .failed: .failed
        }
        return Delivery(rule: outcome.rule, targetId: outcome.targetId, targetArn: outcome.targetArn, status: status, error: error)
    }

    // MARK: breaker board

    /// One board entry: the breaker's snapshot, whether the board considers it stale, and the
    /// override with who set it and why.
    static func breaker(_ entry: BreakerBoardEntry, history: [Int]) -> Breaker {
        let snapshot = entry.snapshot
        var breaker = Breaker(service: snapshot.service, dependency: snapshot.dependency,
                              state: Breaker.State(rawValue: snapshot.state.rawValue) ?? .closed,
                              failureRate: snapshot.window.belowMinimumCalls ? nil : snapshot.window.failureRate,
                              failureRateThreshold: snapshot.configuration.failureRateThreshold,
                              slowCallRate: snapshot.window.belowMinimumCalls ? nil : snapshot.window.slowCallRate,
                              calls: snapshot.window.calls, minimumCalls: snapshot.window.minimumCalls,
                              failures: snapshot.window.failures, slowCalls: snapshot.window.slowCalls,
                              shortCircuited: snapshot.window.shortCircuited, p99Latency: snapshot.latency.p99,
                              retryAt: snapshot.retryAt.map(Date.init(timeIntervalSince1970:)),
                              reportedAt: Date(timeIntervalSince1970: entry.reportedAt),
                              stale: entry.stale, recentFailureRates: history)
        if let transition = snapshot.lastTransition {
            breaker.lastTransition = Breaker.Transition(from: Breaker.State(rawValue: transition.from.rawValue) ?? .closed,
                                                        to: Breaker.State(rawValue: transition.to.rawValue) ?? .closed,
                                                        at: Date(timeIntervalSince1970: transition.at), reason: transition.reason)
        }
        // The board's own override record (who, why, when) wins over the copy in the report.
        if let override = entry.override ?? snapshot.override, let force = Breaker.Force(rawValue: override.mode.rawValue) {
            breaker.override = Breaker.Override(force: force, actor: override.actor, reason: override.reason,
                                                at: override.at.map(Date.init(timeIntervalSince1970:)))
        }
        return breaker
    }

    /// A `message` frame as `RecentMessages.apply` takes it.
    static func messageChange(_ frame: QueueMessageChange) -> RecentMessages.Seen {
        let kind: QueueMessage.Change.Kind = switch frame.change {
        case .sent: .sent
        case .received: .received
        case .deleted: .deleted
        case .deadLettered: .deadLettered
        case .expired: .expired
        }
        let change = QueueMessage.Change(kind: kind, at: milliseconds(frame.time), queue: frame.queue,
                                         receiveCount: frame.receiveCount, deadLetterQueue: frame.deadLetterQueue)
        return RecentMessages.Seen(id: frame.messageId, change: change, body: frame.body, bodySize: frame.bodySize,
                                   truncated: frame.truncated, sender: frame.sender, execution: frame.execution)
    }

    /// A message a delivery carried in its event's frame (`sentWithEvents`), read as the `sent`
    /// frame it stands for (`DeliveredMessage.change(sender:)`, without building that frame);
    /// `eventText` is its body when the body is the event itself.
    static func sentMessage(_ sent: DeliveredMessage, sender: MessageSender, eventText: String) -> RecentMessages.Seen {
        RecentMessages.Seen(id: sent.messageId, change: QueueMessage.Change(kind: .sent, at: milliseconds(sent.time), queue: sent.queue),
                            body: sent.bodyIsEvent ? eventText : sent.body, bodySize: sent.bodySize, truncated: sent.truncated,
                            sender: sender, execution: nil)
    }

    /// A `message-moved` frame as the change of the message it moved.
    static func moveChange(_ move: QueueMessageMove) -> QueueMessage.Change {
        QueueMessage.Change(kind: .moved, at: milliseconds(move.time), queue: move.queue, toQueue: move.toQueue,
                            toMessageId: move.toMessageId)
    }

    static func milliseconds(_ time: Int64) -> Date {
        Date(timeIntervalSince1970: Double(time) / 1000)
    }
}
