import JSON
@testable import StackClient
import SignalboxTestSupport
import StackProtocol
import Testing

@Suite("Live stream frames in batches")
struct StreamBatchesTests {
    /// A frame told apart by its number (its kind does not matter to the inbox).
    static func frame(_ number: Int) -> StreamFrame {
        .error(StreamFailure(code: "test", message: "\(number)"))
    }

    /// An inbox and the sequence reading it, with the arrival signals it was built on.
    static func inbox(capacity: Int) -> (StreamInbox, StreamBatches) {
        let (arrivals, arrival) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let inbox = StreamInbox(capacity: capacity, arrival: arrival)
        return (inbox, StreamBatches(inbox: inbox, arrivals: arrivals))
    }

    @Test("frames received while the reader was away come as one batch, in order")
    func oneBatch() async throws {
        let (inbox, batches) = Self.inbox(capacity: 100)
        inbox.put((1...5).map(Self.frame))
        var iterator = batches.makeAsyncIterator()
        #expect(try await iterator.next() == (1...5).map(Self.frame))
        inbox.put([Self.frame(6)])
        #expect(try await iterator.next() == [Self.frame(6)])
    }

    @Test("past its capacity the inbox drops the oldest and the batch starts by counting them")
    func overflowIsCounted() async throws {
        let (inbox, batches) = Self.inbox(capacity: 3)
        inbox.put((1...10).map(Self.frame))
        var iterator = batches.makeAsyncIterator()
        #expect(try await iterator.next() == [.dropped(count: 7), Self.frame(8), Self.frame(9), Self.frame(10)])
        inbox.put([Self.frame(11)])
        #expect(try await iterator.next() == [Self.frame(11)], "the count starts again after it was reported")
    }

    @Test("a failed connection is thrown once, after the frames received before it")
    func failureAfterFrames() async throws {
        struct Broken: Error {}
        let (inbox, batches) = Self.inbox(capacity: 10)
        inbox.put([Self.frame(1)])
        inbox.finish(failure: Broken())
        var iterator = batches.makeAsyncIterator()
        #expect(try await iterator.next() == [Self.frame(1)])
        await #expect(throws: Broken.self) { try await iterator.next() }
        #expect(try await iterator.next() == nil)
    }

    @Test("against a running stack: the subscription, then the events put on the bus, one of 200 KB among them")
    func fromTheStack() async throws {
        try await withRunningStack { endpoint in
            var batches = try StreamClient(endpoint: endpoint).frameBatches(topics: [.events]).makeAsyncIterator()
            var received = try await batches.next() ?? []
            #expect(received.first == .subscribed(StreamSubscribed(topics: [.events], filtered: false, buffer: 1024)))
            // The large one is past the 16 KiB WebSocket frame size clients accept by default:
            // the stack splits its message into frames instead of closing the viewer.
            let padding = String(repeating: "x", count: 200_000)
            _ = try await AWSClient(endpoint: endpoint).call(.eventBridge, "PutEvents", ["Entries": .array((1...3).map { n in
                ["Source": "shop.orders", "DetailType": "Order Created",
                 "Detail": .string("{\"orderId\":\"o-\(n)\",\"note\":\"\(n == 2 ? padding : "")\"}")]
            })])
            while received.count < 4, let batch = try await batches.next() { received += batch }
            let orders = received.dropFirst().compactMap { frame -> String? in
                guard case .published(.event(let event), _) = frame else { return nil }
                return event.event.value["detail"]?["orderId"]?.stringValue
            }
            #expect(orders == ["o-1", "o-2", "o-3"])
        }
    }

    @Test("the one-frame-per-message stream also carries a frame larger than a WebSocket frame")
    func largeFrameUnbatched() async throws {
        try await withRunningStack { endpoint in
            var frames = try StreamClient(endpoint: endpoint).frames(topics: [.events]).makeAsyncIterator()
            _ = try await frames.next()  // subscribed
            let padding = String(repeating: "y", count: 100_000)
            _ = try await AWSClient(endpoint: endpoint).call(.eventBridge, "PutEvents", ["Entries": [
                ["Source": "shop.orders", "DetailType": "Order Created", "Detail": .string("{\"note\":\"\(padding)\"}")],
            ]])
            guard case .published(.event(let event), _)? = try await frames.next() else {
                Issue.record("expected the event frame")
                return
            }
            #expect(event.event.value["detail"]?["note"]?.stringValue?.count == 100_000)
        }
    }
}
