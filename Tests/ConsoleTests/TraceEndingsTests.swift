import Foundation
import JSON
import SagaTimeline
import StackProtocol
import Testing
@testable import Console
@testable import Provider

/// A traced message that ended or moved other than by its own delete says so, with the time;
/// a message a saga's step sent is tied to that saga. On the demo run's frames
/// (TraceGoldenTests) with a few more after them, as a stack of this version sends them.
@Suite struct TraceEndingsTests {
    static let now = TraceGoldenTests.now
    /// Milliseconds `seconds` before `now`.
    static func before(_ seconds: Double) -> Int64 { Int64(((now.timeIntervalSince1970 - seconds) * 1000).rounded()) }

    /// The demo snapshot with `extra` applied after its frames.
    static func snapshot(_ extra: [StreamMessage]) -> SystemSnapshot {
        var live = LiveState(eventLimit: 500, timelineLimit: 1000)
        _ = live.apply(frame: .subscribed(StreamSubscribed(topics: StreamTopic.all, filtered: false, buffer: 4096)))
        for frame in TraceGoldenTests.frames { _ = live.apply(frame: frame) }
        for (index, message) in extra.enumerated() { _ = live.apply(frame: .published(message, sequence: 10_000 + index)) }
        var snapshot = live.snapshot(connection: .connected(since: now.addingTimeInterval(-60)),
                                     endpoint: EndpointDescription(name: "local", url: "http://127.0.0.1:4599"), at: now)
        snapshot.liveStream = true
        snapshot.stateMachines = [StateMachine(name: "order-saga", arn: SagaFixtures.machineArn, definition: Fixtures.orderSagaDefinition)]
        return snapshot
    }

    static func text(_ snapshot: SystemSnapshot, key: String) -> String {
        TraceGoldenTests.traced(key, snapshot: snapshot).frame(200, 60).textLines().joined(separator: "\n")
    }

    @Test func aMessageDeadLetteredRedrivenThenPurgedSaysEachWithItsTime() {
        let body = #"{"orderId":"ord-ended-1"}"#
        let snapshot = Self.snapshot([
            .message(.sent(queue: "payments", messageId: "m-end-1", time: Self.before(0.9), body: body)),
            .message(QueueMessageChange(change: .deadLettered, queue: "payments", messageId: "m-end-1", time: Self.before(0.8),
                                        receiveCount: 3, deadLetterQueue: "payments-dlq")),
            .messageMoved(QueueMessageMove(queue: "payments-dlq", messageId: "m-end-1", time: Self.before(0.7), toQueue: "payments",
                                           toMessageId: "m-end-1b")),
            .message(QueueMessageChange(change: .received, queue: "payments", messageId: "m-end-1b", time: Self.before(0.6), receiveCount: 1)),
            .queueEmptied(QueueEmptied(reason: .purged, queue: "payments", time: Self.before(0.5), count: 40)),
        ])
        let text = Self.text(snapshot, key: "ord-ended-1")
        let at = { (seconds: Double) in TracePane.clockMillis(Self.now.addingTimeInterval(-seconds)) }
        for expected in ["MESSAGE payments  m-end-1  sent directly", "moved to DLQ payments-dlq " + at(0.8),
                         "redriven to payments as m-end-1b " + at(0.7), "received " + at(0.6), "purged with payments " + at(0.5)] {
            #expect(text.contains(expected), "missing \(expected)")
        }
    }

