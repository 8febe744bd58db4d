import Foundation
import JSON
@testable import Provider
import SignalboxTestSupport
import StackClient
import StackProtocol
import Testing

/// The tap against real endpoints without the live stream: the local stack run without it
/// (`liveStream = false`, as `signalbox serve --no-stream`) and moto_server, which stands in
/// for AWS. What both must show: the queue and rules made as the issue words them, events put
/// on the buses read back as event frames, nothing left after a close, and an expired tap
/// found and removed by the sweep.
@Suite("A tap on an endpoint without the live stream", .serialized)
struct TapTests {
    @Test("against the stack without its stream: queue, rules, policy and tags as planned; events read; nothing left")
    func tapOnTheStack() async throws {
        try await withRunningStack(configure: { $0.liveStream = false }) { endpoint in
            try await Self.roundTrip(AWSClient(endpoint: endpoint), checkPolicy: true)
        }
    }

    @Test("against moto_server: events read, nothing left (moto keeps the queue policy but does not enforce it)",
          .enabled(if: motoServer != nil, "moto_server is not installed"))
    func tapOnMoto() async throws {
        let port = try freeLoopbackPort()
        let moto = try launchMoto(port: port)
        defer { kill(moto.processIdentifier, SIGKILL) }
        let aws = AWSClient(endpoint: try StackEndpoint(parsing: "http://127.0.0.1:\(port)"))
        _ = try await eventually("moto answering", limit: .seconds(30), every: .milliseconds(100)) {
            (try? await aws.call(.sqs, "ListQueues")) != nil ? true : nil
        }
        try await Self.roundTrip(aws, checkPolicy: false)
    }

    @Test("an expired tap (a crashed owner's) is found with its queue and rules, and removed; a live one is left")
    func sweepRemovesExpiredTaps() async throws {
        try await withRunningStack(configure: { $0.liveStream = false }) { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            _ = try await aws.call(.eventBridge, "CreateEventBus", ["Name": "orders"])
            let crashed = try await EventTap.open(aws: aws, plan: TapPlan(user: "alice", lifetime: .seconds(1)))
            let live = try await EventTap.open(aws: aws, plan: TapPlan(user: "bob"))
            let later = Date().addingTimeInterval(5)
            let found = try await TapSweep.find(aws: aws)
            #expect(Set(found.map(\.id)) == [crashed.plan.id, live.plan.id])
            let expired = found.filter { $0.expired(at: later) }
            #expect(expired.map(\.id) == [crashed.plan.id])
            let first = try #require(expired.first)
            #expect(first.user == "alice")
            #expect(first.queueUrl == crashed.queueUrl)
            #expect(Set(first.rules.map(\.bus)) == ["default", "orders"])

            let removal = await TapSweep.remove(first, aws: aws)
            #expect(removal.failures.isEmpty, "\(removal.failures)")
            #expect(removal.removed.count == 5, "\(removal.removed)")  // 2 targets, 2 rules, the queue
            #expect(try await TapSweep.find(aws: aws).map(\.id) == [live.plan.id])
            #expect(await live.close().failures.isEmpty)
            #expect(try await TapSweep.find(aws: aws).isEmpty)
        }
    }

