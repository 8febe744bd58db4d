import Foundation
import JSON
@testable import Provider
import StackProtocol
import Testing

/// The tail's ring: bounded by its capacity, numbered in arrival order, shared with snapshots.
@Suite struct EventRingTests {
    static func frame(_ id: String, status: DeliveryOutcome.Status = .retrying) -> StreamFrame {
        let envelope: JSONValue = ["id": .string(id), "time": "2026-11-23T05:00:00Z", "source": "s", "detail-type": "T", "detail": [:]]
        return .published(.event(BusEventFrame(
            bus: "default", event: EventEnvelope(envelope), matched: [MatchedRule(bus: "default", rule: "r")],
            deliveries: [DeliveryOutcome(eventId: id, bus: "default", rule: "r", targetId: "t", targetArn: "arn:q", status: status)])),
            sequence: 1)
    }

    static func delivery(_ id: String) -> StreamFrame {
        .published(.delivery(DeliveryOutcome(eventId: id, bus: "default", rule: "r", targetId: "t", targetArn: "arn:q",
                                              status: .deadLettered, errorCode: "Gone")), sequence: 2)
    }

    @Test("events of 256 KB are bounded by bytes, not only by count: the newest that fit are kept, the rest evicted and counted")
    func boundedByBytes() {
        let blob = String(repeating: "x", count: 256 * 1024 - 200)
        func event(_ i: Int) -> FlowEvent {
            let envelope: JSONValue = ["id": .string("e\(i)"), "source": "s", "detail-type": "T", "detail": ["blob": .string(blob)]]
            return FlowEvent(id: "e\(i)", time: Date(timeIntervalSince1970: 0), eventBusName: "default", source: "s", detailType: "T",
                             detail: [:], envelope: envelope)
        }
        var ring = EventRing(capacity: 10_000)
        for i in 0..<1_000 { ring.append(event(i)) }
        #expect(ring.bytes <= EventRing.defaultByteLimit)
        #expect(ring.count >= 250 && ring.count <= 256, "about 64 MiB of 256 KB envelopes: \(ring.count)")
        #expect(ring.evicted == 1_000 - ring.count)
        #expect(ring.last?.id == "e999" && ring.first?.sequence == 1_000 - ring.count)
        #expect(ring.sourcesOnBuses.count == 1)

        // One event larger than the whole limit is still kept: the tail shows the newest event.
        var tiny = EventRing(capacity: 10, byteLimit: 1_000)
        tiny.append(event(0))
        tiny.append(event(1))
        #expect(tiny.count == 1 && tiny.last?.id == "e1" && tiny.evicted == 1)
    }

    @Test("50,000 events into a 10,000 ring keep the newest 10,000; the rest are evicted, not dropped")
    func boundedByCapacity() {
        var state = LiveState(eventLimit: 10_000, timelineLimit: 10)
        for i in 0..<50_000 { _ = state.apply(frame: Self.frame("e\(i)")) }
        #expect(state.events.count == 10_000)
        #expect(state.events.evicted == 40_000)
        #expect(state.dropped == 0)
        #expect(state.events.first?.id == "e40000" && state.events.last?.id == "e49999")
        #expect(state.events.first?.sequence == 40_000 && state.events.last?.sequence == 49_999)
        #expect(state.events.index(ofSequence: 39_999) == nil)
        #expect(state.events.index(ofSequence: 45_000).map { state.events[$0].id } == "e45000")
        // An evicted event's later outcome has nothing to update; a held one's does.
        #expect(state.apply(frame: Self.delivery("e39999")) == .ignored)
        #expect(state.apply(frame: Self.delivery("e45000")) == .changed)
        let updated = state.events[state.events.index(ofSequence: 45_000)!]
        #expect(updated.deliveries.map(\.status) == [.deadLettered] && updated.sequence == 45_000)
        // The same event again replaces it in place.
        _ = state.apply(frame: Self.frame("e49999", status: .delivered))
        #expect(state.events.count == 10_000 && state.events.last?.deliveries.map(\.status) == [.delivered])
    }

