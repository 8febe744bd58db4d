import GRDB
import JSON
import StackProtocol
import Wire

/// An event on its way through a bus: the envelope AWS delivers (version, id, detail-type,
/// source, account, time, region, resources, detail) and its serialized text, made once.
struct BusEvent: Sendable {
    /// What stays the same on the event's way through buses and targets, behind one reference:
    /// the store's single writer copies an event for every delivery, and one retain is cheaper
    /// than one per field.
    private final class Content: Sendable {
        let id: String
        let envelope: JSONValue
        let text: String
        let traceHeader: String?
        let ingestionTime: String

        init(id: String, envelope: JSONValue, text: String, traceHeader: String?, ingestionTime: String) {
            self.id = id
            self.envelope = envelope
            self.text = text
            self.traceHeader = traceHeader
            self.ingestionTime = ingestionTime
        }
    }

    private let content: Content
    var bus: String
    /// How many bus-to-bus hops brought it here (loops stop at `BusDeliverer.maximumDepth`).
    var depth: Int = 0
    /// What PutEvents works out before its write transaction (`checkForQueues`), so the single
    /// store writer does not redo it per delivery: the MD5 of `text` when it is a valid SQS
    /// body, and how many deliveries carry `text` to standard queues.
    var queueBody = QueueBodyCheck()

    var id: String { content.id }
    var envelope: JSONValue { content.envelope }
    var text: String { content.text }
    var traceHeader: String? { content.traceHeader }
    var ingestionTime: String { content.ingestionTime }

    init(id: String, bus: String, envelope: JSONValue, text: String, traceHeader: String?, ingestionTime: String,
         depth: Int = 0) {
        content = Content(id: id, envelope: envelope, text: text, traceHeader: traceHeader, ingestionTime: ingestionTime)
        self.bus = bus
        self.depth = depth
    }
}

// What became of one delivery to one target is `DeliveryOutcome` (StackProtocol): the stream
// carries it as it is. Every delivery has exactly one outcome; none is dropped unseen: failures
// are counted, streamed, and kept in `eb_delivery`.

/// Everything one write delivered: outcomes, the rules each event matched on each bus, and the
/// queues to wake once the transaction committed.
struct DeliveryReport: Sendable {
    var outcomes: [DeliveryOutcome] = []
    /// Per event id: `(bus, rule)` pairs matched, in order, including bus-to-bus hops.
    var matched: [String: [MatchedRule]] = [:]
    var queues: Set<String> = []
    /// Messages the deliveries sent, for the `messages` topic (empty unless someone watches it).
    var messages: [QueueMessageChange] = []
    /// API-destination calls written to the outbox, for the HTTP dispatcher to make once the
    /// transaction committed (their outcomes are streamed when the calls end).
    var httpDeliveries = 0
}

/// A delivery destination other than SQS and EventBridge (Step Functions, with the saga
/// service): it receives the payload inside the PutEvents transaction, so it must only write
/// to the store through `db` and throw an `AWSError` on failure (retried per RetryPolicy).
public protocol BusTargetSink: Sendable {
    /// The ARN service segment this sink handles, e.g. `states`.
    var arnService: String { get }
    func deliver(_ db: Database, targetArn: String, payload: String, eventId: String, now: Int64) throws
}

/// Delivers events to targets inside a write transaction; the one target-kind dispatch.
struct BusDeliverer: Sendable {
    let naming: BusNaming
    let queues: QueueService?
    let sinks: [String: any BusTargetSink]

    static let maximumDepth = 5

    /// The body a target receives: the whole event, `Input`, the `InputPath` selection, or the
    /// `InputTransformer` rendering.
    func payload(for target: BusTarget, ruleName: String, ruleArn: String, event: BusEvent) -> String {
        if let input = target.input { return input }
        if let path = target.inputPath {
            return JSONPathLite(path)?.resolve(event.envelope)?.serialized ?? "null"
        }
        if let transformer = target.transformer {
            return transformer.render(.init(event: event.envelope, eventText: event.text, ruleArn: ruleArn,
                                            ruleName: ruleName, ingestionTime: event.ingestionTime))
        }
        return event.text
    }

