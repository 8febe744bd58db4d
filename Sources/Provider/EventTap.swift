import Foundation
import JSON
import StackClient
import StackProtocol
import Timekeeping

/// One rule of a tap: on which bus, and its ARN (the queue policy names it).
public struct TapRule: Sendable, Hashable {
    public var bus: String
    public var name: String
    public var arn: String
}

/// What a running tap is and costs, for the Flows pane: the view must say it is a tap, what
/// it costs, and what it cannot show.
public struct TapStatus: Sendable, Hashable {
    public var id: String
    public var queueName: String
    public var ruleName: String
    /// The buses its rules are on.
    public var buses: [String]
    public var expires: Date
    /// SQS requests the tap made over the last minute (long polls, deletes, renewals).
    public var requestsLastMinute: Int
    /// Events read through it so far.
    public var eventsRead: Int
    /// Message bodies that were not an event envelope (skipped, deleted).
    public var unreadable: Int
    /// The last read or renewal failed so (nil: the last one worked); reading goes on with backoff.
    public var problem: String?

    public init(id: String, queueName: String, ruleName: String, buses: [String], expires: Date,
                requestsLastMinute: Int = 0, eventsRead: Int = 0, unreadable: Int = 0) {
        self.id = id
        self.queueName = queueName
        self.ruleName = ruleName
        self.buses = buses
        self.expires = expires
        self.requestsLastMinute = requestsLastMinute
        self.eventsRead = eventsRead
        self.unreadable = unreadable
    }
}

