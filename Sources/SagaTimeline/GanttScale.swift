import Foundation

/// The time axis of a Gantt chart: which slice of an execution's life is visible, and the
/// column each instant falls in. Zoom halves the visible span per level; pan moves it by a
/// quarter of the visible span per step, never past either end.
public struct GanttScale: Sendable, Hashable {
    /// The first instant shown, and how long the visible window is.
    public let start: Date
    public let span: TimeInterval
    /// Columns of the bar area.
    public let width: Int
    /// The zoom and pan actually applied (pan is clamped to the execution).
    public let zoom: Int
    public let pan: Int

    /// The window onto `from`…`to` at `zoom` (0: the whole execution) panned `pan` quarters.
    public init(from: Date, to: Date, width: Int, zoom: Int, pan: Int) {
        let total = max(to.timeIntervalSince(from), 0.001)
        let zoom = max(0, min(zoom, 20))
        let span = total / Double(1 << zoom)
        let maxPan = Int(((total - span) / (span / 4)).rounded(.up))
        let pan = max(0, min(pan, maxPan))
        self.zoom = zoom
        self.pan = pan
        self.span = span
        self.start = from.addingTimeInterval(min(Double(pan) * span / 4, total - span))
        self.width = max(1, width)
    }

    /// The column of `date`: may fall outside 0..<width when the instant is off screen.
    public func column(_ date: Date) -> Int {
        // A thousandth of a column absorbs Date's rounding (0.025 s of 0.1 s over 100 columns is 25, not 24.99…).
        Int((date.timeIntervalSince(start) / span * Double(width) + 1e-3).rounded(.down))
    }

    /// The visible columns of a bar from `from` to `to`, at least one wide when any of it is
    /// on screen; nil when all of it is off screen.
    public func bar(from: Date, to: Date) -> Range<Int>? {
        var first = column(from)
        // An instant at the window's very end (a Fail state entered as the run ended) is drawn
        // in the last column rather than lost past it.
        if first == width, from.timeIntervalSince(start) <= span { first = width - 1 }
        let last = max(column(to), first + 1)
        guard last > 0, first < width else { return nil }
        return max(0, first)..<min(width, last)
    }
}
