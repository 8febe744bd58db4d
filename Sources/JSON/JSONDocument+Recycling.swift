import Synchronization

extension JSONDocument {
    /// The slots array of one document that is done with (`recycle`), kept for the next parse
    /// from an array of bytes. Why: a live-stream batch (up to 512 KiB, 20 a second) takes a
    /// couple of megabytes of slots; a fresh array each time came from fresh pages, and their
    /// faults were 5% of a console's work at 20,000 events a second. Reused, the pages stay
    /// mapped. At most one array is kept, of at most `spareLimit` slots, so what it holds is
    /// bounded by the largest message parsed, not by how many.
    private static let spare = Mutex<[Slot]>([])
    private static let spareLimit = 1 << 18

    /// An empty slots array, the spare one when there is one, for `capacity` slots.
    static func freshSlots(capacity: Int) -> [Slot] {
        var slots = spare.withLock { spare in
            var taken: [Slot] = []
            swap(&taken, &spare)
            return taken
        }
        slots.reserveCapacity(capacity)
        return slots
    }

    /// Hands this document's slots array back for the next parse (`init(parsing:keeping:)` from
    /// an array): call it when no one reads the document any more. Copies of the document keep
    /// their own slots (the array is copied on write, never shared with a later parse).
    public consuming func recycle() {
        var slots = self.slots
        self.slots = []
        guard slots.capacity <= Self.spareLimit else { return }
        slots.removeAll(keepingCapacity: true)
        Self.spare.withLock { spare in
            if spare.capacity < slots.capacity { swap(&spare, &slots) }
        }
    }
}
