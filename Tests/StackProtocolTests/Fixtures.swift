import CircuitBreaker
import JSON
import StackProtocol

/// Values of every message type, for the round-trip tests.
enum Fixtures {
    static let envelope: JSONValue = [
        "version": "0", "id": "e-1", "detail-type": "Order Placed", "source": "shop.orders", "account": "000000000000",
        "time": "2026-12-06T09:00:00Z", "region": "us-east-1", "resources": [], "detail": ["orderId": "o-1", "total": 12.5],
    ]

    static let delivered = DeliveryOutcome(eventId: "e-1", bus: "default", rule: "orders", targetId: "q",
                                           targetArn: "arn:aws:sqs:us-east-1:000000000000:orders", status: .delivered)
    static let deadLettered = DeliveryOutcome(eventId: "e-1", bus: "audit", rule: "watch", targetId: "t",
                                              targetArn: "arn:aws:sqs:us-east-1:000000000000:gone", status: .deadLettered,
                                              errorCode: "QueueDoesNotExist", errorMessage: "gone \"quoted\"\n")

    static let event = BusEventFrame(bus: "default", event: EventEnvelope(envelope),
                                     matched: [MatchedRule(bus: "default", rule: "orders"), MatchedRule(bus: "audit", rule: "watch")],
                                     deliveries: [delivered, deadLettered])

    static let identity = ExecutionIdentity(executionArn: "arn:aws:states:us-east-1:000000000000:execution:saga:o-1",
                                            stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:saga",
                                            name: "o-1")

    static func snapshot(state: String = "open", override: Bool = false) throws -> BreakerSnapshot {
        try BreakerSnapshot(json: [
            "version": 1, "service": "payment", "dependency": "gateway", "state": .string(state),
            "config": ["slidingWindow": ["kind": "count", "size": 20], "minimumNumberOfCalls": 10, "failureRateThreshold": 50,
                       "slowCallRateThreshold": 80, "slowCallDurationThresholdMs": 2000, "waitDurationInOpenMs": 30000,
                       "permittedCallsInHalfOpen": 5, "maxWaitDurationInHalfOpenMs": nil, "callTimeoutMs": 5000],
            "window": ["kind": "count", "size": 20, "minimumCalls": 10, "belowMinimumCalls": false, "calls": 20, "successes": 8,
                       "failures": 12, "timeouts": 3, "slowCalls": 2, "failureRate": 60, "slowCallRate": 10, "shortCircuited": 41],
            "latency": ["samples": 20, "p50Ms": 212.4, "p95Ms": 4870.1, "p99Ms": 5000],
            "totals": ["calls": 1840, "successes": 1790, "failures": 50, "timeouts": 3, "slowCalls": 9, "ignored": 0,
                       "shortCircuited": 41],
            "halfOpen": nil, "retryAt": 1800000030.5,
            "lastTransition": ["from": "closed", "to": .string(state), "at": 1800000000.5, "reason": "failure rate over threshold"],
            "override": override ? ["mode": "force-open", "reason": "incident 9", "actor": "alice", "at": 1800000000] : nil,
            "takenAt": 1800000012.25,
        ])
    }

    static func entry(override: Bool = false) throws -> BreakerBoardEntry {
        BreakerBoardEntry(snapshot: try snapshot(override: override), reportedAt: 1800000012.5, stale: false,
                          override: override ? .forceOpen(by: "alice", reason: "incident 9") : nil)
    }

    static func audit() -> BreakerAuditEntry {
        BreakerAuditEntry(id: 7, at: 1800000020.125, actor: "carol", service: "payment", dependency: "gateway",
                          from: .open, to: .forcedClosed, mode: .forceClosed, reason: "vendor says fixed")
    }

    /// One message of every type the stack publishes, and one it does not know.
    static func messages() throws -> [StreamMessage] {
        [
            .event(event),
            .delivery(deadLettered),
            .queueStatistics(QueueStatistics(queues: [QueueCounts(name: "orders", visible: 3, inFlight: 1, delayed: 0),
                                                      QueueCounts(name: "payments.fifo", visible: 0, inFlight: 0, delayed: 2)])),
            .execution(ExecutionChange(execution: identity, status: "RUNNING", startDate: 1800000000.123, redriveCount: 0)),
            .execution(ExecutionChange(execution: identity, status: "FAILED", startDate: 1800000000.123, redriveCount: 1,
                                       stopDate: 1800000004.5, error: "Payment.Declined", cause: "card expired")),
            .history(ExecutionHistoryEvent(execution: identity, status: "RUNNING", event: [
                "id": 3, "previousEventId": 2, "timestamp": 1800000001.25, "type": "TaskStateEntered",
                "stateEnteredEventDetails": ["name": "ChargeCard", "input": "{}"],
            ])),
            .breaker(BreakerChange(entry: try entry(), previousState: .closed)),
            .breaker(BreakerChange(entry: try entry(), previousState: nil)),
            .breakerOverride(BreakerOverrideResult(entry: try entry(override: true), audit: audit())),
            .message(.sent(queue: "orders", messageId: "m-1", time: 1800000000123, body: #"{"detail":{"orderId":"ord-1"}}"#,
                           sender: MessageSender(eventId: "e-1", bus: "shop", rule: "to-orders", targetId: "orders-queue"))),
            .message(.sent(queue: "orders", messageId: "m-2", time: 1800000000124, body: String(repeating: "é", count: 9000))),
            .message(QueueMessageChange(change: .received, queue: "orders", messageId: "m-1", time: 1800000000200, receiveCount: 2)),
            .message(QueueMessageChange(change: .deleted, queue: "orders", messageId: "m-1", time: 1800000000300)),
            .message(QueueMessageChange(change: .deadLettered, queue: "orders", messageId: "m-2", time: 1800000000400,
                                        receiveCount: 3, deadLetterQueue: "orders-dlq")),
            .message(QueueMessageChange(change: .expired, queue: "orders-dlq", messageId: "m-2", time: 1800000000500)),
            .message(.sent(queue: "ship", messageId: "m-3", time: 1800000000600, body: "go",
                           execution: MessageExecution(executionArn: "arn:aws:states:us-east-1:000000000000:execution:ship:ord-1", stateName: "Notify"))),
            .messageMoved(QueueMessageMove(queue: "orders-dlq", messageId: "m-2", time: 1800000000700, toQueue: "orders", toMessageId: "m-4")),
            .queueEmptied(QueueEmptied(reason: .purged, queue: "orders", time: 1800000000800, count: 12)),
            .queueEmptied(QueueEmptied(reason: .deleted, queue: "orders-dlq", time: 1800000000900, count: 0)),
            .other(type: "topology", topic: "graph", data: ["nodes": [1, 2]]),
        ]
    }
}