    @Test("the provider opens a tap on request: its events fill the tail, rates and trace; shutdown removes it")
    func providerFeedsTheTailFromATap() async throws {
        try await withRunningStack(configure: { $0.liveStream = false }) { endpoint in
            let aws = AWSClient(endpoint: endpoint)
            let provider = StackProvider(endpoint: EndpointDescription(name: "no-stream"), stack: endpoint,
                                         options: StackProviderOptions(refreshInterval: .milliseconds(200), actor: "carol"))
            try await watching(provider) { watcher in
                _ = try await watcher.wait("the stream said absent") { $0.liveStreamAbsent != nil }

                let answer = try await provider.perform(.openTap(pattern: #"{"source":["shop.orders"]}"#))
                #expect(answer.contains("tap") && answer.contains("signalbox-tap-carol-"), "\(answer)")
                do {
                    _ = try await provider.perform(.openTap(pattern: nil))
                    Issue.record("a second tap was opened")
                } catch {
                    #expect("\(error)".contains("already open"))
                }
                _ = try await watcher.wait("the tap's status") { $0.tap != nil }
                _ = try await aws.call(.eventBridge, "PutEvents", ["Entries": [
                    ["Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": #"{"orderId":"o-9"}"#],
                    ["Source": "shop.other", "DetailType": "Ignored", "Detail": "{}"],
                ]])
                let snapshot = try await watcher.wait("the event read through the tap") { !$0.recentEvents.isEmpty }
                let event = try #require(snapshot.recentEvents.last)
                #expect(event.source == "shop.orders" && event.detail["orderId"] == "o-9")
                #expect(event.eventBusName == "default")
                #expect(event.matchedRules.isEmpty && event.deliveries.isEmpty, "a tap cannot see rules or deliveries")
                #expect(snapshot.rates.latest != nil, "rates are counted from the tap's events too")
                let tap = try #require(snapshot.tap)
                #expect(tap.buses == ["default"])
                #expect(tap.requestsLastMinute >= 2)
                #expect(!snapshot.liveStream)

                let removal = await provider.closeTap()
                #expect(removal?.failures.isEmpty == true)
                #expect(try await TapSweep.find(aws: aws).isEmpty, "no signalbox-tap-* rule or queue remains")
                // Only the pattern's events went through: the tap's rule filtered at the source.
                #expect(snapshot.recentEvents.allSatisfy { $0.source == "shop.orders" })
            }
        }
    }

    /// Opens a tap on every bus (default and one made here), puts events on both, reads them
    /// back, closes it, and checks nothing named `signalbox-tap-*` is left.
    static func roundTrip(_ aws: AWSClient, checkPolicy: Bool) async throws {
        _ = try await aws.call(.eventBridge, "CreateEventBus", ["Name": "orders"])
        let plan = TapPlan(user: "dave@example.com")
        #expect(plan.queueName == "signalbox-tap-dave_example_com-\(plan.id)")
        let tap = try await EventTap.open(aws: aws, plan: plan)
        #expect(Set(tap.rules.map(\.bus)) == ["default", "orders"])
        #expect(tap.rules.allSatisfy { $0.name == "signalbox-tap-\(plan.id)" })

        let tags = try await aws.call(.sqs, "ListQueueTags", ["QueueUrl": .string(tap.queueUrl)])["Tags"]
        #expect(tags?["signalbox:tap"]?.stringValue == plan.id)
        #expect(tags?["signalbox:expires"]?.stringValue.flatMap(TapPlan.expiry).map { $0 > Date() } == true)
        for rule in tap.rules {
            let ruleTags = try await aws.call(.eventBridge, "ListTagsForResource", ["ResourceARN": .string(rule.arn)])["Tags"]?.arrayValue ?? []
            #expect(ruleTags.contains { $0["Key"]?.stringValue == "signalbox:tap" && $0["Value"]?.stringValue == plan.id }, "\(ruleTags)")
            let described = try await aws.call(.eventBridge, "DescribeRule", ["Name": .string(rule.name), "EventBusName": .string(rule.bus)])
            #expect(described["EventPattern"]?.stringValue == TapPlan.everyEvent)
            let targets = try await aws.call(.eventBridge, "ListTargetsByRule", ["Rule": .string(rule.name), "EventBusName": .string(rule.bus)])
            #expect(targets["Targets"]?.arrayValue?.map { $0["Arn"]?.stringValue } == [tap.queueArn])
        }
        let policy = try await aws.call(.sqs, "GetQueueAttributes", ["QueueUrl": .string(tap.queueUrl), "AttributeNames": ["Policy"]])
        let document = try JSONValue(parsing: policy["Attributes"]?["Policy"]?.stringValue ?? "null")
        let sources = document["Statement"]?[0]?["Condition"]?["ArnEquals"]?["aws:SourceArn"]?.arrayValue?.compactMap(\.stringValue)
        if checkPolicy || sources != nil {
            #expect(Set(sources ?? []) == Set(tap.rules.map(\.arn)), "only the tap's rules may send")
        }

        _ = try await aws.call(.eventBridge, "PutEvents", ["Entries": [
            ["Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": #"{"orderId":"o-1"}"#],
            ["Source": "shop.payments", "DetailType": "PaymentTaken", "Detail": #"{"orderId":"o-1"}"#, "EventBusName": "orders"],
        ]])
        var frames: [StreamFrame] = []
        _ = try await eventually("both events through the tap", limit: .seconds(60), every: .milliseconds(10)) {
            frames += try await tap.receive()
            return frames.count >= 2 ? true : nil
        }
        let sources2 = frames.compactMap { frame -> String? in
            guard case .published(.event(let event), _) = frame else { return nil }
            #expect(event.matched.isEmpty && event.deliveries.isEmpty)
            #expect(event.bus == "", "two buses watched: an envelope does not say which one it came through")
            return event.event.summary.source
        }
        #expect(Set(sources2) == ["shop.orders", "shop.payments"])
        // Read means deleted: the queue is empty.
        let counts = try await aws.call(.sqs, "GetQueueAttributes", ["QueueUrl": .string(tap.queueUrl),
                                                                      "AttributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]])
        #expect(counts["Attributes"]?["ApproximateNumberOfMessages"]?.stringValue == "0")
        #expect(counts["Attributes"]?["ApproximateNumberOfMessagesNotVisible"]?.stringValue == "0")
        #expect(await tap.status.eventsRead == 2)

        #expect(await tap.close().failures.isEmpty)
        let queues = try await aws.call(.sqs, "ListQueues", ["QueueNamePrefix": "signalbox-tap-"])["QueueUrls"]?.arrayValue ?? []
        #expect(queues.isEmpty, "\(queues)")
        for bus in ["default", "orders"] {
            let rules = try await aws.call(.eventBridge, "ListRules", ["NamePrefix": "signalbox-tap-", "EventBusName": .string(bus)])
            #expect(rules["Rules"]?.arrayValue?.isEmpty ?? true, "\(rules)")
        }
    }
}
