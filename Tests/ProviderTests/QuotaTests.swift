import Foundation
import JSON
@testable import Provider
import SignalboxTestSupport
import StackClient
import Synchronization
import Testing
import Timekeeping

/// AWS's quotas as token buckets, backoff when AWS throttles anyway, and listings that follow
/// every page.
@Suite("Quotas, throttling and pagination", .serialized)
struct QuotaTests {
    @Test("a token bucket lets a burst of its capacity through, then one call per refill interval, in the order booked")
    func tokenBucket() {
        let clock = ManualClock()
        var bucket = TokenBucket(capacity: 3, refill: 2)
        #expect((0..<3).map { _ in bucket.reserve(at: clock.now) } == [.zero, .zero, .zero])
        #expect(bucket.reserve(at: clock.now) == .milliseconds(500), "empty: the next token comes in half a second")
        #expect(bucket.reserve(at: clock.now) == .seconds(1), "booked behind the one before")
        clock.advance(by: .seconds(1))
        #expect(bucket.available(at: clock.now) == 0, "both booked tokens came and were taken")
        clock.advance(by: .seconds(10))
        #expect(bucket.available(at: clock.now) == 3, "never more than the capacity")
    }

    @Test("every API the provider polls has a quota entry that cites its page, per Region as AWS publishes it; the provider takes half of each")
    func quotaTable() {
        let polled = ["Step Functions ListStateMachines", "Step Functions DescribeStateMachine", "Step Functions ListExecutions",
                      "Step Functions DescribeExecution", "Step Functions GetExecutionHistory", "Step Functions DescribeMapRun",
                      "EventBridge ListEventBuses",
                      "EventBridge ListRules", "EventBridge ListTargetsByRule", "SQS ListQueues", "SQS GetQueueAttributes",
                      "Cloud Map ListNamespaces", "Cloud Map ListServices", "Cloud Map ListInstances", "Cloud Map GetInstancesHealthStatus"]
        for region in ["us-east-1", "ap-southeast-2"] {
            for api in polled {
                let quota = AWSQuota.table(region: region)[api]
                #expect(quota?.source.hasPrefix("https://docs.aws.amazon.com/") == true, "\(api) in \(region)")
            }
        }
        #expect(AWSQuota.table(region: "us-east-1")["Step Functions GetExecutionHistory"]?.bucket.refill == 10)
        // The table AWS publishes differs by Region for ListExecutions and DescribeExecution.
        #expect(AWSQuota.table(region: "us-west-2")["Step Functions ListExecutions"]?.refillPerSecond == 5)
        #expect(AWSQuota.table(region: "eu-central-1")["Step Functions ListExecutions"]?.refillPerSecond == 2)
        #expect(AWSQuota.table(region: "eu-west-1")["Step Functions DescribeExecution"]?.capacity == 300)
        #expect(AWSQuota.table(region: "ap-northeast-1")["Step Functions DescribeExecution"]?.capacity == 250)
    }

    @Test("throttle backoff grows with full jitter up to its cap, never under its floor, and an answer resets it")
    func backoff() {
        var backoff = ThrottleBackoff(base: .seconds(1), cap: .seconds(8), floor: .milliseconds(200))
        var ceilings: [Duration] = []
        for attempt in 0..<8 {
            let delay = backoff.throttled(.queues)
            let ceiling = min(Duration.seconds(8), .seconds(1) * (1 << attempt))
            #expect(delay >= .milliseconds(200) && delay <= ceiling, "attempt \(attempt): \(delay)")
            ceilings.append(delay)
        }
        #expect(Set(ceilings).count > 4, "jittered, not a fixed sequence: \(ceilings)")
        #expect(backoff.isBackingOff(.queues))
        backoff.answered(.queues)
        #expect(!backoff.isBackingOff(.queues))
        #expect(backoff.throttled(.queues) <= .seconds(1), "after an answer it starts again from the base")
    }

    /// One service AWS throttles in `throttledAndRecovering`: what to create, which calls the
    /// proxy refuses, with which code, and what the console must still show meanwhile.
    struct ThrottledService: Sendable, CustomTestStringConvertible {
        var name: String
        var targetPrefix: String
        var code: String
        var watched: DataSection
        var setUp: @Sendable (AWSClient) async throws -> Void
        var shown: @Sendable (SystemSnapshot) -> Bool
        var testDescription: String { name }

