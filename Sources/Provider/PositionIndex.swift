/// Ids to positions in a store that appends at the back and lets its oldest go (a message's
/// place in `RecentMessages`, an event's sequence in the tail's ring): positions only grow,
/// and one below the store's `floor` (its oldest position still held) is gone.
///
/// Why two generations instead of one dictionary with each evicted id removed: removing a key
/// from a Swift dictionary hashes its displaced neighbours again, and under a busy stream
/// letting go of old ids that way was 7% of the console's CPU. Here ids are never removed one
/// by one: an id set later lands in `newer`, and once every position in `older` is below the
/// floor, `older` goes whole and `newer` takes its place. A lookup checks the floor, so an id
/// whose entry is gone but not yet dropped reads as absent.
///
/// Invariants: every position in `older` is at most `olderTop`, every one in `newer` at most
/// `newerTop`; the entries held are those set since the older generation began, so at most
/// about twice what the store holds (plus ids set twice).
struct PositionIndex: Sendable {
    private var newer: [String: Int] = [:]
    private var older: [String: Int] = [:]
    private var newerTop = Int.min
    private var olderTop = Int.min

    init() {}

    /// The position last set for `id`, if it is not below `floor` (the store still holds it).
    /// The newer generation wins: it was set later.
    func position(of id: String, floor: Int) -> Int? {
        if let position = newer[id] { return position >= floor ? position : nil }
        if let position = older[id], position >= floor { return position }
        return nil
    }

    mutating func set(_ id: String, to position: Int) {
        newer[id] = position
        newerTop = Swift.max(newerTop, position)
    }

    /// The store's oldest position held is now `floor`: the older generation goes once all of
    /// it is below.
    mutating func raise(floor: Int) {
        guard olderTop < floor else { return }
        let expected = newer.count
        older = [:]
        swap(&older, &newer)
        newer.reserveCapacity(expected)
        olderTop = newerTop
        newerTop = Int.min
    }

    /// Entries held (both generations): for tests of the bound.
    var count: Int { newer.count + older.count }
}