    /// Routes an event through the rules it matched on its bus, delivering to every target.
    /// A delivery that fails is isolated in a savepoint and recorded for retry (or dead-lettered).
    func route(_ db: Database, event: BusEvent, rules: [RoutedRule], buses: [String: BusRoutes], now: Int64,
               report: inout DeliveryReport, lookups: DeliveryLookups) throws {
        for rule in rules {
            report.matched[event.id, default: []].append(MatchedRule(bus: event.bus, rule: rule.name))
            for (target, kind) in zip(rule.targets, rule.kinds) {
                let payload = self.payload(for: target, ruleName: rule.name, ruleArn: rule.arn, event: event)
                if kind?.isInOtherPartition == true {
                    // Another partition's bus or queue is in another store: the outbox row,
                    // written in this transaction, is the promise; the retry worker forwards it
                    // at once.
                    try insertOutbox(db, event: event, rule: rule.name, target: target, payload: payload, attempts: 0,
                                     firstAt: now, nextAt: now, state: "pending", error: nil)
                    report.outcomes.append(DeliveryOutcome(eventId: event.id, bus: event.bus, rule: rule.name,
                                                           targetId: target.id, targetArn: target.arn, status: .retrying))
                    continue
                }
                if case .apiDestination? = kind {
                    // An HTTP call is never made inside a transaction: the outbox row (no error
                    // yet: not tried) is the promise; the HTTP dispatcher makes the call.
                    try insertOutbox(db, event: event, rule: rule.name, target: target, payload: payload, attempts: 0,
                                     firstAt: now, nextAt: now, state: "pending", error: nil)
                    report.httpDeliveries += 1
                    continue
                }
                var nested = DeliveryReport()
                var failure: AWSError?
                let archivedMark = lookups.archivedMark
                do {
                    if case .queue? = kind {
                        // One write after all checks: nothing to roll back when it is refused,
                        // and nothing reported (its queue) unless it was written.
                        try attempt(db, target: target, kind: kind, rule: rule.name, event: event, payload: payload, buses: buses,
                                    now: now, report: &report, lookups: lookups)
                    } else {
                        try db.inSavepoint {
                            try attempt(db, target: target, kind: kind, rule: rule.name, event: event, payload: payload, buses: buses,
                                        now: now, report: &nested, lookups: lookups)
                            return .commit
                        }
                    }
                } catch let error as AWSError {
                    failure = error
                } catch let error as DatabaseError {
                    throw error
                } catch {
                    failure = AWSError.internalFailure("\(error)")
                }
                if let failure {
                    // What a hop archived inside the rolled-back savepoint is archived when it is retried.
                    lookups.forgetArchived(since: archivedMark)
                    let status = try recordFailure(db, event: event, rule: rule.name, target: target, payload: payload,
                                                   attempts: 0, firstAt: now, now: now, error: failure)
                    report.outcomes.append(DeliveryOutcome(
                        eventId: event.id, bus: event.bus, rule: rule.name, targetId: target.id, targetArn: target.arn,
                        status: status, errorCode: failure.code, errorMessage: failure.message))
                } else {
                    report.outcomes.append(DeliveryOutcome(eventId: event.id, bus: event.bus, rule: rule.name,
                                                           targetId: target.id, targetArn: target.arn, status: .delivered))
                    report.outcomes += nested.outcomes
                    report.queues.formUnion(nested.queues)
                    report.httpDeliveries += nested.httpDeliveries
                    for (id, pairs) in nested.matched { report.matched[id, default: []] += pairs }
                }
            }
        }
    }

