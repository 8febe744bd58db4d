import Foundation
import Provider
import Synchronization

/// The bodies the panes built for the frame being drawn, kept until their inputs change: the
/// console asks for a pane's body several times per snapshot (the tail's selection anchor
/// before and after it arrives, the rows on screen the provider is told to watch, then the
/// frame), and a body is a pure function of what its key holds. One per console, shared by its
/// copies; not part of the console's value (all compare equal), like `PaneMemory`.
final class PaneBodies: Sendable, Hashable {
    /// Everything a body is built from (`PaneContext` and the pane's view state). The snapshot
    /// is named by its serial: comparing two snapshots whole would cost what is saved.
    struct Key: Hashable {
        var pane: PaneID
        var filtered: Bool
        var snapshot: SnapshotSerial.Value
        var now: Date
        var filter: String
        var view: OpaqueValue?
        var detailCursor: Int?
    }

    /// One body per pane and kind (filtered or not): the last built.
    private let kept = Mutex<[PaneID: [Bool: (key: Key, body: PaneBody<OpaqueValue>)]]>([:])

    /// The body kept under `key`, else `build()`'s, kept.
    func body(_ key: Key, build: () -> PaneBody<OpaqueValue>) -> PaneBody<OpaqueValue> {
        if let body = kept.withLock({ $0[key.pane]?[key.filtered].flatMap { $0.key == key ? $0.body : nil } }) { return body }
        let body = build()
        kept.withLock { $0[key.pane, default: [:]][key.filtered] = (key, body) }
        return body
    }

    static func == (a: PaneBodies, b: PaneBodies) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}

/// Which snapshot a console holds: a number no other snapshot received by any console had.
/// Not part of the console's value (all serials compare equal): two states showing equal
/// snapshots are equal whatever their serials.
struct SnapshotSerial: Sendable, Hashable {
    typealias Value = Int
    let value: Value

    init() { value = Self.counter.add(1, ordering: .relaxed).newValue }

    private static let counter = Atomic<Int>(0)

    static func == (a: SnapshotSerial, b: SnapshotSerial) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