        static let all: [ThrottledService] = [
            ThrottledService(name: "SQS", targetPrefix: "AmazonSQS.", code: "RequestThrottled", watched: .queues, setUp: { aws in
                for name in ["orders", "payments", "shipping"] { _ = try await aws.call(.sqs, "CreateQueue", ["QueueName": .string(name)]) }
            }, shown: { $0.queues.count == 3 }),
            ThrottledService(name: "Step Functions", targetPrefix: "AWSStepFunctions.", code: "ThrottlingException", watched: .sagas,
                             setUp: { aws in
                let created = try await aws.call(.stepFunctions, "CreateStateMachine", [
                    "name": "orders", "roleArn": "arn:aws:iam::000000000000:role/sfn",
                    "definition": #"{"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":600,"End":true}}}"#])
                _ = try await aws.call(.stepFunctions, "StartExecution", ["stateMachineArn": created["stateMachineArn"]!, "name": "ord-1"])
            }, shown: { $0.stateMachines.count == 1 && $0.executions.count == 1 }),
            ThrottledService(name: "EventBridge", targetPrefix: "AWSEvents.", code: "ThrottlingException", watched: .topology,
                             setUp: { aws in
                _ = try await aws.call(.eventBridge, "PutRule", ["Name": "orders", "EventPattern": #"{"source":["shop"]}"#])
            }, shown: { $0.rules.count == 1 }),
        ]
    }

    @Test("AWS throttling a service: the provider backs off, says so, keeps the last data, and recovers without hammering",
          arguments: ThrottledService.all)
    func throttledAndRecovering(_ service: ThrottledService) async throws {
        try await withRunningStack { endpoint in
            try await service.setUp(AWSClient(endpoint: endpoint))
            let throttling = Mutex(false)
            let proxy = AWSProxy(target: endpoint.url!.absoluteString) { api in
                api.hasPrefix(service.targetPrefix) && throttling.withLock { $0 } ? AWSProxy.throttled(service.code) : .forward
            }
            try await proxy.serve { url in
                // A budget this large would poll every 200 ms: only the backoff keeps it away.
                let provider = try StackProvider(url: url, name: "throttled", options: StackProviderOptions(
                    refreshInterval: .milliseconds(200), useLiveStream: false, pollingBudget: 1_000))
                provider.watch([service.watched])
                try await watching(provider) { watcher in
                    _ = try await watcher.wait("the data") { service.shown($0) && $0.polling != nil }

                    func refused() -> Int { proxy.answeredHere.filter { $0.key.hasPrefix(service.targetPrefix) }.values.reduce(0, +) }
                    throttling.withLock { $0 = true }
                    let window: Duration = .seconds(8)
                    let started = ContinuousClock.now
                    let before = refused()
                    let throttled = try await watcher.wait("backing off") { s in
                        s.polling?.throttled.isEmpty == false && s.connection.detail?.contains("throttled (\(service.code)), backing off") == true
                    }
                    #expect(throttled.connection.label == "degraded")
                    #expect(throttled.polling?.throttled.first?.hasPrefix(service.name + " ") == true, "\(String(describing: throttled.polling))")
                    #expect(service.shown(throttled), "the last data stays")
                    try await Task.sleep(until: started + window, clock: .continuous)
                    throttling.withLock { $0 = false }
                    let duringWindow = refused() - before
                    // Unchecked, 8 s at 200 ms would be 40 polls; backing off from 1 s, doubling with
                    // jitter, it is a handful of polls (a poll of a part may make a few calls).
                    #expect(duringWindow >= 1 && duringWindow <= 12, "\(duringWindow) \(service.name) calls refused while throttled")

                    let recovered = try await watcher.wait("recovered", limit: .seconds(90)) { s in
                        s.polling?.throttled.isEmpty != false && s.connection.label == "connected"
                    }
                    #expect(service.shown(recovered))
                }
            }
        }
    }

    @Test("calls a minute count every request the provider sends: an operator's actions as well as the polls")
    func callsPerMinuteCountsActions() async throws {
        try await withRunningStack { endpoint in
            let proxy = AWSProxy(target: endpoint.url!.absoluteString)
            try await proxy.serve { url in
                let provider = try StackProvider(url: url, name: "counted", options: StackProviderOptions(useLiveStream: false))
                try await watching(provider) { watcher in
                    _ = try await watcher.wait("a first count") { $0.polling != nil }
                    // 200 heartbeats for a token that does not exist: each one a request AWS would
                    // bill and count against its quota, refused or not. Polling this empty stack
                    // within its budget (4.5 calls a second at most) makes under 200 in the time
                    // this takes plus the 25 s allowed; counted, the heartbeats alone reach it.
                    for _ in 0..<200 {
                        _ = try? await provider.perform(.sendTaskHeartbeat(execution: "ord-1", token: "no-such-token"))
                    }
                    #expect(proxy.calls["AWSStepFunctions.SendTaskHeartbeat"] == 200)
                    let later = try await watcher.wait("a count with the heartbeats in it", limit: .seconds(25)) { s in
                        (s.polling?.callsPerMinute ?? 0) >= 200
                    }
                    let shown = later.polling?.callsPerMinute ?? 0
                    #expect(shown <= proxy.total, "never more than were sent")
                }
            }
        }
    }

    @Test("1,100 queues: ListQueues is followed page by page and every queue is shown; bounded to a page, the cut is said")
    func pagination() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<8 {
                    group.addTask {
                        for index in stride(from: lane, to: 1_100, by: 8) {
                            _ = try await aws.call(.sqs, "CreateQueue", ["QueueName": .string("q-\(index)")])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let proxy = AWSProxy(target: endpoint.url!.absoluteString)
            try await proxy.serve { url in
                let provider = try StackProvider(url: url, name: "many", options: StackProviderOptions(useLiveStream: false))
                provider.watch([.queues])
                try await watching(provider) { watcher in
                    let snapshot = try await watcher.wait("1,100 queues", limit: .seconds(120)) { $0.queues.count >= 1_100 }
                    #expect(Set(snapshot.queues.map(\.name)).count == 1_100)
                    #expect((proxy.calls["AmazonSQS.ListQueues"] ?? 0) >= 2, "two pages of at most 1,000")
                    #expect(snapshot.polling?.cutLists.isEmpty != false, "nothing was cut")
                }
            }

            // Bounded to one page a listing, the first 1,000 show, and the status says the list
            // was cut rather than passing 1,000 off as all of them.
            var options = StackProviderOptions(useLiveStream: false)
            options.listPagesAtMost = 1
            let provider = try StackProvider(url: endpoint.url!.absoluteString, name: "cut", options: options)
            provider.watch([.queues])
            try await watching(provider) { watcher in
                let cut = try await watcher.wait("the first page, said to be cut", limit: .seconds(120)) { s in
                    s.queues.count >= 1_000 && s.polling?.cutLists.isEmpty == false
                }
                #expect(cut.queues.count == 1_000)
                #expect(cut.polling?.cutLists == [PollingStatus.CutList(api: "SQS ListQueues", shown: 1_000)])
            }
        }
    }
}