    @Test("the index of held events tells apart ids that share their length and both ends, short ids, and ids equal only as Unicode text; it follows evictions")
    func indexKeys() {
        let lookalikes = (0..<30).map { "aaaaaaaa-\($0 % 10)\($0 / 10)-bbbbbbbb" } + ["e", "é", "e\u{301}", "ab", "ba", ""]
        #expect(Set(lookalikes.map(EventIdKey.init)).count == lookalikes.count, "é precomposed and decomposed are two ids")
        #expect(EventIdKey("aaaaaaaa-00-bbbbbbbb") == EventIdKey(String("aaaaaaaa-00-bbbbbbbb".reversed().reversed())))
        var state = LiveState(eventLimit: 20, timelineLimit: 10)
        for id in lookalikes { _ = state.apply(frame: Self.frame(id)) }
        #expect(state.events.map(\.id) == Array(lookalikes.suffix(20)))
        for (index, id) in lookalikes.enumerated() {
            #expect(state.apply(frame: Self.delivery(id)) == (index >= lookalikes.count - 20 ? .changed : .ignored), "\(id)")
        }
        #expect(state.events.allSatisfy { $0.deliveries.map(\.status) == [.deadLettered] })
    }

    @Test("a snapshot's ring is a value: later events do not reach it, and equal rings compare equal")
    func snapshotsShare() {
        var ring = EventRing(capacity: 600)
        for i in 0..<1_000 { ring.append(FlowEvent(id: "e\(i)", time: Date(timeIntervalSince1970: 0), source: "s", detailType: "T")) }
        let snapshot = ring
        #expect(snapshot == ring)
        ring.append(FlowEvent(id: "new", time: Date(timeIntervalSince1970: 0), source: "s", detailType: "T"))
        #expect(snapshot != ring)
        #expect(snapshot.count == 600 && snapshot.last?.id == "e999" && ring.last?.id == "new")
        #expect(ring.count == 600 && ring.evicted == 401 && ring.first?.id == "e401")
        #expect(Array(ring.map(\.sequence)) == Array(401...1_000))
        var edited = snapshot
        edited.replace(at: 10, with: FlowEvent(id: "x", time: Date(timeIntervalSince1970: 0), source: "s", detailType: "T"))
        #expect(edited != snapshot && snapshot[10].id == "e410" && edited[10].id == "x" && edited[10].sequence == 410)
        #expect(EventRing(snapshot, capacity: 600) != snapshot, "renumbered from 0: not the same events")
    }

    @Test("the sources seen on each bus are kept as events come and go, in the order first seen, without scanning the ring")
    func sourcesOnBuses() {
        func event(_ i: Int, source: String, bus: String = "b") -> FlowEvent {
            FlowEvent(id: "e\(i)", time: Date(timeIntervalSince1970: Double(i)), eventBusName: bus, source: source, detailType: "T")
        }
        var ring = EventRing(capacity: 600)
        ring.append(event(0, source: "first"))
        for i in 1..<500 { ring.append(event(i, source: i % 2 == 0 ? "even" : "odd")) }
        ring.append(event(500, source: "odd", bus: "other"))
        #expect(ring.sourcesOnBuses == [SourceOnBus(source: "first", bus: "b"), SourceOnBus(source: "odd", bus: "b"),
                                        SourceOnBus(source: "even", bus: "b"), SourceOnBus(source: "odd", bus: "other")])
        // Past the capacity the oldest go, and with them the pairs no held event carries.
        for i in 501..<1_200 { ring.append(event(i, source: "late")) }
        #expect(ring.count == 600)
        #expect(ring.sourcesOnBuses == [SourceOnBus(source: "late", bus: "b")])
        // A pair that comes back is listed again, once.
        ring.append(event(1_200, source: "first"))
        ring.replace(at: 0, with: event(601, source: "first"))
        #expect(ring.sourcesOnBuses == [SourceOnBus(source: "late", bus: "b"), SourceOnBus(source: "first", bus: "b")])
    }

    @Test("a chunked list removes from the front across chunks, replaces in place, and compares by values")
    func chunkedList() {
        var list = ChunkedList<Int>()
        for i in 0..<1_000 { list.append(i) }
        let shared = list
        list.removeFirst(300)
        #expect(Array(list) == Array(300..<1_000))
        list.replace(at: 0, with: -1)
        list.replace(at: 699, with: -2)
        #expect(list.first == -1 && list.last == -2 && list.count == 700)
        #expect(Array(shared) == Array(0..<1_000))   // the copy taken before is untouched
        list.removeFirst(700)
        #expect(list.isEmpty)
        for i in 0..<10 { list.append(i) }
        list.removeFirst(4)
        #expect(Array(list) == Array(4..<10))
        var other = ChunkedList<Int>()
        for i in 4..<10 { other.append(i) }
        #expect(list == other)
        other.replace(at: 5, with: 0)
        #expect(list != other)
    }
}
