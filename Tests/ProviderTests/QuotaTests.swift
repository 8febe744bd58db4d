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

    @Test("every API the provider polls has a quota entry that cites its page; the provider takes half of each")
    func quotaTable() {
        let polled = ["Step Functions ListStateMachines", "Step Functions DescribeStateMachine", "Step Functions ListExecutions",
                      "Step Functions DescribeExecution", "Step Functions GetExecutionHistory", "EventBridge ListEventBuses",
                      "EventBridge ListRules", "EventBridge ListTargetsByRule", "SQS ListQueues", "SQS GetQueueAttributes",
                      "Cloud Map ListNamespaces", "Cloud Map ListServices", "Cloud Map ListInstances", "Cloud Map GetInstancesHealthStatus"]
        for api in polled {
            let quota = AWSQuota.table[api]
            #expect(quota?.source.hasPrefix("https://docs.aws.amazon.com/") == true, "\(api)")
        }
        #expect(AWSQuota.table["Step Functions GetExecutionHistory"]?.bucket.refill == 10)
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

    @Test("AWS throttling SQS: the provider backs off, says so, keeps the last counts, and recovers without hammering")
    func throttledAndRecovering() async throws {
        try await withRunningStack { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            for name in ["orders", "payments", "shipping"] { _ = try await aws.call(.sqs, "CreateQueue", ["QueueName": .string(name)]) }
            let throttling = Mutex(false)
            let proxy = AWSProxy(target: endpoint.url!.absoluteString) { api in
                api.hasPrefix("AmazonSQS.") && throttling.withLock { $0 } ? AWSProxy.throttled("RequestThrottled") : .forward
            }
            try await proxy.serve { url in
                // A budget this large would poll SQS every 200 ms: only the backoff keeps it away.
                let provider = try StackProvider(url: url, name: "throttled", options: StackProviderOptions(
                    refreshInterval: .milliseconds(200), useLiveStream: false, pollingBudget: 1_000))
                provider.watch([.queues])
                let watcher = await SnapshotWatcher.watching(provider)
                defer { Task { await watcher.stop(); await provider.shutdown() } }
                _ = try await watcher.wait("the queues") { $0.queues.count == 3 && $0.polling != nil }

                throttling.withLock { $0 = true }
                let window: Duration = .seconds(8)
                let started = ContinuousClock.now
                let before = proxy.answeredHere.values.reduce(0, +)
                let throttled = try await watcher.wait("backing off") { s in
                    s.polling?.throttled.isEmpty == false && s.connection.detail?.contains("throttled (RequestThrottled), backing off") == true
                }
                #expect(throttled.connection.label == "degraded")
                #expect(throttled.polling?.throttled.first?.hasPrefix("SQS ") == true, "\(String(describing: throttled.polling))")
                #expect(throttled.queues.count == 3, "the last counts stay")
                try await Task.sleep(until: started + window, clock: .continuous)
                throttling.withLock { $0 = false }
                let duringWindow = proxy.answeredHere.values.reduce(0, +) - before
                // Unchecked, 8 s at 200 ms would be 40 polls; backing off from 1 s, doubling with
                // jitter, it is a handful.
                #expect(duringWindow >= 1 && duringWindow <= 10, "\(duringWindow) SQS calls while throttled")

                let recovered = try await watcher.wait("recovered", limit: .seconds(90)) { s in
                    s.polling?.throttled.isEmpty != false && s.connection.label == "connected"
                }
                #expect(recovered.queues.count == 3)
            }
        }
    }

    @Test("1,100 queues: ListQueues is followed page by page and every queue is shown")
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
                let watcher = await SnapshotWatcher.watching(provider)
                defer { Task { await watcher.stop(); await provider.shutdown() } }
                let snapshot = try await watcher.wait("1,100 queues", limit: .seconds(120)) { $0.queues.count >= 1_100 }
                #expect(Set(snapshot.queues.map(\.name)).count == 1_100)
                #expect((proxy.calls["AmazonSQS.ListQueues"] ?? 0) >= 2, "two pages of at most 1,000")
            }
        }
    }
}