/// A running tap (`TapPlan`): made by `open`, read by `receive`, kept alive by `renewIfDue`,
/// removed by `close`. Its owner must call `close` however it stops (the console on `q` and on
/// SIGINT, SIGTERM, SIGHUP; `signalbox tail --tap` on SIGINT, SIGTERM, SIGPIPE); what a
/// crash leaves is found by `TapSweep` once its expiry tag has passed.
///
/// What a tap can show is the events its rules match, as their envelopes (EventBridge sends the
/// event itself as the SQS body): not which other rules matched them nor how their deliveries
/// went, and not the bus when the tap watches more than one (an envelope does not name it).
public actor EventTap {
    public nonisolated let plan: TapPlan
    public nonisolated let queueUrl: String
    public nonisolated let queueArn: String
    public nonisolated let rules: [TapRule]
    private let calls: TapCalls
    private let clock: any TimeSource
    private var expires: Date
    /// When each SQS request of the last minute was made (pruned as it is read).
    private var requests: [MonotonicInstant] = []
    private var eventsRead = 0
    private var unreadable = 0
    private var sequence = 0
    private var closed = false

    /// Long poll: as long as SQS allows, so an idle tap costs 3 requests a minute.
    public static let waitSeconds = 20
    /// Messages per receive: SQS's most.
    public static let batchSize = 10

    private init(plan: TapPlan, queueUrl: String, queueArn: String, rules: [TapRule], calls: TapCalls,
                 clock: any TimeSource, expires: Date) {
        self.plan = plan
        self.queueUrl = queueUrl
        self.queueArn = queueArn
        self.rules = rules
        self.calls = calls
        self.clock = clock
        self.expires = expires
    }

    /// Makes the tap: the queue (tagged), a rule with `plan.pattern` on each of `buses` (every
    /// bus of the account in the endpoint's region when nil), the queue policy that lets only
    /// those rules send, and each rule's target. A failure part-way removes what was made
    /// before it is thrown.
    public static func open(aws: AWSClient, plan: TapPlan, buses: [String]? = nil,
                            clock: any TimeSource = SystemClock()) async throws(TapError) -> EventTap {
        let calls = TapCalls(aws: aws)
        let now = clock.wallClockNow.date
        let tags = plan.tags(expiringAfter: now)
        let expires = now.addingTimeInterval(plan.lifetime.seconds)
        let created = try await calls.call(.sqs, "CreateQueue", [
            "QueueName": .string(plan.queueName),
            "Attributes": ["MessageRetentionPeriod": "3600", "ReceiveMessageWaitTimeSeconds": .string("\(waitSeconds)")],
            "tags": .object(JSONObject(uniqueKeysWithValues: tags.map { ($0.key, JSONValue.string($0.value)) })),
        ])
        guard let queueUrl = created["QueueUrl"]?.stringValue else {
            throw TapError(api: "SQS CreateQueue", error: .badResponse("no QueueUrl in the answer"))
        }
        var rules: [TapRule] = []
        do throws(TapError) {
            let attributes = try await calls.call(.sqs, "GetQueueAttributes",
                                                  ["QueueUrl": .string(queueUrl), "AttributeNames": ["QueueArn"]])
            guard let queueArn = attributes["Attributes"]?["QueueArn"]?.stringValue else {
                throw TapError(api: "SQS GetQueueAttributes", error: .badResponse("no QueueArn in the answer"))
            }
            var watched = buses ?? []
            if buses == nil { watched = try await calls.busNames() }
            let ruleTags = JSONValue.array(tags.map { ["Key": .string($0.key), "Value": .string($0.value)] })
            for bus in watched {
                let answer = try await calls.call(.eventBridge, "PutRule", [
                    "Name": .string(plan.ruleName), "EventBusName": .string(bus), "EventPattern": .string(plan.pattern),
                    "State": "ENABLED", "Description": .string("signalbox tap \(plan.id) for \(plan.user): removed when the console closes"),
                    "Tags": ruleTags,
                ])
                rules.append(TapRule(bus: bus, name: plan.ruleName, arn: answer["RuleArn"]?.stringValue ?? ""))
            }
            _ = try await calls.call(.sqs, "SetQueueAttributes", [
                "QueueUrl": .string(queueUrl),
                "Attributes": ["Policy": .string(TapPlan.queuePolicy(queueArn: queueArn, ruleArns: rules.map(\.arn)))],
            ])
            for rule in rules {
                let answer = try await calls.call(.eventBridge, "PutTargets", [
                    "Rule": .string(rule.name), "EventBusName": .string(rule.bus),
                    "Targets": [["Id": .string(TapPlan.targetId), "Arn": .string(queueArn)]],
                ])
                if let failed = answer["FailedEntries"]?.arrayValue?.first {
                    throw TapError(api: "EventBridge PutTargets", error: .badResponse(
                        "\(failed["ErrorCode"]?.stringValue ?? "failed"): \(failed["ErrorMessage"]?.stringValue ?? "")"))
                }
            }
            return EventTap(plan: plan, queueUrl: queueUrl, queueArn: queueArn, rules: rules, calls: calls,
                            clock: clock, expires: expires)
        } catch {
            _ = await TapSweep.remove(queueUrl: queueUrl, rules: rules, calls: calls)
            throw error
        }
    }

    /// One long poll (up to `waitSeconds`, `batchSize` messages); what was read is deleted in
    /// one batch and returned as the stream's event frames, so the tail, rates and trace take
    /// them as they take the stack's. An empty array after a quiet wait.
    public func receive() async throws(TapError) -> [StreamFrame] {
        count()
        let answer = try await calls.call(.sqs, "ReceiveMessage", [
            "QueueUrl": .string(queueUrl), "MaxNumberOfMessages": .number(Double(Self.batchSize)),
            "WaitTimeSeconds": .number(Double(Self.waitSeconds)),
        ], timeout: .seconds(Self.waitSeconds + 10))
        let messages = answer["Messages"]?.arrayValue ?? []
        guard !messages.isEmpty else { return [] }
        var frames: [StreamFrame] = []
        var entries: [JSONValue] = []
        let bus = rules.count == 1 ? rules[0].bus : ""
        for (index, message) in messages.enumerated() {
            if let handle = message["ReceiptHandle"]?.stringValue {
                entries.append(["Id": .string("m\(index)"), "ReceiptHandle": .string(handle)])
            }
            guard let body = message["Body"]?.stringValue, let envelope = try? JSONValue(parsing: Array(body.utf8)),
                  envelope.objectValue != nil, envelope["id"]?.stringValue != nil
            else {
                unreadable += 1
                continue
            }
            sequence += 1
            eventsRead += 1
            frames.append(.published(.event(BusEventFrame(bus: bus, event: EventEnvelope(envelope), matched: [], deliveries: [])),
                                     sequence: sequence))
        }
        if !entries.isEmpty {
            count()
            _ = try await calls.call(.sqs, "DeleteMessageBatch", ["QueueUrl": .string(queueUrl), "Entries": .array(entries)])
        }
        return frames
    }

    /// Moves the expiry tags on by the plan's lifetime once half of it has passed.
    public func renewIfDue() async throws(TapError) {
        let now = clock.wallClockNow.date
        guard !closed, expires.timeIntervalSince(now) < plan.lifetime.seconds / 2 else { return }
        let tags = plan.tags(expiringAfter: now)
        count()
        _ = try await calls.call(.sqs, "TagQueue", [
            "QueueUrl": .string(queueUrl),
            "Tags": .object(JSONObject(uniqueKeysWithValues: tags.map { ($0.key, JSONValue.string($0.value)) })),
        ])
        for rule in rules {
            _ = try await calls.call(.eventBridge, "TagResource", [
                "ResourceARN": .string(rule.arn),
                "Tags": .array(tags.map { ["Key": .string($0.key), "Value": .string($0.value)] }),
            ])
        }
        expires = now.addingTimeInterval(plan.lifetime.seconds)
    }

    /// Removes the targets, the rules and the queue (each even if another failed); returns what
    /// was removed and what failed. A second call does nothing (and returns nothing).
    public func close() async -> TapSweep.Removal {
        guard !closed else { return TapSweep.Removal() }
        closed = true
        return await TapSweep.remove(queueUrl: queueUrl, rules: rules, calls: calls)
    }

    /// Closed: its reader stops.
    public var isClosed: Bool { closed }

    public var status: TapStatus {
        let now = clock.now
        return TapStatus(id: plan.id, queueName: plan.queueName, ruleName: plan.ruleName, buses: rules.map(\.bus),
                         expires: expires, requestsLastMinute: requests.count { now - $0 <= .seconds(60) },
                         eventsRead: eventsRead, unreadable: unreadable)
    }

    private func count() {
        let now = clock.now
        requests.removeAll { now - $0 > .seconds(60) }
        requests.append(now)
    }
}