    /// One try at one target of `rule`; throws the target's error.
    func attempt(_ db: Database, target: BusTarget, kind: BusTargetKind?, rule: String, event: BusEvent, payload: String,
                 buses: [String: BusRoutes], now: Int64, report: inout DeliveryReport,
                 lookups: DeliveryLookups) throws {
        switch kind {
        case .queue(let name)?:
            guard let queues else { throw BusError.notFound("No queue service in this stack.") }
            let digest = lookups.digest(of: payload, event: event)
            let sent = try queues.enqueueFromBus(db, queueName: name, body: payload, groupId: target.messageGroupId,
                                                      deduplicationId: event.id, traceHeader: event.traceHeader, now: now,
                                                      lookups: lookups, bodyDigest: digest,
                                                      bodyChecked: lookups.bodyChecked(payload, event: event),
                                                      event: digest == nil ? nil : event)
            report.queues.insert(name)
            if !sent.duplicate {
                lookups.sentMessages?.append(.sent(queue: name, messageId: sent.messageId, time: now, body: payload,
                                                   sender: MessageSender(eventId: event.id, bus: event.bus, rule: rule, targetId: target.id),
                                                   eventText: event.text))
            }
        case .bus(let name)?:
            guard let routes = buses[name] else { throw BusError.busNotFound(name) }
            guard event.depth + 1 < Self.maximumDepth else {
                throw BusError.validation("Event \(event.id) crossed \(Self.maximumDepth) buses: delivery loop stopped at \(name).")
            }
            var forwarded = event
            forwarded.bus = name
            forwarded.depth += 1
            // The receiving bus's archives keep the event as they keep one put to it (written
            // when the transaction's deliveries are done: `DeliveryLookups.finish`).
            let archives = routes.archiving(event.envelope)
            if !archives.isEmpty {
                let time = event.envelope["time"]?.stringValue.flatMap(BusEvents.parseISO).map { Int64($0 * 1000) } ?? now
                lookups.archive(forwarded, in: archives, time: time, archivedAt: now)
            }
            try route(db, event: forwarded, rules: routes.matches(event.envelope), buses: buses, now: now, report: &report,
                      lookups: lookups)
        case .remoteBus?, .remoteQueue?:
            throw AWSError.internalFailure("A target of another partition is delivered by the outbox worker, not in a transaction.")
        case .sink(let service)?:
            guard let sink = sinks[service] else {
                throw BusError.validation("Targets of service \(service) are not supported by this stack.")
            }
            try sink.deliver(db, targetArn: target.arn, payload: payload, eventId: event.id, now: now)
        case .apiDestination?:
            // `route` writes these to the outbox and the retry worker leaves them to the HTTP
            // dispatcher, so no transaction ever waits on an HTTP call.
            throw AWSError.internalFailure("API destination \(target.arn) is called by the HTTP dispatcher, not in a transaction.")
        case nil:
            throw BusError.validation("Target ARN \(target.arn) is not valid.")
        }
    }

    /// Missing destinations are worth retrying (they may be created); refused payloads are not.
    static func isRetryable(_ error: AWSError) -> Bool {
        ["QueueDoesNotExist", "ResourceNotFoundException", "InternalFailure", "ThrottlingException"].contains(error.code)
    }

    /// Retry delay after `attempts` failed tries: 1 s doubling to at most 32 s.
    static func backoffMillis(attempts: Int) -> Int64 {
        Int64(1000) << Int64(min(attempts, 5))
    }