    @Test func aMessageWhoseQueueWasDeletedSaysItWentWithIt() {
        let snapshot = Self.snapshot([
            .message(.sent(queue: "doomed", messageId: "m-end-2", time: Self.before(0.9), body: #"{"orderId":"ord-ended-2"}"#)),
            .queueEmptied(QueueEmptied(reason: .deleted, queue: "doomed", time: Self.before(0.4), count: 1)),
        ])
        let text = Self.text(snapshot, key: "ord-ended-2")
        #expect(text.contains("gone with its queue doomed (deleted) " + TracePane.clockMillis(Self.now.addingTimeInterval(-0.4))))
    }

    @Test func aMessageASagaStepSentIsTiedToThatSagaEvenWithoutTheKeyInItsBody() throws {
        let base = TraceGoldenTests.snapshot()
        let board = SagaBoard.of(base, settings: SagaSettings(), now: Self.now)
        let saga = try #require(board.sagas.first { $0.businessKey == TraceGoldenTests.shipped })
        let execution = MessageExecution(executionArn: saga.execution.arn, stateName: "NotifyCourier")
        let snapshot = Self.snapshot([
            .message(.sent(queue: "courier", messageId: "m-saga-1", time: Self.before(0.3), body: "pick up at dock 4", execution: execution)),
            // The same send from a saga not traced: not tied.
            .message(.sent(queue: "courier", messageId: "m-saga-2", time: Self.before(0.2), body: "pick up at dock 5",
                           execution: MessageExecution(executionArn: "arn:aws:states:us-east-1:000000000000:execution:order-saga:other", stateName: "NotifyCourier"))),
        ])
        let text = Self.text(snapshot, key: TraceGoldenTests.shipped)
        #expect(text.contains("MESSAGE courier  m-saga-1  sent by saga step NotifyCourier ("))
        #expect(text.contains("[saga]") && text.contains("[saga] a tied saga's step sent it"))
        #expect(!text.contains("m-saga-2"))
        // Without such an entry the legend does not mention it.
        #expect(!Self.text(Self.snapshot([]), key: TraceGoldenTests.shipped).contains("[saga]"))
    }

    @Test func theQueuesDetailSaysWhenTheQueueWasPurgedAndWhatWasRedriven() {
        var snapshot = Self.snapshot([
            .message(.sent(queue: "payments-dlq", messageId: "m-q-1", time: Self.before(0.9), body: "x")),
            .messageMoved(QueueMessageMove(queue: "payments-dlq", messageId: "m-q-1", time: Self.before(0.8), toQueue: "payments", toMessageId: "m-q-1b")),
            .queueEmptied(QueueEmptied(reason: .purged, queue: "payments", time: Self.before(0.5), count: 40)),
        ])
        let arn = "arn:aws:sqs:us-east-1:000000000000:payments"
        snapshot.queues = [Queue(name: "payments", url: "http://127.0.0.1:4599/000000000000/payments", arn: arn)]
        let lines = QueuesPane().detail(of: arn, PaneContext(snapshot: snapshot, now: Self.now))?.map { $0.0 } ?? []
        #expect(lines.contains("purged         " + TracePane.clockMillis(Self.now.addingTimeInterval(-0.5)) + " · 40 messages removed"))
        #expect(lines.contains("redriven       1 in (messages seen since attaching)"))
    }

    @Test func anEventsDetailSaysWhatBecameOfTheMessageEachQueueDeliverySent() throws {
        let base = TraceGoldenTests.snapshot()
        // An event the demo delivered to a queue, and the message that delivery sent.
        let sent = try #require(base.recentMessages.messages.first { message in
            guard let sender = message.sender else { return false }
            return base.recentEvents.contains { $0.id == sender.eventId }
        })
        let sender = try #require(sent.sender)
        // A second message from the same delivery (a retry's), then its queue purged.
        let snapshot = Self.snapshot([
            .message(.sent(queue: sent.queue, messageId: "m-flow-1", time: Self.before(0.9), body: "again", sender: sender)),
            .queueEmptied(QueueEmptied(reason: .purged, queue: sent.queue, time: Self.before(0.5), count: 1)),
        ])
        let event = try #require(snapshot.recentEvents.last { $0.id == sender.eventId })
        let rows = FlowsPane().detailRows(event, folded: [], messages: snapshot.recentMessages).map(\.text)
        let delivery = try #require(rows.firstIndex { $0.hasPrefix("delivery     \(sender.rule) → \(sent.queue)") })
        let held = try #require(snapshot.recentMessages.message(sent.id)?.changes.last)
        #expect(rows.contains("  message    \(TracePane.short(sent.id)): " + TracePane.change(held)))
        #expect(rows.contains("  message    m-flow-1: purged with \(sent.queue) " + TracePane.clockMillis(Self.now.addingTimeInterval(-0.5))))
        #expect(rows.firstIndex { $0.contains("m-flow-1") }! > delivery)
        // Without the messages topic the detail is as before.
        #expect(!FlowsPane().detailRows(event, folded: []).contains { $0.text.hasPrefix("  message") })
    }
}
