import Foundation
import Testing
@testable import Provider

@Suite("Position index of a store that lets its oldest go")
struct PositionIndexTests {
    @Test("an id reads its position while the store holds it, and as absent once the floor passes it")
    func floor() {
        var index = PositionIndex()
        for position in 0..<10 { index.set("id-\(position)", to: position) }
        #expect(index.position(of: "id-3", floor: 0) == 3)
        #expect(index.position(of: "id-3", floor: 4) == nil)
        #expect(index.position(of: "id-9", floor: 4) == 9)
        #expect(index.position(of: "unknown", floor: 0) == nil)
        // A later position for the same id wins, in either generation.
        index.raise(floor: 4)
        index.set("id-3", to: 12)
        #expect(index.position(of: "id-3", floor: 4) == 12)
        index.set("id-9", to: 2)
        #expect(index.position(of: "id-9", floor: 4) == nil, "the newest setting names an evicted position")
    }

    @Test("held in two generations: a sliding window of 1,000 over 100,000 ids keeps at most about twice the window")
    func bounded() {
        var index = PositionIndex()
        let window = 1_000
        var largest = 0
        for position in 0..<100_000 {
            index.set("id-\(position)", to: position)
            let floor = max(0, position - window + 1)
            index.raise(floor: floor)
            largest = max(largest, index.count)
            if position % 997 == 0 {
                #expect(index.position(of: "id-\(floor)", floor: floor) == floor)
                #expect(floor == 0 || index.position(of: "id-\(floor - 1)", floor: floor) == nil)
            }
        }
        #expect(largest <= 2 * window + 1, "\(largest) entries for a window of \(window)")
    }

    @Test("recent messages: a message let go and seen again starts a new entry, without the old body")
    func recentMessagesAfterEviction() {
        var messages = RecentMessages(limit: 10, bodyBudget: 1 << 20)
        for index in 0..<100 {
            messages.apply(id: "m-\(index)", change: QueueMessage.Change(kind: .sent, at: Date(), queue: "q"), body: "b\(index)")
        }
        #expect(messages.message("m-5") == nil)
        messages.apply(id: "m-5", change: QueueMessage.Change(kind: .deleted, at: Date(), queue: "q"))
        #expect(messages.message("m-5")?.body == nil)
        #expect(messages.message("m-5")?.changes.map(\.kind) == [.deleted])
        #expect(messages.message("m-99")?.body == "b99")
    }
}
