import JSON
import StackProtocol
@testable import Tail
import Testing

@Suite("signalbox tail's lines")
struct TailFormatTests {
    static func eventFrame(source: String, detailType: String = "Order Created") throws -> StreamFrame {
        try StreamFrameCodec.decode(["v": 1, "type": "event", "topic": "events", "seq": 7, "data": [
            "bus": "shop-bus",
            "event": ["id": "e-1", "time": "2026-12-06T17:04:05Z", "source": .string(source), "detail-type": .string(detailType),
                      "detail": ["orderId": "ord-1"]],
            "matched": [["bus": "shop-bus", "rule": "to-saga"]],
            "deliveries": [["bus": "shop-bus", "rule": "to-saga", "targetId": "t", "targetArn": "arn:aws:states:us-east-1:0:stateMachine:order-saga",
                            "status": "dead-lettered", "errorCode": "Throttled"]],
        ]] as JSONValue)
    }

    @Test("json: each published frame exactly as the stream's encoder writes it, on one line; acknowledgements are not written")
    func json() throws {
        let frame = try Self.eventFrame(source: "shop.orders")
        let line = try #require(TailFormat.json.line(frame))
        #expect(line == StreamFrameCodec.encode(frame))
        #expect(!line.contains("\n"))
        #expect(try StreamFrameCodec.decode(line) == frame)
        #expect(TailFormat.json.line(.dropped(count: 3)) == #"{"v":1,"type":"dropped","count":3}"#)
        #expect(TailFormat.json.line(.subscribed(StreamSubscribed(topics: [.events], filtered: false, buffer: 1))) == nil)
        #expect(TailFormat.json.line(.pong) == nil)
    }

    @Test("text: time in ms, bus, source, detail-type, the rules matched and each delivery's outcome")
    func text() throws {
        let line = try #require(TailFormat.text.line(Self.eventFrame(source: "shop.orders")))
        #expect(line == "17:04:05.000  event  shop-bus  shop.orders  Order Created  rules: to-saga  to-saga→order-saga dead-lettered")
        #expect(TailFormat.text.line(.dropped(count: 1)) == "-- 1 frame dropped here: this tail fell behind the stream")
    }

    @Test("text: control characters and bidi overrides in outside strings are made visible, never sent to the terminal")
    func sanitised() throws {
        let line = try #require(TailFormat.text.line(Self.eventFrame(source: "evil\u{1B}[2J\u{202E}gnp.exe", detailType: "a\nb")))
        #expect(!line.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0 == "\n" })
        #expect(line.contains(#"evil\x1b[2J\u202egnp.exe"#))
    }

    @Test("text: an execution's history event names its state")
    func executionsAndBreakers() throws {
        let history = try StreamFrameCodec.decode(["v": 1, "type": "history", "topic": "executions", "seq": 1, "data": [
            "executionArn": "arn:aws:states:us-east-1:0:execution:order-saga:o-1", "stateMachineArn": "arn:aws:states:us-east-1:0:stateMachine:order-saga",
            "name": "o-1", "status": "RUNNING",
            "event": ["id": 3, "type": "TaskStateEntered", "timestamp": 1_796_576_645.25, "stateEnteredEventDetails": ["name": "ChargePayment"]],
        ]] as JSONValue)
        #expect(TailFormat.text.line(history) == "17:04:05.250  history  order-saga  o-1  #3 TaskStateEntered  ChargePayment")
    }

    @Test("text: a redrive names both ids, a purge and a queue deletion their count, a saga's send its state and execution")
    func messageEndings() {
        let at: Int64 = 1_796_576_645_250   // 17:04:05.250
        let sent = QueueMessageChange.sent(queue: "ship", messageId: "m-1", time: at, body: "go",
                                           execution: MessageExecution(executionArn: "arn:aws:states:us-east-1:0:execution:ship:o-1", stateName: "Notify"))
        #expect(TailFormat.text.line(.published(.message(sent), sequence: 1)) == "17:04:05.250  message  ship  m-1  sent  from state Notify of o-1  go")
        let move = QueueMessageMove(queue: "ship-dlq", messageId: "m-1", time: at, toQueue: "ship", toMessageId: "m-2")
        #expect(TailFormat.text.line(.published(.messageMoved(move), sequence: 2)) == "17:04:05.250  message  ship-dlq  m-1  moved → ship as m-2")
        let purged = QueueEmptied(reason: .purged, queue: "ship", time: at, count: 1)
        #expect(TailFormat.text.line(.published(.queueEmptied(purged), sequence: 3)) == "17:04:05.250  queue  ship  purged: 1 message removed")
        let deleted = QueueEmptied(reason: .deleted, queue: "ship-dlq", time: at, count: 40)
        #expect(TailFormat.text.line(.published(.queueEmptied(deleted), sequence: 4)) == "17:04:05.250  queue  ship-dlq  deleted with 40 messages")
    }
}
