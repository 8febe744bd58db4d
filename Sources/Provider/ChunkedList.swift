/// Values in order, oldest first, that snapshots share instead of copy: the storage of the
/// tail's `EventRing` and of `RecentMessages`.
///
/// Why chunks: the provider publishes a snapshot every second, and a snapshot holding a
/// plain array of 10,000 values would share its buffer with the provider's copy only until the
/// next value arrived, which then copied all 10,000 (an array is copied whole on write). Here
/// the values live in sealed, immutable chunks shared by reference between the provider and
/// every snapshot; only the open chunk (fewer than `chunkSize` values) is copied on write. A
/// copy costs at most `count / chunkSize` references and one small array.
///
/// Invariants: every sealed chunk holds exactly `chunkSize` values; the first `head` values of
/// the first sealed chunk are removed (hidden).
public struct ChunkedList<Element: Sendable & Hashable>: Sendable, Hashable, RandomAccessCollection {
    /// An immutable run of `chunkSize` values, shared by reference.
    final class Chunk: Sendable {
        let elements: [Element]
        init(_ elements: [Element]) { self.elements = elements }
    }

    static var chunkSize: Int { 256 }

    private var sealed: [Chunk] = []
    private var open: [Element] = []
    /// Values of `sealed.first` already removed.
    private var head = 0
    public private(set) var count = 0

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "element \(index) of \(count)")
        let position = index + head
        let inSealed = sealed.count * Self.chunkSize
        if position < inSealed { return sealed[position / Self.chunkSize].elements[position % Self.chunkSize] }
        return open[position - inSealed]
    }

    /// What `read` makes of the value at `index`, read where it lies: the subscript copies the
    /// value out (a retain and a release of each reference it holds), which a loop over many
    /// values that looks at one member of each need not pay.
    public func withElement<Result>(at index: Int, _ read: (Element) -> Result) -> Result {
        precondition(index >= 0 && index < count, "element \(index) of \(count)")
        let position = index + head
        let inSealed = sealed.count * Self.chunkSize
        if position < inSealed { return read(sealed[position / Self.chunkSize].elements[position % Self.chunkSize]) }
        return read(open[position - inSealed])
    }

    public mutating func append(_ element: Element) {
        open.append(element)
        count += 1
        if open.count == Self.chunkSize {
            sealed.append(Chunk(open))
            open = []
            open.reserveCapacity(Self.chunkSize)
        }
    }

    /// Removes the oldest `k` values; a chunk goes once all of its values have.
    public mutating func removeFirst(_ k: Int) {
        precondition(k >= 0 && k <= count, "removing \(k) of \(count)")
        guard k > 0 else { return }
        count -= k
        head += k
        let gone = Swift.min(head / Self.chunkSize, sealed.count)
        sealed.removeFirst(gone)
        head -= gone * Self.chunkSize
        if sealed.isEmpty && head > 0 {
            // Everything sealed went: the rest of the removal is in the open chunk.
            open.removeFirst(head)
            head = 0
        }
    }

    /// Replaces the value at `index`. A sealed chunk is copied once (at most `chunkSize`
    /// values), never the whole list.
    public mutating func replace(at index: Int, with element: Element) {
        precondition(index >= 0 && index < count, "element \(index) of \(count)")
        let position = index + head
        let inSealed = sealed.count * Self.chunkSize
        if position < inSealed {
            var elements = sealed[position / Self.chunkSize].elements
            elements[position % Self.chunkSize] = element
            sealed[position / Self.chunkSize] = Chunk(elements)
        } else {
            open[position - inSealed] = element
        }
    }

    /// Equal when they hold the same values in order; sealed chunks shared by reference
    /// compare without reading their values.
    public static func == (a: ChunkedList, b: ChunkedList) -> Bool {
        guard a.count == b.count else { return false }
        if a.head == b.head, a.sealed.count == b.sealed.count {
            return zip(a.sealed, b.sealed).allSatisfy { $0 === $1 || $0.elements == $1.elements } && a.open == b.open
        }
        return a.elementsEqual(b)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(last)
    }
}