    /// Records a failed try: pending for retry, or dead-lettered / failed when out of retries.
    /// `retryable` overrides what the error's code says (an HTTP call's status decides it).
    func recordFailure(_ db: Database, event: BusEvent, rule: String, target: BusTarget, payload: String,
                       attempts: Int, firstAt: Int64, now: Int64, error: AWSError, existing seq: Int64? = nil,
                       retryable: Bool? = nil) throws -> DeliveryOutcome.Status {
        // Which of the RetryPolicy's limits ended the retries (none when the error is final).
        var exhaustedCondition: String?
        if attempts >= target.maximumRetryAttempts {
            exhaustedCondition = "MaximumRetryAttempts"
        } else if now - firstAt >= Int64(target.maximumEventAgeSeconds) * 1000 {
            exhaustedCondition = "MaximumEventAgeInSeconds"
        }
        let final = !(retryable ?? Self.isRetryable(error))
        var state = "pending"
        var status = DeliveryOutcome.Status.retrying
        if final || exhaustedCondition != nil {
            status = deadLetter(db, event: event, rule: rule, target: target, attempts: attempts, error: error, now: now,
                                exhaustedCondition: final ? nil : exhaustedCondition) ? .deadLettered : .failed
            state = status == .deadLettered ? "done" : "failed"
        }
        if let seq {
            if state == "done" {
                try db.execute(sql: "DELETE FROM eb_delivery WHERE seq = ?", arguments: [seq])
            } else {
                try db.execute(sql: """
                    UPDATE eb_delivery SET attempts = ?, next_at = ?, state = ?, error_code = ?, error_message = ? WHERE seq = ?
                    """, arguments: [attempts, now + Self.backoffMillis(attempts: attempts), state, error.code, error.message, seq])
            }
        } else if state != "done" {
            try insertOutbox(db, event: event, rule: rule, target: target, payload: payload, attempts: attempts,
                             firstAt: firstAt, nextAt: now + Self.backoffMillis(attempts: attempts), state: state, error: error)
        }
        return status
    }

    /// Writes a delivery to the outbox: due at `nextAt`, in `state` (`pending` or `failed`).
    func insertOutbox(_ db: Database, event: BusEvent, rule: String, target: BusTarget, payload: String, attempts: Int,
                      firstAt: Int64, nextAt: Int64, state: String, error: AWSError?) throws {
        try db.execute(sql: """
            INSERT INTO eb_delivery (event_id, bus, rule, target_id, target_arn, spec, event, payload, depth,
                                     attempts, first_at, next_at, state, error_code, error_message)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [event.id, event.bus, rule, target.id, target.arn, target.spec.serialized, event.text,
                             payload, event.depth, attempts, firstAt, nextAt, state, error?.code, error?.message])
    }

    /// Sends the event to the target's dead-letter queue with AWS's attributes naming the rule,
    /// target, error and (when retries ran out) the RetryPolicy limit reached; false when there
    /// is none or it refused the message.
    func deadLetter(_ db: Database, event: BusEvent, rule: String, target: BusTarget, attempts: Int,
                    error: AWSError, now: Int64, exhaustedCondition: String? = nil) -> Bool {
        guard let arn = target.deadLetterArn, case .queue(let name)? = BusTarget.kind(arn: arn, naming: naming),
              let queues else { return false }
        var attributes: [String: MessageAttribute] = [
            "RULE_ARN": .init(dataType: "String", stringValue: naming.ruleArn(rule, bus: event.bus)),
            "TARGET_ARN": .init(dataType: "String", stringValue: target.arn),
            "ERROR_CODE": .init(dataType: "String", stringValue: error.code),
            "ERROR_MESSAGE": .init(dataType: "String", stringValue: String(error.message.prefix(1000))),
            "RETRY_ATTEMPTS": .init(dataType: "String", stringValue: String(attempts)),
        ]
        if let exhaustedCondition {
            attributes["EXHAUSTED_RETRY_CONDITION"] = .init(dataType: "String", stringValue: exhaustedCondition)
        }
        do {
            try db.inSavepoint {
                _ = try queues.enqueueFromBus(db, queueName: name, body: event.text, groupId: "dead-letter",
                                              deduplicationId: "\(event.id)-\(target.id)", traceHeader: event.traceHeader,
                                              attributes: attributes, now: now)
                return .commit
            }
            return true
        } catch {
            return false
        }
    }
}
